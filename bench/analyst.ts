// Analyst-task bench: ORD calls and wall time for four everyday questions, asked by a naive script, by ods-graphql cold and warm.
// Runs on the full-tier simulator with 150 ms per call and ORD's hard limit of 5 requests/s; "needed" is counted from the dataset.

import { loadDataset } from '../src/dataset/build.js';
import type { OrdDataset } from '../src/dataset/types.js';
import type { RequestLogEntry } from '../src/simulators/ord/types.js';
import {
  NaiveOrdClient,
  naiveChangedSince,
  naiveIcbToPractices,
  naiveMergerHistory,
  naiveTrustWithSites,
} from './naiveClient.js';
import { recordPacedRun } from './pacing.js';
import { predecessorTree } from './predecessors.js';
import {
  ORD_LATENCY_MS,
  ORD_RATE_LIMIT,
  exampleOperation,
  freePort,
  pause,
  round,
  startRemoteSimulator,
  startStack,
  type GraphqlAnswer,
} from './stack.js';
import type { BenchRow } from './table.js';

/** The chosen subjects (see docs/benchmarks.md for how they were picked from the full tier). */
export const TRUST = 'RA9'; // Torbay and South Devon NHS FT: 200 active RE6 sites
export const ICB = 'QVV'; // NHS Dorset ICB: the smallest walk, 1 sub-ICB location, 83 practices, 18 PCNs
export const MERGER = 'R1L'; // Essex Partnership University NHS FT: R1L ← RWN ← RV7 ← RDB/RFT
export const CHANGED_SINCE = '2026-01-01';
/**
 * MAX_UPSTREAM_CALLS_PER_OPERATION for this suite: raised from the default 1500 because the budget plugin's cold
 * estimate for IcbDownToPractices(practices: 100) is ~2000 (it assumes 100 sub-ICB locations × 100 practices), and the
 * smallest ICB has 83 practices, so no whole ICB walk fits the default. The real walk makes 104 calls.
 */
export const ANALYST_BUDGET = 2500;

interface Task {
  name: string;
  operation: string;
  variables: Record<string, unknown>;
  /** ORD resources the answer needs at the least, counted from the dataset, with how they add up. */
  needed: { count: number; how: string };
  naive: (c: NaiveOrdClient) => Promise<string[]>;
  /** Extra goal text for the cold-calls row. */
  coldNote?: (naiveCalls: number) => string;
}

// ------------------------------------------------------------------------------------------ counting from the dataset

function inboundIndex(d: OrdDataset): Map<string, Map<string, string[]>> {
  const inbound = new Map<string, Map<string, string[]>>();
  for (const [code, org] of d.organisations) {
    for (const rel of org.Rels?.Rel ?? []) {
      if (rel.Status !== 'Active') continue;
      const target = rel.Target.OrgId.extension;
      let byType = inbound.get(target);
      if (!byType) inbound.set(target, (byType = new Map()));
      let list = byType.get(rel.id);
      if (!list) byType.set(rel.id, (list = []));
      list.push(code);
    }
  }
  return inbound;
}

function tasks(d: OrdDataset): Task[] {
  const inbound = inboundIndex(d);
  const members = (target: string, type: string, primaryRole?: string) =>
    (inbound.get(target)?.get(type) ?? []).filter(
      (code) =>
        primaryRole === undefined ||
        d.organisations.get(code)?.Roles.Role.find((r) => r.primaryRole)?.id === primaryRole,
    );
  const pages = (n: number) => Math.max(1, Math.ceil(n / 1000));

  const sites = members(TRUST, 'RE6');
  const subs = members(ICB, 'RE5', 'RO98');
  const practices = subs.flatMap((s) => members(s, 'RE4', 'RO177'));
  const pcns = new Set(
    practices.flatMap((p) =>
      (d.organisations.get(p)?.Rels?.Rel ?? [])
        .filter((r) => r.id === 'RE8' && r.Status === 'Active')
        .map((r) => r.Target.OrgId.extension),
    ),
  );
  const tree = predecessorTree(d, MERGER, 3);
  const changed = [...d.organisations.values()].filter((o) => o.LastChangeDate >= CHANGED_SINCE).length;

  return [
    {
      name: `trust + all site names (${TRUST}: ${sites.length} sites)`,
      operation: 'TrustWithSites',
      variables: { odsCode: TRUST, first: 1000 },
      needed: { count: 1 + pages(sites.length), how: `trust + ${pages(sites.length)} page` },
      naive: (c) => naiveTrustWithSites(c, TRUST),
      coldNote: (naive) => `= 2 (naive: ${naive})`,
    },
    {
      name: `ICB → every practice + PCN (${ICB}: ${practices.length} practices, ${pcns.size} PCNs)`,
      operation: 'IcbDownToPractices',
      variables: { icb: ICB, practices: 100 },
      needed: {
        count: 1 + 1 + subs.length + practices.length + pcns.size,
        how: `ICB + sub-ICB list + ${subs.length} practice list + ${practices.length} practices + ${pcns.size} PCNs`,
      },
      naive: (c) => naiveIcbToPractices(c, ICB),
    },
    {
      name: `merger history, 3 generations (${MERGER}: ${tree.size} orgs)`,
      operation: 'MergerHistory',
      variables: { odsCode: MERGER },
      needed: { count: tree.size, how: `${tree.size} records` },
      naive: (c) => naiveMergerHistory(c, MERGER),
    },
    {
      name: `changed since ${CHANGED_SINCE} + names (${changed} orgs)`,
      operation: 'ChangedSince',
      variables: { date: CHANGED_SINCE, first: 1000 },
      needed: { count: pages(changed) + 1, how: `${pages(changed)} page + role types` },
      naive: (c) => naiveChangedSince(c, CHANGED_SINCE),
    },
  ];
}

