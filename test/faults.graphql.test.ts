// What a GraphQL client sees when ORD misbehaves, one case per simulator fault mode, over real HTTP: data plus located
// errors with the right codes, stale data flagged in extensions.stale, the circuit breaker, and the request deadline.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/upstream/circuit.js';
import type { FaultConfig } from '../src/simulators/ord/types.js';
import { expectLocatedAndSafe, post } from './helpers/graphqlHttp.js';
import { startStack, type Stack } from './helpers/stack.js';

const PAIR = `{ broken: organisation(odsCode: "RVVKC") { name } fine: organisation(odsCode: "RWR") { name } }`;
const RWR_NAME = 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST';

describe('each fault mode, confined to the field it hits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tier: 'small', timeoutMs: 300, maxRetries: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it.each<[string, string, FaultConfig]>([
    ['5xx HTML page (Werkzeug 500)', 'html', { mode: 'http500' }],
    ['proxy 502 HTML page', 'html', { mode: 'http502' }],
    ['503 with a JSON body', 'http_status', { mode: 'http503' }],
    ['429 that never lets up', 'rate_limited', { mode: 'rate429', retryAfterSeconds: 0 }],
    ['hang (accepts, never answers)', 'timeout', { mode: 'hang' }],
    ['connection reset', 'network', { mode: 'reset' }],
    ['truncated body', 'malformed', { mode: 'truncate' }],
    ['malformed JSON', 'malformed', { mode: 'malformed' }],
  ])(
    '%s → the field is null with a located UPSTREAM_UNAVAILABLE (kind %s); its sibling resolves',
    async (_label, kind, fault) => {
      stack.sim.setFaults({ ...fault, pathPrefix: 'organisations/RVVKC' });
      try {
        const answer = await post(stack, PAIR);
        expectLocatedAndSafe(answer);
        expect(answer.body.data).toEqual({ broken: null, fine: { name: RWR_NAME } });
        expect(answer.body.errors).toHaveLength(1);
        expect(answer.body.errors![0]!.path).toEqual(['broken']);
        expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', kind });
      } finally {
        stack.sim.clearFaults();
      }
    },
  );

  it('latency alone is not a fault: slow answers still arrive whole', async () => {
    stack.sim.setFaults({ latencyMs: 150 });
    try {
      const answer = await post(stack, PAIR);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.fine.name).toBe(RWR_NAME);
    } finally {
      stack.sim.clearFaults();
    }
  });

  it('a 429 with Retry-After is waited out and retried: the client sees data, ORD saw the retry', async () => {
    stack.sim.setFaults({ mode: 'rate429', retryAfterSeconds: 1, count: 1, pathPrefix: 'organisations/RVVKC' });
    stack.sim.clearLog();
    const answer = await post(stack, PAIR);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.broken.name).toBe('KENT & CANTERBURY HOSPITAL');
    expect(
      stack
        .calls('organisation')
        .filter((c) => c.path === 'organisations/RVVKC')
        .map((c) => c.status),
    ).toEqual([429, 200]);
  });

  it('a fault on a membership search nulls only its organisation, with a located error; siblings resolve', async () => {
    stack.sim.setFaults({ mode: 'http503', pathPrefix: 'organisations?RelTypeId=RE6&TargetOrgId=RAL' });
    try {
      const answer = await post(
        stack,
        `{ ral: organisation(odsCode: "RAL") { inboundRelationships(types: ["RE6"]) { totalCount } } recordClasses { id } }`,
      );
      expectLocatedAndSafe(answer);
      expect(answer.body.data!.ral).toBeNull();
      expect(answer.body.data!.recordClasses).toHaveLength(2);
      expect(answer.body.errors![0]!.path).toEqual(['ral', 'inboundRelationships']);
    } finally {
      stack.sim.clearFaults();
    }
  });
});

