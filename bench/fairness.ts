// Fairness bench: a greedy client keeping eight cold 45-code `organisations` lookups in flight against a cheap client
// making one cold one-call lookup a second, at ORD's 5/s; the cheap client's p50/p99 and its DEADLINE_EXCEEDED share.
// Self-contained (settings through the environment), so the same file also measures a checkout from before issue 9.

import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { appSettingsFromEnv, createApp } from '../src/app.js';
import { loadDataset } from '../src/dataset/build.js';
import { serve } from '../src/server/serve.js';
import { recordPacedRun } from './pacing.js';
import { ORD_LATENCY_MS, ORD_RATE_LIMIT, pause, percentile, round, startRemoteSimulator } from './stack.js';
import { printTable, type BenchRow } from './table.js';

const GREEDY_IN_FLIGHT = 8;
/** 45 codes: estimated at 45 ORD calls, under UPSTREAM_BULK_THRESHOLD (50), so it runs in the interactive lane. */
const GREEDY_CODES = 45;
/** The greedy client's head start, so its backlog is there when the cheap client starts. */
const WARM_UP_MS = 5_000;
/** How long the cheap client keeps asking (one lookup a second). */
const CHEAP_WINDOW_MS = 60_000;

const GREEDY_QUERY = 'query Greedy($codes: [String!]!) { organisations(odsCodes: $codes) { odsCode name status } }';
const CHEAP_QUERY = 'query Cheap($code: String!) { organisation(odsCode: $code) { name } }';
const KEYS = { greedy: `greedy-${'g'.repeat(32)}`, cheap: `cheap-${'c'.repeat(32)}` };

interface Answer {
  status: number;
  codes: string[];
  retryAfterSeconds: number;
}

async function post(pool: Pool, key: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const res = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.body.text();
  let codes: string[] = [];
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
  } catch {
    codes = ['UNREADABLE'];
  }
  const retryAfter = Number(res.headers['retry-after'] ?? 0);
  return { status: res.statusCode, codes, retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : 0 };
}

interface Variant {
  label: string;
  env: Record<string, string>;
}

/**
 * The variants measured. Before issue 9 the API_KEYS and RATE_LIMIT_* variables mean nothing: both clients share one
 * first-come queue, which is the point. After: the clients are told apart by their keys.
 */
const VARIANTS: Variant[] = [
  {
    label: 'fair queues, no inbound limits',
    env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '0', RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '0' },
  },
  { label: 'default settings (fair queues + per-client limits)', env: {} },
];

