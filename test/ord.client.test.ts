// The ORD wire client against the ORD simulator: answers, typed errors, every fault mode, retries, pacing, concurrency.
// No wall-clock assertions except "at most N requests in any one-second window"; retry waits are recorded via injected sleep.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrdClient, type OrdClientOptions } from '../src/sources/ord/client.js';
import {
  OrdInvalidArgumentError,
  OrdRejectedError,
  OrdUpstreamError,
  isRetryable,
  ordRetryPolicy,
  type OrdUpstreamErrorKind,
} from '../src/sources/ord/errors.js';
import type { OrdClientSettings } from '../src/sources/ord/settings.js';
import { SlidingWindowPacer } from '../src/upstream/pacer.js';
import { backoffDelay, parseRetryAfter, withRetries } from '../src/upstream/retry.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { FaultMode, OrdSimulator } from '../src/simulators/ord/types.js';
import { buildClientDataset, recordedOrganisation } from './helpers/clientDataset.js';

let sim: OrdSimulator;
const clients: OrdClient[] = [];

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset: buildClientDataset(), port: 0 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.clearFaults();
  sim.clearLog();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/**
 * A client on the simulator; by default fast (high rate limit) with waits recorded instead of slept. The injected
 * clock is virtual: real time plus every recorded wait, so the pacer and Retry-After dates stay coherent with sleep.
 */
