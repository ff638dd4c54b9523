// Abuse bench: the "tiny request, huge response" (1000 × one code in 15 aliases, with and without nesting)
// against a warm ods-graphql in its own process: response bytes, wall time, server RSS, and a cheap client's latency.
// The same file runs the server child (`tsx bench/abuse.ts '{"role":"server",…}'`), so it can be copied to an older
// checkout and measure that one the same way. The simulator (full tier) runs in a third process.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { firstJsonLine, percentile, round, spawnTs, startRemoteSimulator, startStack, stopChild } from './stack.js';
import type { BenchRow } from './table.js';

/** The code (Brighton and Sussex University Hospitals) and the one the warm client asks for. */
const ATTACK_CODE = 'RXH';
const CHEAP_QUERY = '{ organisation(odsCode: "RXH") { name } }';
const NESTED = 'name relationships { target { name relationships { target { name } } } }';
const CARD = `odsCode name status lastChangeDate address { town postcode } primaryRole { type { code } isPrimary }
  roles { type { code } isPrimary } relationships { type { code } target { odsCode } }`;

function attackBody(selection: string): string {
  const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: organisations(odsCodes: $codes) { ${selection} }`);
  const query = `query Attack($codes: [String!]!) {\n${aliases.join('\n')}\n}`;
  return JSON.stringify({ query, variables: { codes: Array<string>(1000).fill(ATTACK_CODE) } });
}

interface ServerStats {
  rssMiB: number;
  /** Peak RSS since the process started (VmHWM). */
  peakRssMiB: number;
  /** Longest event-loop delay since the last stats call, ms. */
  loopMaxMs: number;
}

/** The server child: ods-graphql as createApp composes it, answering `stats` lines on stdin with one JSON line. */
async function runServer(ordBaseUrl: string): Promise<void> {
  const stack = await startStack({ ordBaseUrl, rateLimit: 1000, maxConcurrency: 16 });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const kib = (field: string) =>
    Number(/\d+/.exec(readFileSync('/proc/self/status', 'utf8').split(`${field}:`)[1] ?? '0')?.[0] ?? 0);
  process.stdout.write(`${JSON.stringify({ url: stack.url })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const stats: ServerStats = {
      rssMiB: Math.round(kib('VmRSS') / 1024),
      peakRssMiB: Math.round(kib('VmHWM') / 1024),
      loopMaxMs: round(loop.max / 1e6, 1),
    };
    loop.reset();
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  });
  lines.on('close', () => {
    void stack.close().then(() => process.exit(0));
  });
}

/** Asks the server child for its stats. */
function statsOf(proc: ChildProcess, lines: AsyncIterator<string>): Promise<ServerStats> {
  proc.stdin!.write('stats\n');
  return lines.next().then((r) => JSON.parse(r.value as string) as ServerStats);
}

interface Answer {
  status: number;
  bytes: number;
  ms: number;
  code: string | undefined;
}

async function post(pool: Pool, path: string, body: string): Promise<Answer> {
  const t0 = performance.now();
  const res = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await res.body.text();
  const ms = performance.now() - t0;
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
  } catch {
    code = 'unparsable';
  }
  return { status: res.statusCode, bytes: Buffer.byteLength(text), ms, code };
}

/** The cheap client: one request after another until `until` settles; its latencies in ms. */
async function cheapClient(pool: Pool, path: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const body = JSON.stringify({ query: CHEAP_QUERY });
  const latencies: number[] = [];
  while (!done) latencies.push((await post(pool, path, body)).ms);
  return latencies;
}

export async function benchAbuse(durationMs: number): Promise<BenchRow[]> {
  const suite = 'abuse';
  const sim = await startRemoteSimulator({ port: 0, tier: 'full' });
  const proc = spawnTs(fileURLToPath(import.meta.url), { role: 'server', ordBaseUrl: sim.baseUrl });
  const rows: BenchRow[] = [];
  try {
    const { url } = await firstJsonLine<{ url: string }>(proc, 120_000);
    const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
    const { origin, pathname: path } = new URL(url);
    const attacker = new Pool(origin, { connections: 1, headersTimeout: 600_000, bodyTimeout: 600_000 });
    const client = new Pool(origin, { connections: 1 });
    try {
      // Warm: the records the attack reaches are cached, so its upstream estimate is 0 (the worst case).
      for (const selection of [NESTED, CARD]) {
        const one = await post(
          client,
          path,
          JSON.stringify({ query: `{ organisation(odsCode: "${ATTACK_CODE}") { ${selection} } }` }),
        );
        if (one.status !== 200 || one.code) throw new Error(`warm-up answered ${one.status} ${one.code}`);
      }
      const alone = await cheapClient(
        client,
        path,
        new Promise((resolve) => setTimeout(resolve, Math.min(durationMs, 3000))),
      );
      alone.sort((a, b) => a - b);
      rows.push(
        { suite, case: 'cheap warm query, alone', metric: 'p50 ms', value: round(percentile(alone, 50)) },
        { suite, case: 'cheap warm query, alone', metric: 'p99 ms', value: round(percentile(alone, 99)) },
      );
      for (const [name, selection] of [
        ['nested (two relationship levels)', NESTED],
        ['no nesting (a card of fields)', CARD],
      ] as const) {
        const body = attackBody(selection);
        const before = await statsOf(proc, lines);
        const attack = post(attacker, path, body);
        const during = await cheapClient(client, path, attack);
        const answer = await attack;
        const after = await statsOf(proc, lines);
        during.sort((a, b) => a - b);
        const c = `attack, ${name}: answered HTTP ${answer.status} ${answer.code ?? 'with data'}`;
        rows.push(
          { suite, case: c, metric: 'request bytes', value: Buffer.byteLength(body) },
          { suite, case: c, metric: 'response bytes', value: answer.bytes },
          { suite, case: c, metric: 'wall s', value: round(answer.ms / 1000, 2) },
          { suite, case: c, metric: 'server RSS before MiB', value: before.rssMiB },
          { suite, case: c, metric: 'server RSS after MiB', value: after.rssMiB },
          { suite, case: c, metric: 'server peak RSS MiB (since start)', value: after.peakRssMiB },
          { suite, case: c, metric: 'server longest event-loop stall ms', value: after.loopMaxMs },
          { suite, case: c, metric: 'cheap warm query meanwhile: requests', value: during.length },
          { suite, case: c, metric: 'cheap warm query meanwhile: p50 ms', value: round(percentile(during, 50)) },
          { suite, case: c, metric: 'cheap warm query meanwhile: p99 ms', value: round(percentile(during, 99)) },
        );
      }
    } finally {
      await attacker.close();
      await client.close();
    }
  } finally {
    await stopChild(proc);
    await sim.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = JSON.parse(process.argv[2] ?? '{}') as { role?: string; ordBaseUrl?: string };
  if (args.role === 'server' && args.ordBaseUrl) await runServer(args.ordBaseUrl);
}