async function measure(baseUrl: string, codes: Iterator<string>, variant: Variant, suite: string): Promise<BenchRow[]> {
  const env = {
    ORD_BASE_URL: baseUrl,
    ORD_RATE_LIMIT: String(ORD_RATE_LIMIT),
    ORD_STARTUP_PROBE: 'false',
    API_KEYS: `greedy:${KEYS.greedy},cheap:${KEYS.cheap}`,
    ...variant.env,
  };
  const app = createApp(appSettingsFromEnv(env), { exampleTabs: false });
  const served = await serve(app.yoga, { host: '127.0.0.1', port: 0 });
  served.server.keepAliveTimeout = 120_000;
  const greedyPool = new Pool(served.origin, { connections: GREEDY_IN_FLIGHT, headersTimeout: 0, bodyTimeout: 0 });
  const cheapPool = new Pool(served.origin, { connections: 128, headersTimeout: 0, bodyTimeout: 0 });
  const next = () => codes.next().value as string;
  const greedy = { answered: 0, refused429: 0, queueFull: 0, deadline: 0 };
  let stopping = false;
  const greedyLoop = async () => {
    while (!stopping) {
      const batch = Array.from({ length: GREEDY_CODES }, next);
      const answer = await post(greedyPool, KEYS.greedy, GREEDY_QUERY, { codes: batch }).catch(() => null);
      if (!answer || stopping) continue;
      if (answer.status === 429) {
        greedy.refused429++;
        // A greedy client that at least honours Retry-After (as a retrying HTTP library does).
        await pause(Math.max(1, answer.retryAfterSeconds) * 1000);
        continue;
      }
      greedy.answered++;
      if (answer.codes.includes('UPSTREAM_QUEUE_FULL')) greedy.queueFull++;
      if (answer.codes.includes('DEADLINE_EXCEEDED')) greedy.deadline++;
    }
  };
  try {
    await pause(1100);
    const loops = Array.from({ length: GREEDY_IN_FLIGHT }, greedyLoop);
    await pause(WARM_UP_MS);
    const cheap: Promise<{ ms: number; answer: Answer | null }>[] = [];
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < CHEAP_WINDOW_MS; i++) {
      const sent = performance.now();
      cheap.push(
        post(cheapPool, KEYS.cheap, CHEAP_QUERY, { code: next() }).then(
          (answer) => ({ ms: performance.now() - sent, answer }),
          () => ({ ms: performance.now() - sent, answer: null }),
        ),
      );
      await pause(Math.max(0, t0 + (i + 1) * 1000 - performance.now()));
    }
    const results = await Promise.all(cheap);
    stopping = true;
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const deadline = results.filter((r) => r.answer?.codes.includes('DEADLINE_EXCEEDED')).length;
    const otherFailures = results.filter(
      (r) => !r.answer || r.answer.status !== 200 || r.answer.codes.some((c) => c !== 'DEADLINE_EXCEEDED'),
    ).length;
    const c = `${variant.label}: cheap 1-call lookup 1/s for ${CHEAP_WINDOW_MS / 1000} s vs ${GREEDY_IN_FLIGHT} × ${GREEDY_CODES}-code lookups in flight`;
    const share = (n: number) => round((100 * n) / Math.max(1, results.length), 1);
    const rows: BenchRow[] = [
      { suite, case: c, metric: 'cheap p50 ms', value: Math.round(percentile(latencies, 50)) },
      { suite, case: c, metric: 'cheap p99 ms', value: Math.round(percentile(latencies, 99)) },
      { suite, case: c, metric: 'cheap DEADLINE_EXCEEDED %', value: share(deadline) },
      { suite, case: c, metric: 'cheap other failures %', value: share(otherFailures) },
      { suite, case: c, metric: 'greedy operations answered', value: greedy.answered },
      { suite, case: c, metric: 'greedy 429 RATE_LIMITED', value: greedy.refused429 },
      { suite, case: c, metric: 'greedy answers with UPSTREAM_QUEUE_FULL', value: greedy.queueFull },
      { suite, case: c, metric: 'greedy answers with DEADLINE_EXCEEDED', value: greedy.deadline },
    ];
    await Promise.race([Promise.all(loops), pause(1000)]);
    return rows;
  } finally {
    stopping = true;
    await served.close();
    await greedyPool.destroy();
    await cheapPool.destroy();
    await app.close();
  }
}

/** `before`: label the one run as a checkout from before issue 9 (`npx tsx bench/fairness.ts --before` there). */
export async function benchFairness(before = false): Promise<BenchRow[]> {
  const suite = 'fairness';
  const dataset = loadDataset('full');
  const codes = [...dataset.organisations.keys()][Symbol.iterator]();
  const sim = await startRemoteSimulator({
    tier: 'full',
    port: 0,
    faults: { latencyMs: ORD_LATENCY_MS, hardRateLimit: ORD_RATE_LIMIT },
  });
  const rows: BenchRow[] = [];
  try {
    const variants = before ? [{ label: 'before issue 9 (one first-come queue)', env: {} }] : VARIANTS;
    for (const variant of variants) {
      await sim.clearLog();
      rows.push(...(await measure(sim.baseUrl, codes, variant, suite)));
      const log = await sim.requests();
      recordPacedRun(`fairness: ${variant.label}`, true, log);
      const rejected = log.filter((e) => e.status === 429).length;
      rows.push({
        suite,
        case: `${variant.label}: ORD`,
        metric: '429s from the simulator hard limit',
        value: rejected,
        goal: '= 0',
        met: rejected === 0,
      });
    }
  } finally {
    await sim.close();
  }
  return rows;
}

// `npx tsx bench/fairness.ts` runs this suite alone (how it is run on a checkout whose bench/run.ts does not list it).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(printTable(await benchFairness(process.argv.includes('--before'))));
}