describe('ORD gone entirely (closed port)', () => {
  it('every field that needs ORD fails with UPSTREAM_UNAVAILABLE (network); the response is still GraphQL', async () => {
    const stack = await startStack({ tier: 'small', timeoutMs: 300 });
    await stack.sim.close();
    try {
      const answer = await post(
        stack,
        `{ organisation(odsCode: "RWR") { name } other: organisation(odsCode: "RVVKC") { name } }`,
      );
      expectLocatedAndSafe(answer);
      expect(answer.body.data).toEqual({ organisation: null, other: null });
      const codes = answer.body.errors!.map((e) => [e.path?.[0], e.extensions?.code, e.extensions?.kind]).sort();
      expect(codes).toEqual([
        ['organisation', 'UPSTREAM_UNAVAILABLE', 'network'],
        ['other', 'UPSTREAM_UNAVAILABLE', 'network'],
      ]);
      // A non-null root field (roleTypes) takes `data` down with it, as the spec says, but the error is still located.
      const codeSystems = await post(stack, `{ roleTypes { id } }`);
      expectLocatedAndSafe(codeSystems);
      expect(codeSystems.body.data).toBeNull();
      expect(codeSystems.body.errors![0]).toMatchObject({
        path: ['roleTypes'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', kind: 'network' },
      });
    } finally {
      await stack.close().catch(() => undefined);
    }
  });
});

describe('stale if error', () => {
  let stack: Stack;
  let clock = Date.now();
  beforeAll(async () => {
    stack = await startStack({ tier: 'small', cache: true, timeoutMs: 300, app: { now: () => clock } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a cached record past its TTL is served when ORD fails, and extensions.stale says which and how old', async () => {
    const fresh = await post(stack, `{ organisation(odsCode: "RWR") { name relationships { type { id } } } }`);
    expect(fresh.body.errors).toBeUndefined();
    expect(fresh.body.extensions?.stale).toBeUndefined();

    clock += 7 * 60 * 60 * 1000; // past the 6 h organisation TTL
    stack.sim.setFaults({ mode: 'http500', pathPrefix: 'organisations/RWR' });
    try {
      const stale = await post(stack, `{ organisation(odsCode: "RWR") { name relationships { type { id } } } }`);
      expectLocatedAndSafe(stale);
      expect(stale.body.errors).toBeUndefined();
      expect(stale.body.data).toEqual(fresh.body.data);
      expect(stale.body.extensions?.stale).toEqual([{ key: 'organisation RWR', ageSeconds: 7 * 60 * 60 }]);
      expect(stack.calls('organisation').some((c) => c.path === 'organisations/RWR' && c.status === 500)).toBe(true);
    } finally {
      stack.sim.clearFaults();
    }

    // Once ORD answers again the record is refreshed and nothing is flagged.
    const again = await post(stack, `{ organisation(odsCode: "RWR") { name } }`);
    expect(again.body.extensions?.stale).toBeUndefined();
  });

  it('without a cached copy the same failure is a located UPSTREAM_UNAVAILABLE, not stale data', async () => {
    stack.sim.setFaults({ mode: 'http500', pathPrefix: 'organisations/RVVKC' });
    try {
      const answer = await post(stack, `{ organisation(odsCode: "RVVKC") { name } }`);
      expectLocatedAndSafe(answer);
      expect(answer.body.data).toEqual({ organisation: null });
      expect(answer.body.errors![0]!.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(answer.body.extensions?.stale).toBeUndefined();
    } finally {
      stack.sim.clearFaults();
    }
  });
});

describe('circuit breaker over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tier: 'small', timeoutMs: 300, ord: { circuitFailures: 3, circuitResetSeconds: 1 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const ready = async () => {
    const response = await fetch(stack.url.replace('/graphql', '/ready'));
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };

  it('opens after 3 failures, then fails fast without calling ORD; one half-open probe after the reset closes it', async () => {
    expect((await ready()).status).toBe(200);
    stack.sim.setFaults({ mode: 'http503', pathPrefix: 'organisations/' });
    for (let i = 0; i < 3; i++) {
      const answer = await post(stack, `{ organisation(odsCode: "RWR") { name } }`);
      expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', kind: 'http_status' });
    }
    expect(stack.client.circuit.state).toBe('open');
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.status).toBe('not_ready');
    expect(notReady.body.reason).toMatch(/circuit is open/);

    stack.sim.clearLog();
    const fast = await post(
      stack,
      `{ a: organisation(odsCode: "RWR") { name } b: organisation(odsCode: "RVVKC") { name } }`,
    );
    expectLocatedAndSafe(fast);
    expect(fast.body.errors!.map((e) => e.extensions?.kind)).toEqual(['circuit_open', 'circuit_open']);
    expect(fast.body.errors!.every((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(stack.calls()).toHaveLength(0);

    // ORD recovers; after the reset time the next call is the probe, and its success closes the circuit.
    stack.sim.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const probe = await post(stack, `{ organisation(odsCode: "RWR") { name } }`);
    expect(probe.body.errors).toBeUndefined();
    expect(probe.body.data!.organisation.name).toBe(RWR_NAME);
    expect(stack.client.circuit.state).toBe('closed');
    expect((await ready()).status).toBe(200);
  });
});

describe('circuit breaker state machine (injected clock)', () => {
  it('closed → open at the threshold; fails fast; half-open lets exactly one probe; failure reopens, success closes', () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      resetMs: 1000,
      now: () => now,
      onStateChange: (a, b) => changes.push(`${a}>${b}`),
    });
    const t1 = breaker.tryAcquire()!;
    breaker.failure(t1);
    breaker.success(breaker.tryAcquire()!); // a success in between resets the count
    breaker.failure(breaker.tryAcquire()!);
    expect(breaker.state).toBe('closed');
    breaker.failure(breaker.tryAcquire()!);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeNull();
    now = 999;
    expect(breaker.tryAcquire()).toBeNull();
    now = 1000;
    expect(breaker.state).toBe('half_open');
    const probe = breaker.tryAcquire()!;
    expect(probe.probe).toBe(true);
    expect(breaker.tryAcquire()).toBeNull(); // only one probe at a time
    breaker.failure(probe);
    expect(breaker.state).toBe('open');
    now = 2000;
    const probe2 = breaker.tryAcquire()!;
    breaker.release(probe2); // the caller gave up: the next caller may probe at once
    const probe3 = breaker.tryAcquire()!;
    expect(probe3.probe).toBe(true);
    breaker.success(probe3);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0, opened: 2 });
    expect(changes).toEqual([
      'closed>open',
      'open>half_open',
      'half_open>open',
      'open>half_open',
      'half_open>open', // released probe
      'open>half_open',
      'half_open>closed',
    ]);
  });

  it('a threshold of 0 turns it off', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 0, resetMs: 1000 });
    for (let i = 0; i < 10; i++) breaker.failure(breaker.tryAcquire()!);
    expect(breaker.tryAcquire()).not.toBeNull();
  });
});

