// Overhead bench: what ods-graphql costs per request once the cache is warm, beside a bare graphql-yoga hello world.
// Three processes: this one (the idle simulator), a server child (both servers) and a load-generator child, so each gets a core.

import { fileURLToPath } from 'node:url';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import { firstJsonLine, round, spawnTs, stopChild } from './stack.js';
import type { BenchRow } from './table.js';
import { CARD_BODIES, CARD_QUERY, OVERHEAD_CODES, loadRun, type LoadResult } from './card.js';

const HELLO_QUERY = '{ hello }';
const CONNECTIONS = [1, 50];

/** The average of two runs of the same load (requests and errors added up). */
function mean(a: LoadResult, b: LoadResult): LoadResult {
  return {
    requests: a.requests + b.requests,
    rps: (a.rps + b.rps) / 2,
    p50: (a.p50 + b.p50) / 2,
    p99: (a.p99 + b.p99) / 2,
    errors: a.errors + b.errors,
  };
}

const child = (name: string) => fileURLToPath(new URL(`./children/${name}`, import.meta.url));

export async function benchOverhead(durationMs: number): Promise<BenchRow[]> {
  const suite = 'overhead';
  const rows: BenchRow[] = [];
  const sim = await startOrdSimulator({ tier: 'full', port: 0 });
  const server = spawnTs(child('overheadServer.ts'), {
    ordBaseUrl: sim.baseUrl,
    query: CARD_QUERY,
    codes: OVERHEAD_CODES,
  });
  try {
    const urls = await firstJsonLine<{ ods: string; odsNoBudget: string; hello: string; cache: { entries: number } }>(
      server,
      120_000,
    );
    sim.clearLog();
    const odsBodies = CARD_BODIES;
    const helloBodies = [JSON.stringify({ query: HELLO_QUERY })];
    for (const connections of CONNECTIONS) {
      // Two rounds in opposite orders, averaged: whichever server runs first after a switch pays for the other's garbage
      // and the JIT's change of diet, which alone moved single-round ratios by a third.
      const first = [
        await loadRun(urls.hello, connections, durationMs, helloBodies),
        await loadRun(urls.ods, connections, durationMs, odsBodies),
        await loadRun(urls.odsNoBudget, connections, durationMs, odsBodies),
      ];
      const noBudget = mean(first[2]!, await loadRun(urls.odsNoBudget, connections, durationMs, odsBodies));
      const ods = mean(first[1]!, await loadRun(urls.ods, connections, durationMs, odsBodies));
      const hello = mean(first[0]!, await loadRun(urls.hello, connections, durationMs, helloBodies));
      const h = `hello world { hello }, ${connections} conn`;
      const o = `organisation(odsCode) card, warm, ${connections} conn`;
      rows.push(
        { suite, case: h, metric: 'req/s', value: Math.round(hello.rps) },
        { suite, case: h, metric: 'p50 ms', value: round(hello.p50) },
        { suite, case: h, metric: 'p99 ms', value: round(hello.p99) },
        { suite, case: o, metric: 'req/s', value: Math.round(ods.rps) },
        { suite, case: o, metric: 'p50 ms', value: round(ods.p50) },
        {
          suite,
          case: o,
          metric: 'p99 ms',
          value: round(ods.p99),
          ...(connections === 50 ? { goal: '< 10', met: ods.p99 < 10 } : {}),
        },
        {
          suite,
          case: o,
          metric: 'throughput ÷ hello world',
          value: round(ods.rps / hello.rps),
          goal: '≥ 0.5',
          met: ods.rps / hello.rps >= 0.5,
        },
        {
          suite,
          case: o,
          metric: 'failed requests',
          value: ods.errors + hello.errors,
          goal: '= 0',
          met: ods.errors + hello.errors === 0,
        },
        // Diagnosis, no goal: the same server and cache without the upstream-budget plugin that createApp adds.
        { suite, case: `${o}, no budget plugin`, metric: 'req/s', value: Math.round(noBudget.rps) },
        { suite, case: `${o}, no budget plugin`, metric: 'p99 ms', value: round(noBudget.p99) },
      );
    }
    const calls = sim.requests().length;
    rows.push({
      suite,
      case: `warm load, ${urls.cache.entries} cache entries`,
      metric: 'ORD calls',
      value: calls,
      goal: '= 0',
      met: calls === 0,
    });
  } finally {
    await stopChild(server);
    await sim.close();
  }
  return rows;
}