function makeClient(settings: Partial<OrdClientSettings> = {}, options: OrdClientOptions = {}) {
  const waits: number[] = [];
  let skipped = 0;
  const client = new OrdClient(
    {
      baseUrl: sim.baseUrl,
      rateLimit: 1000,
      maxConcurrency: 4,
      timeoutMs: 5000,
      maxRetries: 3,
      // No circuit breaker unless a test asks: fault tests expect each failure's own kind, never circuit_open.
      circuitFailures: 0,
      ...settings,
    },
    {
      now: () => Date.now() + skipped,
      sleep: async (ms) => {
        waits.push(ms);
        skipped += ms;
      },
      random: () => 0.5,
      ...options,
    },
  );
  clients.push(client);
  return { client, waits };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('answers', () => {
  it('fetchOrganisation returns ORD’s record as sent; lower-case codes work (ORD upper-cases)', async () => {
    const { client } = makeClient();
    expect(await client.fetchOrganisation('X26')).toEqual(recordedOrganisation('X26'));
    expect((await client.fetchOrganisation('rwr'))?.OrgId.extension).toBe('RWR');
    expect(sim.requests().map((r) => r.path)).toEqual(['organisations/X26', 'organisations/rwr']);
  });

  it('404 → null, one request, not retried', async () => {
    const { client } = makeClient();
    expect(await client.fetchOrganisation('NOPE1')).toBeNull();
    expect(sim.requests()).toHaveLength(1);
    expect(client.counters.get('organisation', 'not_found')).toBe(1);
    expect(client.counters.get('organisation', 'retried')).toBe(0);
  });

  it('code systems: lists, single ids, unknown id → null', async () => {
    const { client } = makeClient();
    expect(await client.fetchRoleTypes()).toHaveLength(137);
    expect(await client.fetchRoleType('RO98')).toEqual({
      id: 'RO98',
      code: '98',
      displayName: 'CLINICAL COMMISSIONING GROUP',
      primaryRole: 'true',
    });
    expect(await client.fetchRoleType('Wrong')).toBeNull();
    expect((await client.fetchRelationshipTypes()).map((r) => r.id)).toEqual(['RE3', 'RE6', 'RE4', 'RE5', 'RE2']);
    expect(await client.fetchRelationshipType('RE6')).toEqual({ id: 'RE6', code: '6', displayName: 'IS OPERATED BY' });
    expect(await client.fetchRecordClasses()).toEqual([
      { id: 'RC1', code: '1', displayName: 'HSCOrg' },
      { id: 'RC2', code: '2', displayName: 'HSCSite' },
    ]);
    expect(await client.fetchRecordClass('RC3')).toBeNull();
  });

  it('search: one page, totalCount from X-Total-Count, explicit Limit, Offset only when ≥ 1', async () => {
    const { client } = makeClient();
    const page = await client.searchOrganisations({ Name: 'synthetic paging', Limit: 3 });
    expect(page.totalCount).toBe(2345);
    expect(page.rows.map((r) => r.OrgId)).toEqual(['ZZP00001', 'ZZP00002', 'ZZP00003']);
    const second = await client.searchOrganisations({ Name: 'synthetic paging', Limit: 3, Offset: 3 });
    expect(second.rows.map((r) => r.OrgId)).toEqual(['ZZP00004', 'ZZP00005', 'ZZP00006']);
    await client.searchOrganisations({ Name: 'synthetic paging', Limit: 3, Offset: 0 });
    await client.searchOrganisations({ PrimaryRoleId: 'RO197' });
    expect(sim.requests().map((r) => r.path)).toEqual([
      'organisations?Name=synthetic%20paging&Limit=3',
      'organisations?Name=synthetic%20paging&Limit=3&Offset=3',
      'organisations?Name=synthetic%20paging&Limit=3',
      // No Limit given: the client still sends one (ORD's max), never relying on ORD's default of 20.
      'organisations?PrimaryRoleId=RO197&Limit=1000',
    ]);
  });

  it('search: values are percent-encoded, multi-valued params comma-joined, parameters in a fixed order', async () => {
    const { client } = makeClient();
    const page = await client.searchOrganisations({
      Name: "ST ANN'S & CO",
      Roles: ['RO197', 'RO57'],
      RelTypeId: ['RE5', 'RE8'],
      TargetOrgId: 'QMJ',
      RelStatus: 'inactive',
      Status: 'Active',
      Limit: 10,
    });
    expect(page.rows).toEqual([]);
    expect(sim.requests()[0]?.path).toBe(
      // WHATWG URL parsing also escapes the apostrophe in a query.
      'organisations?Name=ST%20ANN%27S%20%26%20CO&Status=Active&Roles=RO197,RO57&RelTypeId=RE5,RE8&TargetOrgId=QMJ&RelStatus=inactive&Limit=10',
    );
  });

  it('membership search finds the real RE8 members of QMJ', async () => {
    const { client } = makeClient();
    const page = await client.searchOrganisations({ TargetOrgId: 'QMJ', RelTypeId: ['RE8'], Limit: 50 });
    expect(page.rows.map((r) => r.OrgId).sort()).toEqual(['G6V2S', 'RRP', 'TAF']);
    expect(page.totalCount).toBe(3);
  });

  it('sync: ODS codes parsed from OrgLink, in ORD’s order', async () => {
    const { client } = makeClient();
    expect(await client.fetchSync('2026-04-01')).toEqual(['FBL', 'G6V2S', 'RRP', 'TAF']);
  });

  it('406 → OrdRejectedError with ORD’s errorText; never retried', async () => {
    const { client } = makeClient();
    const noFilter = await caught(client.searchOrganisations({ Limit: 5 }));
    expect(noFilter).toBeInstanceOf(OrdRejectedError);
    expect((noFilter as OrdRejectedError).status).toBe(406);
    expect((noFilter as OrdRejectedError).errorText).toBe('Supplied query must include some query parameters');
    const badDate = await caught(client.fetchSync('2019-13-45x'));
    expect((badDate as OrdRejectedError).errorText).toBe('Invalid date format.');
    const shortName = await caught(client.searchOrganisations({ Name: 'ab', Limit: 5 }));
    expect((shortName as OrdRejectedError).errorText).toBe('Supplied Name needs a minimum of 3 Characters.');
    expect(sim.requests()).toHaveLength(3);
    expect(client.counters.get('search', 'rejected')).toBe(2);
    expect(client.counters.get('sync', 'rejected')).toBe(1);
    expect(client.counters.get('search', 'retried')).toBe(0);
  });
});

describe('arguments refused before sending', () => {
  const tricks = [
    '../X26',
    'X26%2F',
    'X26/',
    'A B',
    'ÄBC',
    'X26?_format=xml',
    'X26#x',
    '..',
    '',
    'A'.repeat(13),
    'X26\n',
    '%2e%2e',
  ];

  it.each(tricks)('code %j → OrdInvalidArgumentError, nothing sent', async (code) => {
    const { client } = makeClient();
    await expect(client.fetchOrganisation(code)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    await expect(client.fetchRoleType(code)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    await expect(client.fetchRelationshipType(code)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    await expect(client.fetchRecordClass(code)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    expect(sim.requests()).toEqual([]);
    expect(client.counters.get('organisation', 'invalid_argument')).toBe(1);
    expect(client.counters.total('attempts')).toBe(0);
  });

  it('non-string code, bad Limit/Offset, and a comma inside a list item are refused too', async () => {
    const { client } = makeClient();
    await expect(client.fetchOrganisation(42 as unknown as string)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    for (const params of [
      { Name: 'nhs', Limit: 0 },
      { Name: 'nhs', Limit: 1001 },
      { Name: 'nhs', Limit: 2.5 },
      { Name: 'nhs', Limit: 5, Offset: -1 },
      { Roles: ['RO197,RO57'], Limit: 5 },
      { RelTypeId: ['RE5&Name=x'], Limit: 5 },
    ]) {
      await expect(client.searchOrganisations(params)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    }
    expect(sim.requests()).toEqual([]);
  });

  it('a 12-character alphanumeric code is allowed through (and is simply not found)', async () => {
    const { client } = makeClient();
    expect(await client.fetchOrganisation('ABCDEFGHIJ12')).toBeNull();
    expect(sim.requests()).toHaveLength(1);
  });
});

describe('faults: retried ones recover, then fail typed once retries run out', () => {
  const cases: [FaultMode, OrdUpstreamErrorKind, number | null][] = [
    ['http500', 'html', 500],
    ['http502', 'html', 502],
    ['http503', 'http_status', 503],
    ['rate429', 'rate_limited', 429],
    ['reset', 'network', null],
    ['truncate', 'malformed', null],
    ['malformed', 'malformed', null],
  ];

  it.each(cases)('%s once → succeeds on the second attempt', async (mode) => {
    const { client, waits } = makeClient({ maxRetries: 3 });
    sim.setFaults({ mode, count: 1, retryAfterSeconds: 0 });
    expect((await client.fetchOrganisation('X26'))?.Name).toBe('NHS DIGITAL');
    expect(sim.requests().map((r) => r.fault)).toEqual([mode, null]);
    expect(client.counters.get('organisation', 'retried')).toBe(1);
    expect(client.counters.get('organisation', 'attempts')).toBe(2);
    expect(client.counters.get('organisation', 'ok')).toBe(1);
    expect(waits).toHaveLength(1);
  });

  it.each(cases)('%s always → %s after 1 + maxRetries attempts', async (mode, kind, status) => {
    const { client, waits } = makeClient({ maxRetries: 2 });
    sim.setFaults({ mode, retryAfterSeconds: 0 });
    const error = await caught(client.fetchOrganisation('RWR'));
    expect(error).toBeInstanceOf(OrdUpstreamError);
    expect((error as OrdUpstreamError).kind).toBe(kind);
    if (status !== null) expect((error as OrdUpstreamError).status).toBe(status);
    expect((error as OrdUpstreamError).attempts).toBe(3);
    expect(sim.requests()).toHaveLength(3);
    expect(waits).toHaveLength(2);
    const counts = client.snapshot().organisation;
    expect(counts).toMatchObject({ attempts: 3, retried: 2, upstream_error: 1, [`upstream_${kind}`]: 1, ok: 0 });
  });

  it('hang → timeout (small timeoutMs), retried, then OrdUpstreamError timeout', async () => {
    const { client } = makeClient({ timeoutMs: 150, maxRetries: 1 });
    sim.setFaults({ mode: 'hang' });
    const error = await caught(client.fetchOrganisation('X26'));
    expect(error).toBeInstanceOf(OrdUpstreamError);
    expect((error as OrdUpstreamError).kind).toBe('timeout');
    expect(sim.requests()).toHaveLength(2);
  });

  it('hang once → the retry succeeds', async () => {
    const { client } = makeClient({ timeoutMs: 150, maxRetries: 1 });
    sim.setFaults({ mode: 'hang', count: 1 });
    expect((await client.fetchRoleTypes()).length).toBe(137);
    expect(sim.requests()).toHaveLength(2);
  });

  it('a body that stalls mid-way (latency below timeout) is fine; beyond it, a timeout', async () => {
    const { client } = makeClient({ timeoutMs: 150, maxRetries: 0 });
    sim.setFaults({ latencyMs: 50 });
    expect(await client.fetchOrganisation('X26')).not.toBeNull();
    sim.setFaults({ latencyMs: 400 });
    const error = await caught(client.fetchOrganisation('X26'));
    expect((error as OrdUpstreamError).kind).toBe('timeout');
    // The simulator logs the abandoned request only when its latency ends: wait for it so no later test sees it.
    await expect.poll(() => sim.requests().length, { timeout: 2000 }).toBe(2);
  });

  it('pathPrefix faults only hit matching requests', async () => {
    const { client } = makeClient({ maxRetries: 0 });
    sim.setFaults({ mode: 'http503', pathPrefix: 'organisations/RWR' });
    expect(await client.fetchOrganisation('X26')).not.toBeNull();
    await expect(client.fetchOrganisation('RWR')).rejects.toBeInstanceOf(OrdUpstreamError);
  });

  it('connection refused → network', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = new OrdClient(
      {
        baseUrl: `http://127.0.0.1:${port}/ORD/2-0-0/`,
        rateLimit: 100,
        maxConcurrency: 2,
        timeoutMs: 1000,
        maxRetries: 1,
      },
      { sleep: async () => {} },
    );
    clients.push(client);
    const error = await caught(client.fetchOrganisation('X26'));
    expect((error as OrdUpstreamError).kind).toBe('network');
    expect((error as OrdUpstreamError).attempts).toBe(2);
  });
});

describe('Retry-After', () => {
  it('429 Retry-After seconds are waited exactly (not jittered) and pause the pacer', async () => {
    const { client, waits } = makeClient({ maxRetries: 3 });
    sim.setFaults({ mode: 'rate429', count: 2, retryAfterSeconds: 2 });
    expect(await client.fetchOrganisation('X26')).not.toBeNull();
    expect(waits).toEqual([2000, 2000]);
    expect(sim.requests().map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('a Retry-After longer than maxRetryAfterMs is not waited for: rate_limited at once', async () => {
    const { client, waits } = makeClient({ maxRetries: 3 }, { maxRetryAfterMs: 1000 });
    sim.setFaults({ mode: 'rate429', retryAfterSeconds: 120 });
    const error = await caught(client.fetchOrganisation('X26'));
    expect((error as OrdUpstreamError).kind).toBe('rate_limited');
    expect((error as OrdUpstreamError).retryAfterMs).toBe(120_000);
    expect(sim.requests()).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('without Retry-After, waits follow full-jitter exponential backoff', async () => {
    const { client, waits } = makeClient({ maxRetries: 3 }, { random: () => 0.999, baseDelayMs: 100, maxDelayMs: 300 });
    sim.setFaults({ mode: 'http503' });
    await expect(client.fetchOrganisation('X26')).rejects.toBeInstanceOf(OrdUpstreamError);
    expect(waits).toEqual([99, 199, 299]);
  });

  it('parseRetryAfter: seconds, HTTP dates, junk', () => {
    const now = Date.parse('2026-04-15T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['7'], now)).toBe(7000);
    expect(parseRetryAfter('Wed, 15 Apr 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 15 Apr 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('retry policy: what is and is not retryable', () => {
    expect(isRetryable(new OrdUpstreamError('network', 'x'))).toBe(true);
    expect(isRetryable(new OrdUpstreamError('timeout', 'x'))).toBe(true);
    expect(isRetryable(new OrdUpstreamError('http_status', 'x', { status: 503 }))).toBe(true);
    expect(isRetryable(new OrdUpstreamError('http_status', 'x', { status: 403 }))).toBe(false);
    expect(isRetryable(new OrdUpstreamError('html', 'x', { status: 200 }))).toBe(false);
    expect(isRetryable(new OrdRejectedError(406, 'x', 'search'))).toBe(false);
    expect(isRetryable(new TypeError('x'))).toBe(false);
    expect(backoffDelay(0, 250, 8000, () => 0.5)).toBe(125);
    expect(backoffDelay(10, 250, 8000, () => 0.5)).toBe(4000);
  });

  it('withRetries stops at maxRetries and stamps attempts', async () => {
    let calls = 0;
    const error = await caught(
      withRetries(
        async () => {
          calls++;
          throw new OrdUpstreamError('network', 'x');
        },
        { policy: ordRetryPolicy, maxRetries: 4, random: () => 0, sleep: async () => {} },
      ),
    );
    expect(calls).toBe(5);
    expect((error as OrdUpstreamError).attempts).toBe(5);
  });
});

describe('pacing and concurrency', () => {
  it('a pacer handed in is the one every request waits on (how a shared limiter is plugged in)', async () => {
    const shared = new SlidingWindowPacer({ limit: 1000, guardMs: 0 });
    const first = makeClient({}, { pacer: shared }).client;
    const second = makeClient({}, { pacer: shared }).client;
    expect(first.pacer).toBe(shared);
    await first.fetchOrganisation('RWR');
    await second.fetchOrganisation('X26');
    await second.fetchRecordClasses();
    expect(shared.starts()).toHaveLength(3);
  });

  function maxInAnyWindow(times: number[], windowMs = 1000): number {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0; i < sorted.length; i++) {
      let n = 0;
      for (let j = i; j < sorted.length && (sorted[j] as number) < (sorted[i] as number) + windowMs; j++) n++;
      most = Math.max(most, n);
    }
    return most;
  }

  it('pacer with an injected clock: never more than `limit` starts in any window, FIFO, no early release', async () => {
    let now = 0;
    const pacer = new SlidingWindowPacer({
      limit: 5,
      guardMs: 0,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    const starts = await Promise.all(Array.from({ length: 23 }, () => pacer.acquire()));
    expect(starts).toEqual([...pacer.starts()]);
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(starts.slice(5, 10)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(starts.at(-1)).toBe(4000);
    expect(maxInAnyWindow(starts)).toBe(5);
    // Monotonic: acquisitions are served in order.
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('pacer: guard widens the window; pauseUntil holds every start', async () => {
    let now = 0;
    const pacer = new SlidingWindowPacer({
      limit: 2,
      guardMs: 50,
      now: () => now,
      sleep: async (ms) => void (now += ms),
    });
    const first = await Promise.all([pacer.acquire(), pacer.acquire(), pacer.acquire()]);
    expect(first).toEqual([0, 0, 1050]);
    pacer.pauseUntil(5000);
    expect(await pacer.acquire()).toBe(5000);
  });

  it('20 requests at rateLimit 5: the simulator never sees more than 5 arrivals in any 1 s window (hard limit 5 never trips)', async () => {
    sim.setFaults({ hardRateLimit: 5 });
    // Arrivals are seen by the in-process simulator after our event loop delivers them; a wide guard keeps that delivery
    // lag (large when the whole suite runs on two cores) from bunching arrivals. The starts themselves are exact.
    const client = new OrdClient(
      { baseUrl: sim.baseUrl, rateLimit: 5, maxConcurrency: 4, timeoutMs: 5000, maxRetries: 0 },
      { pacerGuardMs: 250 },
    );
    clients.push(client);
    const codes = ['X26', '97T', 'RWR', 'RVVKC', 'RJY'];
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.fetchOrganisation(codes[i % 5] as string)));
    const log = sim.requests();
    expect(log).toHaveLength(20);
    expect(log.every((r) => r.status === 200)).toBe(true);
    expect(maxInAnyWindow(log.map((r) => r.at))).toBeLessThanOrEqual(5);
    expect(maxInAnyWindow([...client.pacer.starts()])).toBeLessThanOrEqual(5);
  }, 20_000);

  it('retries count against the rate limit too', async () => {
    sim.setFaults({ mode: 'http503', count: 6 });
    const client = new OrdClient(
      { baseUrl: sim.baseUrl, rateLimit: 4, maxConcurrency: 4, timeoutMs: 5000, maxRetries: 3 },
      { baseDelayMs: 1, maxDelayMs: 1, pacerGuardMs: 250 },
    );
    clients.push(client);
    await Promise.all(['X26', '97T', 'RWR', 'RVVKC'].map((c) => client.fetchOrganisation(c)));
    const log = sim.requests();
    expect(log.length).toBe(10);
    expect(maxInAnyWindow(log.map((r) => r.at))).toBeLessThanOrEqual(4);
  }, 20_000);

  it('maxConcurrency caps requests in flight', async () => {
    sim.setFaults({ latencyMs: 80 });
    const client = new OrdClient({
      baseUrl: sim.baseUrl,
      rateLimit: 1000,
      maxConcurrency: 2,
      timeoutMs: 5000,
      maxRetries: 0,
    });
    clients.push(client);
    let inFlight = 0;
    let most = 0;
    const wrap = async (code: string) => {
      // Measured at the client: the upstream gate is the cap; the simulator log cross-checks below.
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await client.fetchOrganisation(code);
      } finally {
        inFlight--;
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => wrap('X26')));
    expect(most).toBe(8); // callers do not wait…
    const intervals = sim.requests().map((r) => [r.at, r.at + r.durationMs] as const);
    let overlap = 0;
    for (const [start] of intervals) {
      // …but at any arrival, at most 2 requests are being served (1 ms slack for ms-rounded arrival times).
      overlap = Math.max(overlap, intervals.filter(([s, e]) => s <= start && start < e - 1).length);
    }
    expect(intervals).toHaveLength(8);
    expect(overlap).toBeLessThanOrEqual(2);
    expect(overlap).toBeGreaterThanOrEqual(1);
  });
});

describe('counters', () => {
  it('snapshot is plain data per endpoint and outcome, detached from later calls', async () => {
    const { client } = makeClient({ maxRetries: 1 });
    await client.fetchOrganisation('X26');
    await client.fetchOrganisation('NOPE9');
    await client.fetchRoleTypes();
    await expect(client.fetchOrganisation('../X')).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    sim.setFaults({ mode: 'http503' });
    await expect(client.fetchSync('2026-04-01')).rejects.toBeInstanceOf(OrdUpstreamError);
    const snap = client.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.organisation).toMatchObject({
      attempts: 2,
      ok: 1,
      not_found: 1,
      invalid_argument: 1,
      upstream_error: 0,
    });
    expect(snap.roles).toMatchObject({ attempts: 1, ok: 1 });
    expect(snap.sync).toMatchObject({ attempts: 2, retried: 1, upstream_error: 1, upstream_http_status: 1 });
    await client.fetchRecordClasses().catch(() => undefined);
    expect(snap.recordclasses.attempts).toBe(0);
    expect(client.counters.total('attempts')).toBe(7);
  });
});

describe('wire oddities no simulator mode produces (node:http stub)', () => {
  let stub: http.Server;
  let base: string;
  let reply: (res: http.ServerResponse) => void = () => {};
  beforeAll(async () => {
    stub = http.createServer((_req, res) => reply(res));
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/ORD/2-0-0/`;
  });
  afterAll(async () => {
    stub.closeAllConnections();
    await new Promise<void>((resolve) => stub.close(() => resolve()));
  });
  const stubClient = () => {
    const c = new OrdClient(
      { baseUrl: base, rateLimit: 1000, maxConcurrency: 2, timeoutMs: 2000, maxRetries: 0, circuitFailures: 0 },
      { sleep: async () => {} },
    );
    clients.push(c);
    return c;
  };

  it('200 with an HTML page → html; 200 JSON of the wrong shape → malformed; 403 → http_status', async () => {
    const client = stubClient();
    reply = (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html>portal</html>');
    expect(((await caught(client.fetchOrganisation('X26'))) as OrdUpstreamError).kind).toBe('html');
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"Organisations": []}');
    expect(((await caught(client.fetchOrganisation('X26'))) as OrdUpstreamError).kind).toBe('malformed');
    reply = (res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"Organisations": [{"OrgLink": "https://x/organisations/../../etc"}]}');
    expect(((await caught(client.fetchSync('2026-04-01'))) as OrdUpstreamError).kind).toBe('malformed');
    reply = (res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
    const forbidden = (await caught(client.fetchOrganisation('X26'))) as OrdUpstreamError;
    expect([forbidden.kind, forbidden.status]).toEqual(['http_status', 403]);
  });

  it('X-Total-Count absent → offset + rows; unreadable → malformed', async () => {
    const client = stubClient();
    const body = JSON.stringify({ Organisations: [{ OrgId: 'A1' }, { OrgId: 'A2' }] });
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    expect((await client.searchOrganisations({ Name: 'abc', Limit: 2, Offset: 10 })).totalCount).toBe(12);
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': 'lots' }).end(body);
    expect(((await caught(client.searchOrganisations({ Name: 'abc', Limit: 2 }))) as OrdUpstreamError).kind).toBe(
      'malformed',
    );
  });

  it('a 406 whose body is not ORD JSON still gives OrdRejectedError with an excerpt', async () => {
    const client = stubClient();
    reply = (res) => res.writeHead(406, { 'content-type': 'text/plain' }).end('Not Acceptable');
    const error = (await caught(client.fetchOrganisation('X26'))) as OrdRejectedError;
    expect(error).toBeInstanceOf(OrdRejectedError);
    expect(error.errorText).toBe('Not Acceptable');
  });
});