// ------------------------------------------------------------------------------------------ measuring

/** Every odsCode anywhere in a GraphQL answer. */
function codesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) codesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'odsCode' && typeof v === 'string') out.add(v.toUpperCase());
      else codesIn(v, out);
    }
  }
  return out;
}

function duplicatePaths(log: readonly RequestLogEntry[]): number {
  return log.length - new Set(log.map((e) => e.path)).size;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export async function benchAnalyst(): Promise<BenchRow[]> {
  const suite = 'analyst';
  const rows: BenchRow[] = [];
  const dataset = loadDataset('full');
  // The simulator must emit links to itself (OrgLink, Next-Page) for the naive client to follow them verbatim.
  const port = await freePort();
  // In its own process, so arrival times (what the hard limit and the pacing suite judge) are not skewed by GraphQL work here.
  const sim = await startRemoteSimulator({
    tier: 'full',
    port,
    linkBaseUrl: `http://127.0.0.1:${port}/ORD/2-0-0/`,
    faults: { latencyMs: ORD_LATENCY_MS, hardRateLimit: ORD_RATE_LIMIT },
  });
  try {
    for (const task of tasks(dataset)) {
      console.error(`  analyst: ${task.name}`);
      const query = exampleOperation(task.operation);

      // (a) the naive script
      await pause(1100); // an empty one-second window before each run: the hard limit must not see the previous run
      await sim.clearLog();
      const naiveClient = new NaiveOrdClient(sim.baseUrl);
      const naive = await timed(() => task.naive(naiveClient));
      const naiveLog = await sim.requests();
      recordPacedRun(`naive ${task.operation}`, false, naiveLog);

      // (b) ods-graphql, fresh cache; (c) the same query again
      const stack = await startStack({ ordBaseUrl: sim.baseUrl, maxUpstreamCallsPerOperation: ANALYST_BUDGET });
      let coldLog: RequestLogEntry[];
      let warmLog: RequestLogEntry[];
      let cold: { value: GraphqlAnswer<unknown>; ms: number };
      let warm: { value: GraphqlAnswer<unknown>; ms: number };
      try {
        await pause(1100);
        await sim.clearLog();
        cold = await timed(() => stack.graphqlWithExtensions(query, task.variables));
        coldLog = await sim.requests();
        recordPacedRun(`cold ${task.operation}`, true, coldLog);
        await sim.clearLog();
        warm = await timed(() => stack.graphqlWithExtensions(query, task.variables));
        warmLog = await sim.requests();
      } finally {
        await stack.close();
      }

      const naiveCodes = new Set(naive.value.map((line) => line.split(' ')[0]!.toUpperCase()));
      const coldCodes = codesIn(cold.value.data);
      const estimate = (cold.value.extensions?.upstream as { estimate?: number } | undefined)?.estimate ?? -1;
      const same =
        naiveCodes.size === coldCodes.size &&
        [...naiveCodes].every((c) => coldCodes.has(c)) &&
        JSON.stringify(cold.value.data) === JSON.stringify(warm.value.data);
      const needed = task.needed.count;
      const c = task.name;
      rows.push(
        { suite, case: c, metric: `needed: ${task.needed.how}`, value: needed },
        { suite, case: c, metric: 'naive: ORD calls', value: naiveLog.length },
        { suite, case: c, metric: 'naive: distinct ORD paths', value: new Set(naiveLog.map((e) => e.path)).size },
        { suite, case: c, metric: 'naive: wall s', value: round(naive.ms / 1000) },
        {
          suite,
          case: c,
          metric: 'cold: ORD calls',
          value: coldLog.length,
          goal: task.coldNote?.(naiveLog.length) ?? `= needed (${needed})`,
          met: coldLog.length === needed,
        },
        { suite, case: c, metric: `cold: budget plugin's estimate (limit ${ANALYST_BUDGET})`, value: estimate },
        {
          suite,
          case: c,
          metric: 'cold: duplicate ORD paths',
          value: duplicatePaths(coldLog),
          goal: '= 0',
          met: duplicatePaths(coldLog) === 0,
        },
        { suite, case: c, metric: 'cold: wall s', value: round(cold.ms / 1000) },
        { suite, case: c, metric: 'warm: ORD calls', value: warmLog.length, goal: '= 0', met: warmLog.length === 0 },
        { suite, case: c, metric: 'warm: wall ms', value: round(warm.ms, 1) },
        {
          suite,
          case: c,
          metric: `same ${coldCodes.size} orgs in naive + GraphQL answers`,
          value: same ? 1 : 0,
          goal: '= 1',
          met: same,
        },
      );
    }
  } finally {
    await sim.close();
  }
  return rows;
}
