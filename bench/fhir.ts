// The ODT (FHIR) source beside ORD: upstream calls per analyst task on the two simulators, cold and warm; a full
// mirror baseline from ODT's search pages against ORD's record-by-record crawl; warm card throughput, fhir ÷ ord.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOdtSimulator } from '../src/simulators/odt/server.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdSimulator, RequestLogEntry } from '../src/simulators/ord/types.js';
import { ANALYST_BUDGET, CHANGED_SINCE, ICB, MERGER, TRUST } from './analyst.js';
import { CARD_QUERY, OVERHEAD_CODES, loadRun, type LoadResult } from './card.js';
import {
  ORD_LATENCY_MS,
  ORD_RATE_LIMIT,
  exampleOperation,
  firstJsonLine,
  round,
  spawnTs,
  startStack,
  stopChild,
  type GraphqlAnswer,
} from './stack.js';
import type { BenchRow } from './table.js';

const suite = 'fhir';
const child = (name: string) => fileURLToPath(new URL(`./children/${name}`, import.meta.url));

/** The analyst suite's four questions (bench/analyst.ts), asked of each source. */
const TASKS: { name: string; operation: string; variables: Record<string, unknown> }[] = [
  { name: `trust ${TRUST} + its 200 sites`, operation: 'TrustWithSites', variables: { odsCode: TRUST, first: 1000 } },
  {
    name: `ICB ${ICB} → every practice + PCN`,
    operation: 'IcbDownToPractices',
    variables: { icb: ICB, practices: 100 },
  },
  { name: `merger history ${MERGER}, 3 generations`, operation: 'MergerHistory', variables: { odsCode: MERGER } },
  {
    name: `changed since ${CHANGED_SINCE}`,
    operation: 'ChangedSince',
    variables: { date: CHANGED_SINCE, first: 1000 },
  },
];

interface Run {
  cold: RequestLogEntry[];
  warm: RequestLogEntry[];
  coldMs: number;
  estimate: number;
  data: string;
}

/** One task on a fresh stack over `sim` (SOURCE=fhir when `fhir`): the calls of a cold run and of the same run again. */
async function runTask(
  sim: OrdSimulator,
  ordBaseUrl: string,
  fhir: boolean,
  task: (typeof TASKS)[number],
): Promise<Run> {
  const stack = await startStack({
    ordBaseUrl,
    ...(fhir ? { fhirBaseUrl: sim.baseUrl } : {}),
    maxUpstreamCallsPerOperation: ANALYST_BUDGET,
  });
  try {
    const query = exampleOperation(task.operation);
    sim.clearLog();
    const t0 = performance.now();
    const cold: GraphqlAnswer<unknown> = await stack.graphqlWithExtensions(query, task.variables);
    const coldMs = performance.now() - t0;
    const coldLog = sim.requests();
    sim.clearLog();
    const warm = await stack.graphqlWithExtensions(query, task.variables);
    const warmLog = sim.requests();
    const estimate = (cold.extensions?.upstream as { estimate?: number } | undefined)?.estimate ?? -1;
    if (JSON.stringify(warm.data) !== JSON.stringify(cold.data)) throw new Error(`${task.operation}: warm ≠ cold`);
    return { cold: coldLog, warm: warmLog, coldMs, estimate, data: JSON.stringify(cold.data) };
  } finally {
    await stack.close();
  }
}

/** A warmed server child (bench/children/overheadServer.ts) over ORD or, with `fhirBaseUrl`, ODT. */
async function warmServer(ordBaseUrl: string, fhirBaseUrl?: string) {
  const proc = spawnTs(child('overheadServer.ts'), {
    ordBaseUrl,
    ...(fhirBaseUrl !== undefined ? { fhirBaseUrl } : {}),
    query: CARD_QUERY,
    codes: OVERHEAD_CODES,
  });
  const urls = await firstJsonLine<{ ods: string }>(proc, 120_000);
  return { url: urls.ods, stop: () => stopChild(proc) };
}

