// Load generator for the overhead bench, run as a child process so it does not share a CPU with the server it measures.
// Closed loop: N keep-alive connections each send the next GraphQL POST as soon as the last answer arrives; prints one JSON line.

import { Pool } from 'undici';

interface LoadArgs {
  url: string;
  /** JSON request bodies, sent in turn. */
  bodies: string[];
  connections: number;
  durationMs: number;
  warmupMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: args.connections, pipelining: 1, keepAliveTimeout: 30_000 });

async function run(
  durationMs: number,
  latencies: number[] | null,
): Promise<{ requests: number; errors: number; ms: number }> {
  const deadline = performance.now() + durationMs;
  let counter = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: args.connections }, async () => {
      while (performance.now() < deadline) {
        const body = args.bodies[counter++ % args.bodies.length]!;
        const t0 = performance.now();
        const res = await pool.request({
          method: 'POST',
          path: target.pathname,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
        });
        const text = await res.body.text();
        const t1 = performance.now();
        if (res.statusCode !== 200 || text.includes('"errors"')) errors++;
        latencies?.push(t1 - t0);
      }
    }),
  );
  return { requests: counter, errors, ms: performance.now() - started };
}

await run(args.warmupMs, null); // JIT, connections and caches settle; not measured
const latencies: number[] = [];
const { errors, ms } = await run(args.durationMs, latencies);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
await pool.close();
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, rps: (latencies.length / ms) * 1000, p50: pct(50), p99: pct(99), errors })}\n`,
);
