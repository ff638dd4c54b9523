// Soak test (npm run soak [-- --requests 5000 --concurrency 20 --seconds 180]): the full stack on loopback under mixed
// queries while ORD faults switch on and off; prints what was answered, what was lost (must be 0), memory and ORD's rate.

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { serve } from '../src/server/serve.js';
import type { FaultConfig, RequestLogEntry } from '../src/simulators/ord/types.js';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '180' },
    'latency-ms': { type: 'string', default: '20' },
    'phase-ms': { type: 'string', default: '2000' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`npm run soak -- [--requests N=2000] [--concurrency C=20] [--seconds S=180] [--latency-ms L=20] [--phase-ms P=2000]
Starts the ORD simulator (tier full, latency L) and ods-graphql (cache on) on 127.0.0.1, sends N mixed queries with C in
flight, switches ORD faults every P ms, stops after N requests or S seconds, and prints a summary.
ORD_RATE_LIMIT (default 10 here), REQUEST_DEADLINE_MS (default 5000 here) and the other settings are read from the environment.`);
  process.exit(0);
}
const positive = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number ≥ 1; got ${raw}`);
    process.exit(2);
  }
  return n;
};
const TOTAL = positive('requests', flags.requests);
const CONCURRENCY = positive('concurrency', flags.concurrency);
const MAX_SECONDS = positive('seconds', flags.seconds);
const LATENCY_MS = Number(flags['latency-ms']);
const PHASE_MS = positive('phase-ms', flags['phase-ms']);

const rssMb = () => Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;

// The simulator runs in its own process (as ORD would): arrival times in its log are then not skewed by this process's
// event loop, and its JSON work does not slow the server under test. Driven through its /__sim control paths.
console.log('Starting the ORD simulator (tier full) in a child process…');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/simulators/ord/cli.ts',
    '--tier',
    'full',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--latency',
    String(LATENCY_MS),
  ],
  {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const baseUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('the simulator did not start within 120 s')), 120_000);
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    const match = /ORD_BASE_URL=(\S+)/.exec(out);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]!);
    }
  });
  child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before it was ready`)));
});
const control = new URL('/__sim/', baseUrl);
const sim = {
  baseUrl,
  async setFaults(faults: FaultConfig & { seed?: number }): Promise<void> {
    await fetch(new URL('faults', control), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
  },
  async clearLog(): Promise<void> {
    await fetch(new URL('log', control), { method: 'DELETE' });
  },
  async requests(): Promise<RequestLogEntry[]> {
    return ((await (await fetch(new URL('log', control))).json()) as { requests: RequestLogEntry[] }).requests;
  },
  async today(): Promise<string> {
    return ((await (await fetch(new URL('info', control))).json()) as { today: string }).today;
  },
  close(): Promise<void> {
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  },
};
const simToday = await sim.today();
// Short TTLs so stale-if-error really happens during the faults; a short breaker reset so it recovers within a phase.
const env = {
  ORD_RATE_LIMIT: '10',
  REQUEST_DEADLINE_MS: '5000',
  ORD_CIRCUIT_RESET_SECONDS: '3',
  ORD_MAX_RETRIES: '1', // so failures surface (and count towards the breaker) within the deadline
  CACHE_TTL_ORGANISATION_SECONDS: '20',
  CACHE_TTL_SUMMARY_SECONDS: '20',
  CACHE_TTL_SEARCH_SECONDS: '20',
  // One process plays every client, from one address: per-client limits would refuse the soak's own load.
  RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
  RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '0',
  ...process.env,
};
const config = loadConfig(env);
const ord = { ...config.ord, baseUrl: sim.baseUrl };
const app = createApp({ ...config, ord }, { exampleTabs: false });
const served = await serve(app.yoga, { host: '127.0.0.1', port: 0 });
const { url } = served;

// A pool of real codes, asked of the simulator directly (not counted: the log is cleared before the soak starts).
async function codesFor(query: string): Promise<string[]> {
  const response = await fetch(`${sim.baseUrl}organisations?${query}&Limit=1000`);
  const body = (await response.json()) as { Organisations: { OrgId: string }[] };
  return body.Organisations.map((o) => o.OrgId);
}
const practices = (await codesFor('PrimaryRoleId=RO177&Status=Active')).slice(0, 300);
const trusts = (await codesFor('PrimaryRoleId=RO197&Status=Active')).slice(0, 100);
const sites = (await codesFor('PrimaryRoleId=RO198&Status=Active')).slice(0, 300);
const allCodes = [...practices, ...trusts, ...sites];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** The mix: mostly cheap lookups (as clients do), some searches and walks, some bad input and some abuse. */
const MIX: { weight: number; make: () => { query: string; variables?: Record<string, unknown> } }[] = [
  {
    weight: 30,
    make: () => ({
      query: 'query ($c: String!) { organisation(odsCode: $c) { odsCode name status address { town postcode } } }',
      variables: { c: pick(allCodes) },
    }),
  },
  {
    weight: 12,
    make: () => ({
      query:
        'query ($c: String!) { organisation(odsCode: $c) { name relationships(status: ACTIVE) { type { id } target { odsCode name } } } }',
      variables: { c: pick(practices) },
    }),
  },
  {
    weight: 8,
    make: () => ({
      query:
        'query ($c: String!) { organisation(odsCode: $c) { name inboundRelationships(types: ["RE6"], first: 20) { totalCount edges { node { odsCode name } } } } }',
      variables: { c: pick(trusts) },
    }),
  },
  {
    weight: 8,
    make: () => ({
      query: 'query ($cs: [String!]!) { organisations(odsCodes: $cs) { odsCode name } }',
      variables: { cs: Array.from({ length: 5 }, () => pick(allCodes)) },
    }),
  },
  {
    weight: 10,
    make: () => ({
      query:
        'query ($n: String!) { searchOrganisations(filter: { name: $n, status: ACTIVE }, first: 20) { totalCount edges { node { odsCode name } } } }',
      variables: {
        n: pick(['hospital', 'surgery', 'medical', 'health centre', 'pharmacy', 'clinic', 'house', 'road']),
      },
    }),
  },
  { weight: 5, make: () => ({ query: '{ roleTypes { id displayName } recordClasses { id } }' }) },
  {
    weight: 3,
    make: () => ({ query: `{ organisationsChangedSince(date: "${simToday}", first: 20) { totalCount } }` }),
  },
  {
    weight: 4,
    make: () => ({
      query: 'query ($c: String!) { organisation(odsCode: $c) { name } }',
      variables: { c: pick(['../roles', 'R W R', '', 'Ä'.repeat(20)]) },
    }),
  },
  { weight: 3, make: () => ({ query: '{ searchOrganisations(filter: { name: "ab" }) { totalCount } }' }) },
  {
    weight: 2,
    make: () => ({
      query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: organisation(odsCode: "RWR") { name }`).join(' ')} }`,
    }),
  },
  {
    weight: 1,
    make: () => ({
      query:
        '{ searchOrganisations(filter: { primaryRole: "RO177" }, first: 1000) { edges { node { name inboundRelationships(first: 1000) { totalCount } } } } }',
    }),
  },
];
const totalWeight = MIX.reduce((n, m) => n + m.weight, 0);
function nextOperation() {
  let at = Math.random() * totalWeight;
  for (const m of MIX) {
    at -= m.weight;
    if (at < 0) return m.make();
  }
  return MIX[0]!.make();
}

/** Faults cycle: a quiet phase between each bad one, so the cache, breaker and recovery all get exercised. */
const PHASES: { name: string; faults: FaultConfig }[] = [
  { name: 'quiet', faults: {} },
  { name: 'http500 30%', faults: { mode: 'http500', rate: 0.3 } },
  { name: 'quiet', faults: {} },
  { name: 'latency 400 ms', faults: { latencyMs: 400 } },
  { name: 'reset 20%', faults: { mode: 'reset', rate: 0.2 } },
  { name: 'quiet', faults: {} },
  { name: 'hang 10%', faults: { mode: 'hang', rate: 0.1 } },
  { name: 'rate429 30%', faults: { mode: 'rate429', rate: 0.3, retryAfterSeconds: 1 } },
  // Long enough for the circuit breaker to open and probe.
  { name: 'ORD down (http503)', faults: { mode: 'http503' } },
  { name: 'ORD down (http503)', faults: { mode: 'http503' } },
  { name: 'ORD down (http503)', faults: { mode: 'http503' } },
  { name: 'quiet', faults: {} },
  { name: 'malformed/truncate', faults: { mode: 'truncate', rate: 0.2 } },
];

await sim.clearLog();
const stats = {
  sent: 0,
  answered: 0,
  lost: 0,
  byStatus: new Map<string, number>(),
  byCode: new Map<string, number>(),
  withData: 0,
  stale: 0,
  lostExamples: [] as string[],
};
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const rss = { start: rssMb(), middle: 0, end: 0 };
const started = Date.now();
const stopAt = started + MAX_SECONDS * 1000;
const perRequestTimeout = config.budget.deadlineMs + 10_000;

let phase = 0;
const faultTimer = setInterval(() => {
  phase = (phase + 1) % PHASES.length;
  const { faults } = PHASES[phase]!;
  void sim.setFaults({ latencyMs: LATENCY_MS, ...faults, seed: phase + 1 });
}, PHASE_MS);

async function one(): Promise<void> {
  const op = nextOperation();
  stats.sent++;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify(op),
      signal: AbortSignal.timeout(perRequestTimeout),
    });
    const text = await response.text();
    const body = JSON.parse(text) as {
      data?: unknown;
      errors?: { extensions?: { code?: string } }[];
      extensions?: { stale?: unknown[] };
    };
    if (!('data' in body) && !Array.isArray(body.errors)) throw new Error(`no GraphQL body (${response.status})`);
    stats.answered++;
    bump(stats.byStatus, String(response.status));
    if (body.data) stats.withData++;
    if (body.extensions?.stale?.length) stats.stale++;
    const codes = new Set((body.errors ?? []).map((e) => e.extensions?.code ?? 'GRAPHQL (no code)'));
    if (codes.size === 0) bump(stats.byCode, '(none)');
    for (const code of codes) bump(stats.byCode, code);
  } catch (error) {
    stats.lost++;
    if (stats.lostExamples.length < 5) stats.lostExamples.push(String(error));
  }
}