export async function benchFhir(durationMs: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Both simulators with ORD's latency; ODT's is not known, so they are held to the same, and the stacks to 5 a second.
  const faults = { latencyMs: ORD_LATENCY_MS, hardRateLimit: ORD_RATE_LIMIT };
  const ord = await startOrdSimulator({ tier: 'full', port: 0, faults });
  const odt = await startOdtSimulator({ tier: 'full', port: 0, faults });
  const dir = mkdtempSync(join(tmpdir(), 'ods-bench-fhir-'));
  try {
    // ---- the analyst tasks, the same GraphQL over each source
    for (const task of TASKS) {
      console.error(`  fhir: ${task.name}`);
      const onOrd = await runTask(ord, ord.baseUrl, false, task);
      const onOdt = await runTask(odt, ord.baseUrl, true, task);
      const c = task.name;
      const same = onOrd.data === onOdt.data;
      rows.push(
        { suite, case: c, metric: 'ORD: cold calls', value: onOrd.cold.length },
        { suite, case: c, metric: 'ODT: cold calls', value: onOdt.cold.length },
        { suite, case: c, metric: 'ORD: cold wall s', value: round(onOrd.coldMs / 1000) },
        { suite, case: c, metric: 'ODT: cold wall s', value: round(onOdt.coldMs / 1000) },
        {
          suite,
          case: c,
          metric: "ODT: budget plugin's estimate",
          value: onOdt.estimate,
          goal: `≥ cold calls (${onOdt.cold.length})`,
          met: onOdt.estimate >= onOdt.cold.length,
        },
        {
          suite,
          case: c,
          metric: 'ORD + ODT: warm calls',
          value: onOrd.warm.length + onOdt.warm.length,
          goal: '= 0',
          met: onOrd.warm.length + onOdt.warm.length === 0,
        },
        { suite, case: c, metric: 'same answer from both', value: same ? 1 : 0, goal: '= 1', met: same },
      );
    }

    // ---- a full mirror baseline from ODT, in a child of its own (its peak RSS is its own), at 5 a second
    odt.clearLog();
    const exported = await firstJsonLine<{ records: number; pages: number; seconds: number; peakRssMiB: number }>(
      spawnTs(child('fhirExport.ts'), {
        fhirBaseUrl: odt.baseUrl,
        mirrorUrl: `sqlite:${join(dir, 'odt.sqlite')}`,
        rateLimit: ORD_RATE_LIMIT,
      }),
      30 * 60_000,
    );
    const counts = odt.counters();
    const b = 'mirror build --from fhir, full tier at 5/s';
    rows.push(
      {
        suite,
        case: b,
        metric: 'records',
        value: exported.records,
        goal: `= dataset (${ord.organisationCount})`,
        met: exported.records === ord.organisationCount,
      },
      { suite, case: b, metric: 'Organization pages', value: exported.pages },
      { suite, case: b, metric: 'ODT calls', value: counts.total, goal: '≈ 1000 or fewer', met: counts.total <= 1000 },
      ...Object.entries(counts.byEndpoint).map(([endpoint, n]) => ({
        suite,
        case: b,
        metric: `ODT calls: ${endpoint}`,
        value: n,
      })),
      { suite, case: b, metric: 'wall s', value: round(exported.seconds, 1) },
      {
        suite,
        case: b,
        metric: 'peak RSS MiB',
        value: exported.peakRssMiB,
        goal: '< 500',
        met: exported.peakRssMiB < 500,
      },
      // The ORD crawl asks for every record once (bench/mirror.ts measures it on the small tier): projected, not run.
      {
        suite,
        case: 'mirror build from ORD, full tier at 5/s (projected)',
        metric: 'ORD calls',
        value: ord.organisationCount,
      },
      {
        suite,
        case: 'mirror build from ORD, full tier at 5/s (projected)',
        metric: 'wall s',
        value: Math.round(ord.organisationCount / ORD_RATE_LIMIT),
      },
    );

    // ---- warm card throughput, SOURCE=fhir ÷ SOURCE=ord (the cache sits above both)
    ord.clearFaults();
    odt.clearFaults();
    for (const connections of [1, 50]) {
      const result: Record<'ord' | 'fhir', LoadResult> = {} as never;
      for (const kind of ['ord', 'fhir'] as const) {
        const server = await warmServer(ord.baseUrl, kind === 'fhir' ? odt.baseUrl : undefined);
        ord.clearLog();
        odt.clearLog();
        try {
          result[kind] = await loadRun(server.url, connections, durationMs);
        } finally {
          await server.stop();
        }
        const calls = ord.requests().length + odt.requests().length;
        rows.push(
          {
            suite,
            case: `card, warm, ${connections} conn, SOURCE=${kind}`,
            metric: 'req/s',
            value: Math.round(result[kind].rps),
          },
          {
            suite,
            case: `card, warm, ${connections} conn, SOURCE=${kind}`,
            metric: 'p99 ms',
            value: round(result[kind].p99),
          },
          {
            suite,
            case: `card, warm, ${connections} conn, SOURCE=${kind}`,
            metric: 'upstream calls + failed requests',
            value: calls + result[kind].errors,
            goal: '= 0',
            met: calls + result[kind].errors === 0,
          },
        );
      }
      const ratio = result.fhir.rps / result.ord.rps;
      rows.push({
        suite,
        case: `card throughput, SOURCE=fhir ÷ SOURCE=ord, ${connections} conn`,
        metric: 'ratio',
        value: round(ratio),
        goal: '≥ 0.9',
        met: ratio >= 0.9,
      });
    }
  } finally {
    await odt.close();
    await ord.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
