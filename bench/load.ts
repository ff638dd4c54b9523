// Load bench: does the pacer keep its promise (≤ ORD_RATE_LIMIT arrivals at ORD in any one second) while one replica's
// event loop is swamped by 1000 concurrent inbound requests, each for a different cold code? The simulator runs in its own process.

import { Pool } from 'undici';
import { loadDataset } from '../src/dataset/build.js';
import { GRAPHQL_PATH } from '../src/server/yoga.js';
import { maxInOneSecond, tightestSpan } from './pacing.js';
import { ORD_LATENCY_MS, ORD_RATE_LIMIT, pause, startRemoteSimulator, startStack } from './stack.js';
import type { BenchRow } from './table.js';

const INBOUND = 1000;
const QUERY = 'query Load($odsCode: String!) { organisation(odsCode: $odsCode) { odsCode name status } }';

/** `count` distinct codes spread evenly over the full dataset (deterministic), none of them cached yet. */
function distinctCodes(count: number): string[] {
  const codes = [...loadDataset('full').organisations.keys()].sort();
  const step = Math.floor(codes.length / count);
  return Array.from({ length: count }, (_, i) => codes[i * step] as string);
}

export async function benchLoad(): Promise<BenchRow[]> {
  const suite = 'load';
  const codes = distinctCodes(INBOUND);
  const sim = await startRemoteSimulator({
    tier: 'full',
    port: 0,
    faults: { latencyMs: ORD_LATENCY_MS, hardRateLimit: ORD_RATE_LIMIT },
  });
  const stack = await startStack({ ordBaseUrl: sim.baseUrl });
  // One connection per inbound request, so all 1000 are at the server at once (the stack's own pool has 128).
  const inbound = new Pool(new URL(stack.url).origin, { connections: INBOUND, pipelining: 1 });
  try {
    await pause(1100);
    await sim.clearLog();
    const t0 = performance.now();
    const statuses = await Promise.all(
      codes.map(async (odsCode) => {
        const res = await inbound.request({
          method: 'POST',
          path: GRAPHQL_PATH,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: QUERY, variables: { odsCode } }),
        });
        const body = (await res.body.json()) as { data?: { organisation: unknown }; errors?: unknown[] };
        return res.statusCode === 200 && !body.errors?.length && body.data?.organisation ? 'answered' : 'failed';
      }),
    );
    const wallMs = performance.now() - t0;
    const log = await sim.requests();
    const answered = statuses.filter((s) => s === 'answered').length;
    const rejected = log.filter((e) => e.status === 429).length;
    const span = log.length > ORD_RATE_LIMIT ? tightestSpan(log, ORD_RATE_LIMIT + 1) : -1;
    const worst = maxInOneSecond(log);
    const c = `${INBOUND} concurrent cold organisation(odsCode) requests, distinct codes, 1 replica`;
    return [
      { suite, case: c, metric: 'ORD arrivals', value: log.length },
      {
        suite,
        case: c,
        metric: 'most ORD arrivals in any 1 s window',
        value: worst,
        goal: `≤ ${ORD_RATE_LIMIT}`,
        met: worst <= ORD_RATE_LIMIT,
      },
      {
        suite,
        case: c,
        metric: `tightest span of ${ORD_RATE_LIMIT + 1} consecutive arrivals, ms`,
        value: span,
        goal: '≥ 1000',
        met: span === -1 || span >= 1000,
      },
      {
        suite,
        case: c,
        metric: '429s from the simulator hard limit',
        value: rejected,
        goal: '= 0',
        met: rejected === 0,
      },
      // The rest run into REQUEST_DEADLINE_MS: 1000 calls at 5/s take over 3 minutes.
      { suite, case: c, metric: 'answered within the request deadline', value: answered },
      { suite, case: c, metric: 'wall s', value: Math.round(wallMs / 10) / 100 },
    ];
  } finally {
    await inbound.close();
    await stack.close();
    await sim.close();
  }
}
