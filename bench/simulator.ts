// Benchmark suite: how fast the ORD simulator answers, on the full national dataset.
// Measures /organisations/{code} and a 1000-row search over loopback HTTP with keep-alive connections.

import { Pool } from 'undici';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import { percentile, round } from './stack.js';
import type { BenchRow } from './table.js';

/** Runs `task` from `connections` concurrent loops until `durationMs` has passed; returns throughput and latency percentiles. */
async function load(
  connections: number,
  durationMs: number,
  task: (i: number) => Promise<void>,
): Promise<{ requests: number; rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const i = counter++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export async function benchSimulator(durationMs: number): Promise<BenchRow[]> {
  const t0 = performance.now();
  const sim = await startOrdSimulator({ tier: 'full', port: 0 });
  const startupMs = performance.now() - t0;
  const base = new URL(sim.baseUrl);
  const pool = new Pool(base.origin, { connections: 64, pipelining: 1 });
  const codes = ['RWR', 'X26', 'RVVKC', 'A81001', 'G6V2S', 'RRP', 'QMJ', 'Y56'];
  const rows: BenchRow[] = [
    { suite: 'simulator', case: 'start-up with the full dataset', metric: 'ms', value: Math.round(startupMs) },
  ];
  try {
    const get = async (path: string) => {
      const res = await pool.request({ method: 'GET', path: `${base.pathname}${path}` });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
    };
    for (const connections of [1, 16]) {
      const r = await load(connections, durationMs, (i) => get(`organisations/${codes[i % codes.length]}`));
      rows.push(
        {
          suite: 'simulator',
          case: `GET organisations/{code}, ${connections} conn`,
          metric: 'req/s',
          value: Math.round(r.rps),
        },
        {
          suite: 'simulator',
          case: `GET organisations/{code}, ${connections} conn`,
          metric: 'p50 ms',
          value: round(r.p50),
        },
        {
          suite: 'simulator',
          case: `GET organisations/{code}, ${connections} conn`,
          metric: 'p99 ms',
          value: round(r.p99),
        },
      );
    }
    // PrimaryRoleId=RO198 matches every trust site (~38k): each call sorts and serialises a full 1000-row page.
    for (const connections of [1, 4]) {
      const r = await load(connections, durationMs, (i) =>
        get(`organisations?PrimaryRoleId=RO198&Limit=1000${i % 30 === 0 ? '' : `&Offset=${(i % 30) * 1000}`}`),
      );
      rows.push(
        { suite: 'simulator', case: `1000-row search, ${connections} conn`, metric: 'req/s', value: Math.round(r.rps) },
        { suite: 'simulator', case: `1000-row search, ${connections} conn`, metric: 'p50 ms', value: round(r.p50) },
        { suite: 'simulator', case: `1000-row search, ${connections} conn`, metric: 'p99 ms', value: round(r.p99) },
      );
    }
  } finally {
    await pool.close();
    await sim.close();
  }
  return rows;
}
