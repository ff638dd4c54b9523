// Pacing bench: does ods-graphql keep ORD to ORD_RATE_LIMIT requests in every one-second window, across the whole run?
// Collects the simulator logs of every paced ods-graphql run (analyst cold runs and this suite's own), and runs 100 identical cold queries at once.

import { loadDataset } from '../src/dataset/build.js';
import type { RequestLogEntry } from '../src/simulators/ord/types.js';
import { predecessorTree } from './predecessors.js';
import { ORD_LATENCY_MS, ORD_RATE_LIMIT, exampleOperation, pause, startRemoteSimulator, startStack } from './stack.js';
import type { BenchRow } from './table.js';

interface PacedRun {
  label: string;
  /** true for ods-graphql runs (held to the goal); false for the naive baseline (shown for reference). */
  odsGraphql: boolean;
  entries: RequestLogEntry[];
}

const runs: PacedRun[] = [];

/** Paced suites hand over the simulator log of each run here; the pacing suite judges them all at the end. */
export function recordPacedRun(label: string, odsGraphql: boolean, entries: RequestLogEntry[]): void {
  runs.push({ label, odsGraphql, entries });
}

/** Most requests arriving within any window shorter than one second (the simulator's hard limit counts the same way). */
export function maxInOneSecond(entries: readonly RequestLogEntry[]): number {
  const at = entries.map((e) => e.at).sort((a, b) => a - b);
  let best = 0;
  let i = 0;
  for (let j = 0; j < at.length; j++) {
    while ((at[j] ?? 0) - (at[i] ?? 0) >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** The shortest time in which `n` consecutive requests arrived (Infinity if fewer): the margin the pacer kept. */
export function tightestSpan(entries: readonly RequestLogEntry[], n: number): number {
  const at = entries.map((e) => e.at).sort((a, b) => a - b);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i + n - 1 < at.length; i++) best = Math.min(best, (at[i + n - 1] ?? 0) - (at[i] ?? 0));
  return best;
}

const MERGER_CODE = 'R0A'; // three generations of predecessors: 14 organisations

export async function benchPacing(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const suite = 'pacing';
  // 100 identical cold queries at once: single flight in the cache must turn them into one call per resource.
  const sim = await startRemoteSimulator({
    tier: 'full',
    port: 0,
    faults: { latencyMs: ORD_LATENCY_MS, hardRateLimit: ORD_RATE_LIMIT },
  });
  const stack = await startStack({ ordBaseUrl: sim.baseUrl });
  try {
    const query = exampleOperation('MergerHistory');
    await pause(1100);
    await sim.clearLog();
    const t0 = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => stack.graphql<{ organisation: unknown }>(query, { odsCode: MERGER_CODE })),
    );
    const wallMs = performance.now() - t0;
    const log = await sim.requests();
    recordPacedRun(`100 concurrent MergerHistory ${MERGER_CODE}`, true, log);
    const distinct = new Set(log.map((e) => e.path)).size;
    const needed = predecessorTree(loadDataset('full'), MERGER_CODE, 3).size;
    const sameAnswer = answers.every((a) => JSON.stringify(a) === JSON.stringify(answers[0]));
    const c = `100 identical cold MergerHistory(${MERGER_CODE}) at once`;
    rows.push(
      {
        suite,
        case: c,
        metric: 'ORD calls',
        value: log.length,
        goal: `= records needed (${needed})`,
        met: log.length === needed,
      },
      {
        suite,
        case: c,
        metric: 'duplicate ORD paths',
        value: log.length - distinct,
        goal: '= 0',
        met: log.length === distinct,
      },
      { suite, case: c, metric: 'wall s', value: Math.round(wallMs / 10) / 100 },
      {
        suite,
        case: c,
        metric: 'identical answers (1 = yes)',
        value: sameAnswer ? 1 : 0,
        goal: '= 1',
        met: sameAnswer,
      },
    );
  } finally {
    await stack.close();
    await sim.close();
  }

  const paced = runs.filter((r) => r.odsGraphql);
  const all = paced.flatMap((r) => r.entries);
  // Runs are sequential and a second apart, so one sliding window over all of them is the whole run's figure.
  const worst = maxInOneSecond(all);
  const rejected = all.filter((e) => e.status === 429).length;
  rows.push(
    {
      suite,
      case: `ods-graphql, ${paced.length} paced runs, ${all.length} ORD calls`,
      metric: 'most ORD requests in any 1 s window',
      value: worst,
      goal: `≤ ${ORD_RATE_LIMIT}`,
      met: worst <= ORD_RATE_LIMIT,
    },
    {
      suite,
      case: `ods-graphql, ${paced.length} paced runs, ${all.length} ORD calls`,
      metric: `tightest span of ${ORD_RATE_LIMIT + 1} consecutive requests, ms`,
      value: all.length > ORD_RATE_LIMIT ? tightestSpan(all, ORD_RATE_LIMIT + 1) : -1,
      goal: '≥ 1000',
      met: all.length <= ORD_RATE_LIMIT || tightestSpan(all, ORD_RATE_LIMIT + 1) >= 1000,
    },
    {
      suite,
      case: `ods-graphql, ${paced.length} paced runs, ${all.length} ORD calls`,
      metric: '429s from the simulator hard limit',
      value: rejected,
      goal: '= 0',
      met: rejected === 0,
    },
  );
  const naive = runs.filter((r) => !r.odsGraphql);
  if (naive.length > 0) {
    rows.push({
      suite,
      case: `naive client (0.21 s sleep), ${naive.length} runs`,
      metric: 'most ORD requests in any 1 s window',
      value: naive.reduce((m, r) => Math.max(m, maxInOneSecond(r.entries)), 0),
    });
  }
  return rows;
}