async function worker(): Promise<void> {
  while (stats.sent < TOTAL && Date.now() < stopAt) {
    await one();
    if (stats.sent === Math.floor(TOTAL / 2)) rss.middle = rssMb();
  }
}

const progress = setInterval(() => {
  console.log(
    `  ${Math.round((Date.now() - started) / 1000)} s: ${stats.sent} sent, ${stats.answered} answered, ${stats.lost} lost, phase "${PHASES[phase]!.name}", RSS ${rssMb()} MB`,
  );
}, 5_000);
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
clearInterval(progress);
clearInterval(faultTimer);
await sim.setFaults({});
rss.end = rssMb();
if (rss.middle === 0) rss.middle = rss.end;
const seconds = (Date.now() - started) / 1000;

/** Most timestamps in any sliding one-second window. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
// As ORD would count: arrivals in the simulator's log. And as we sent them: the client pacer's own start times.
const arrivals = (await sim.requests()).map((r) => r.at);
const maxWindow = busiestSecond(arrivals);
const maxStarts = busiestSecond(app.client.pacer.starts().filter((t) => t >= started));

const rows: [string, string][] = [
  ['requests sent', String(stats.sent)],
  ['answered with a GraphQL body', String(stats.answered)],
  ['lost (no answer, not JSON, not GraphQL)', String(stats.lost)],
  ...[...stats.byStatus].sort().map(([status, n]): [string, string] => [`  HTTP ${status}`, String(n)]),
  ['answers carrying data', String(stats.withData)],
  ['answers flagged extensions.stale', String(stats.stale)],
  ...[...stats.byCode]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]): [string, string] => [`  answers with ${code}`, String(n)]),
  ['duration', `${seconds.toFixed(1)} s (${(stats.sent / seconds).toFixed(1)} req/s)`],
  ['RSS start / middle / end', `${rss.start} / ${rss.middle} / ${rss.end} MB`],
  ['ORD requests (simulator log)', String(arrivals.length)],
  [
    'max ORD requests in any 1 s window',
    `${maxWindow} arriving at the simulator, ${maxStarts} started by the client (ORD_RATE_LIMIT ${ord.rateLimit})`,
  ],
  ['circuit breaker', `${JSON.stringify(app.client.circuit.snapshot())}`],
  ['cache', app.cache ? JSON.stringify(app.cache.stats()) : 'off'],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nSoak: ${TOTAL} requests max, concurrency ${CONCURRENCY}, faults switching every ${PHASE_MS} ms\n`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
if (stats.lostExamples.length) console.log(`\nlost, e.g.:\n  ${stats.lostExamples.join('\n  ')}`);

await served.close();
await app.close();
await sim.close();
// Pass: nothing lost and the client never started more than the limit in any second. Arrivals can bunch beyond it when
// either process's event loop lags behind the pacer's stamps (its guard is 20 ms); that is reported, not hidden.
const ok = stats.lost === 0 && maxStarts <= ord.rateLimit;
if (maxWindow > ord.rateLimit) {
  console.log(
    `\nWARN: ${maxWindow} arrivals at the simulator in one second (client starts: ${maxStarts}): start-to-arrival jitter exceeds the pacer guard`,
  );
}
console.log(
  `\n${ok ? 'OK' : 'FAILED'}: ${stats.lost} lost; ORD peak ${maxWindow}/s arriving (${maxStarts}/s started) vs limit ${ord.rateLimit}/s`,
);
process.exit(ok ? 0 : 1);