describe('request deadline', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      tier: 'small',
      cache: true,
      timeoutMs: 5_000,
      maxRetries: 2,
      budget: { deadlineMs: 400 },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it.each<[string, FaultConfig]>([
    ['slow ORD (latency beyond the deadline)', { latencyMs: 3_000 }],
    ['a hang', { mode: 'hang' }],
    ['a 429 whose Retry-After outlasts the deadline', { mode: 'rate429', retryAfterSeconds: 5 }],
  ])(
    '%s → partial data plus a located DEADLINE_EXCEEDED, well before ORD would have answered',
    async (_label, fault) => {
      stack.sim.setFaults({ ...fault, pathPrefix: 'organisations/RVVKC' });
      try {
        const started = Date.now();
        const answer = await post(stack, PAIR);
        const elapsed = Date.now() - started;
        expectLocatedAndSafe(answer);
        expect(answer.body.data).toEqual({ broken: null, fine: { name: RWR_NAME } });
        expect(answer.body.errors).toHaveLength(1);
        expect(answer.body.errors![0]).toMatchObject({ path: ['broken'], extensions: { code: 'DEADLINE_EXCEEDED' } });
        // Generous: the point is "not the 3-5 s ORD would take", not a precise timing.
        expect(elapsed).toBeLessThan(2_500);
      } finally {
        stack.sim.clearFaults();
      }
    },
  );

  it("a request that joined another request's in-flight call gives up at its own deadline too", async () => {
    stack.sim.setFaults({ latencyMs: 3_000, pathPrefix: 'organisations/RJ1' });
    try {
      const before = stack.cache!.stats().sharedInFlight;
      const first = post(stack, `{ organisation(odsCode: "RJ1") { name } }`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const second = await post(stack, `{ organisation(odsCode: "RJ1") { name } }`);
      const elapsed = Date.now() - started;
      const firstAnswer = await first;
      for (const answer of [firstAnswer, second]) {
        expectLocatedAndSafe(answer);
        expect(answer.body.data).toEqual({ organisation: null });
        expect(answer.body.errors![0]!.extensions?.code).toBe('DEADLINE_EXCEEDED');
      }
      expect(stack.cache!.stats().sharedInFlight).toBeGreaterThan(before);
      expect(elapsed).toBeLessThan(2_500);
    } finally {
      stack.sim.clearFaults();
    }
  });
});
