// Who a client is and what it may ask, over real HTTP against the simulator: API keys (401 without a known one),
// TRUST_PROXY's X-Forwarded-For hop, per-client 429s with Retry-After before any ORD call, and the per-client queue bound.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { clientAddress, parseApiKeys } from '../src/server/plugins/clientIdentity.js';
import { ClientBuckets } from '../src/server/plugins/rateLimit.js';
import { startStack, type Stack, type StackOptions } from './helpers/stack.js';

interface Reply {
  status: number;
  retryAfter: string | null;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

async function ask(stack: Stack, query: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Reply['body'],
  };
}

/** `n` codes ORD has no record of: each costs exactly one ORD call (a 404) and answers null. */
const unknownCodes = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `ZZQ${String(from + i).padStart(2, '0')}`);
const lookup = (codes: string[]) => `{ organisations(odsCodes: ${JSON.stringify(codes)}) { odsCode } }`;
const CHEAP = '{ organisation(odsCode: "ZZZ98") { name } }';

function withStack(options: StackOptions): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack({ tier: 'small', ...options });
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => stack!;
}

const GOOD = 'alpha-0123456789abcdef';
const OTHER = 'beta-0123456789abcdef';

describe('API keys (API_KEYS, API_KEY_HEADER)', () => {
  const stack = withStack({
    clientIdentity: { apiKeys: parseApiKeys(`alpha:${GOOD},beta:${OTHER}`) },
    inboundLimits: { requestsPerMinute: 2 },
  });

  it('a request without a key, or with an unknown one, gets 401 UNAUTHENTICATED naming the header, and no ORD call', async () => {
    stack().sim.clearLog();
    const attempts: Record<string, string>[] = [{}, { 'x-api-key': 'not-a-known-key-at-all' }, { 'x-api-key': '' }];
    for (const headers of attempts) {
      const reply = await ask(stack(), CHEAP, headers);
      expect(reply.status).toBe(401);
      expect(reply.body.errors).toHaveLength(1);
      expect(reply.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', header: 'x-api-key' });
      expect(reply.body.errors![0]!.message).not.toContain('not-a-known-key');
    }
    expect(stack().calls()).toEqual([]);
  });

  it('a known key is accepted, and each key is its own client (its own request allowance)', async () => {
    expect((await ask(stack(), CHEAP, { 'x-api-key': GOOD })).status).toBe(200);
    expect((await ask(stack(), CHEAP, { 'x-api-key': GOOD })).status).toBe(200);
    const third = await ask(stack(), CHEAP, { 'x-api-key': GOOD });
    expect(third.status).toBe(429);
    expect(third.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    // Another key, from the same address: another client.
    const other = await ask(stack(), CHEAP, { 'x-api-key': OTHER });
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ organisation: null });
  });

  it('/health and /ready need no key', async () => {
    const origin = new URL(stack().url).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    expect((await fetch(`${origin}/ready`)).status).toBe(200);
  });

  it('API_KEYS is read as label:key entries; a short key, a bad label or a repeat stops the server at start', () => {
    expect(loadConfig({ API_KEYS: ` web:${GOOD} , ${OTHER}` }).clientIdentity.apiKeys).toEqual([
      { label: 'web', key: GOOD },
      { label: expect.stringMatching(/^key-[0-9a-f]{8}$/), key: OTHER },
    ]);
    expect(() => loadConfig({ API_KEYS: 'web:short' })).toThrow(/API_KEYS.*entry 1 \(web\).*at least 16/);
    expect(() => loadConfig({ API_KEYS: `we b:${GOOD}` })).toThrow(/API_KEYS.*entry 1: a label/);
    expect(() => loadConfig({ API_KEYS: `a:${GOOD},b:${GOOD}` })).toThrow(/API_KEYS.*entry 2 \(b\).*twice/);
    // The message never echoes a key.
    expect(() => loadConfig({ API_KEYS: 'web:secretsecret' })).toThrow(/^(?!.*secretsecret)/);
    expect(loadConfig({ API_KEY_HEADER: 'X-Client-Key' }).clientIdentity.apiKeyHeader).toBe('x-client-key');
    expect(() => loadConfig({ API_KEY_HEADER: 'bad header' })).toThrow(/API_KEY_HEADER/);
  });
});

describe('client addresses (TRUST_PROXY)', () => {
  it('picks the N-th X-Forwarded-For entry from the right, the socket peer with 0, the furthest when there are fewer', () => {
    expect(clientAddress('10.0.0.9', '203.0.113.7, 198.51.100.2', 0)).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.9', '203.0.113.7, 198.51.100.2', 1)).toBe('198.51.100.2');
    expect(clientAddress('10.0.0.9', '203.0.113.7, 198.51.100.2', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.9', '198.51.100.2', 3)).toBe('198.51.100.2');
    expect(clientAddress('10.0.0.9', null, 1)).toBe('10.0.0.9');
    expect(clientAddress('::ffff:127.0.0.1', null, 0)).toBe('127.0.0.1');
    expect(clientAddress('10.0.0.9', 'not an address', 1)).toBe('unknown');
    expect(clientAddress('10.0.0.9', '2001:db8::1', 1)).toBe('2001:db8::1');
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });

  describe('behind one proxy (TRUST_PROXY=1)', () => {
    const stack = withStack({ clientIdentity: { trustProxy: 1 }, inboundLimits: { requestsPerMinute: 1 } });

    it('tells apart two clients coming through the same proxy address; a spoofed left entry changes nothing', async () => {
      const a = { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' };
      const b = { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' };
      expect((await ask(stack(), CHEAP, a)).status).toBe(200);
      expect((await ask(stack(), CHEAP, b)).status).toBe(200);
      expect((await ask(stack(), CHEAP, a)).status).toBe(429);
      // What the client wrote itself (left of what the proxy appended) is not who it is.
      expect((await ask(stack(), CHEAP, { 'x-forwarded-for': '192.0.2.99, 198.51.100.1' })).status).toBe(429);
      expect((await ask(stack(), CHEAP, { 'x-forwarded-for': '198.51.100.3' })).status).toBe(200);
    });
  });

  describe('with no proxy trusted (the default)', () => {
    const stack = withStack({ inboundLimits: { requestsPerMinute: 1 } });

    it('ignores X-Forwarded-For: a client cannot name itself', async () => {
      expect((await ask(stack(), CHEAP, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
      expect((await ask(stack(), CHEAP, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);
    });
  });
});

describe('per-client limits (RATE_LIMIT_REQUESTS_PER_MINUTE, RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE)', () => {
  describe('requests', () => {
    const stack = withStack({ inboundLimits: { requestsPerMinute: 3 } });

    it('past the limit: 429, Retry-After in seconds and RATE_LIMITED naming the setting, before any ORD call', async () => {
      for (let i = 0; i < 3; i++) expect((await ask(stack(), lookup(unknownCodes(1, i)))).status).toBe(200);
      stack().sim.clearLog();
      const refused = await ask(stack(), lookup(unknownCodes(1, 50)));
      expect(refused.status).toBe(429);
      // 3 a minute: one comes back every 20 s.
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(20);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors).toHaveLength(1);
      expect(refused.body.errors![0]!.extensions).toEqual({
        code: 'RATE_LIMITED',
        limit: 'RATE_LIMIT_REQUESTS_PER_MINUTE',
        perMinute: 3,
        retryAfterSeconds: Number(refused.retryAfter),
      });
      expect(stack().calls()).toEqual([]);
      // The server stays up for everyone else.
      expect((await fetch(`${new URL(stack().url).origin}/health`)).status).toBe(200);
    });
  });

  describe('estimated ORD calls', () => {
    const stack = withStack({ inboundLimits: { upstreamCallsPerMinute: 10 } });

    it('charges each operation its estimate; one over the allowance is refused with 429 before any ORD call', async () => {
      stack().sim.clearLog();
      const first = await ask(stack(), lookup(unknownCodes(8)));
      expect(first.status).toBe(200);
      expect(stack().calls()).toHaveLength(8);
      stack().sim.clearLog();
      const refused = await ask(stack(), lookup(unknownCodes(5, 20)));
      expect(refused.status).toBe(429);
      expect(refused.body.errors![0]!.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        limit: 'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE',
        perMinute: 10,
      });
      // 3 calls short at 10 a minute: 18 s.
      expect(Number(refused.retryAfter)).toBe(18);
      expect(stack().calls()).toEqual([]);
      // What fits in what is left still runs.
      const small = await ask(stack(), lookup(unknownCodes(2, 30)));
      expect(small.status).toBe(200);
      expect(stack().calls()).toHaveLength(2);
    });
  });
});

describe('ClientBuckets (the token buckets behind both limits, on a fake clock)', () => {
  it('refills evenly over a minute, caps at the allowance, and says how long until a cost fits', () => {
    let t = 0;
    const buckets = new ClientBuckets(60, () => t);
    expect(buckets.take('a', 50)).toEqual({ ok: true, charged: 50 });
    expect(buckets.take('a', 20)).toEqual({ ok: false, retryAfterMs: 10_000 });
    expect(buckets.take('b', 20)).toEqual({ ok: true, charged: 20 });
    t = 10_000;
    expect(buckets.take('a', 20)).toEqual({ ok: true, charged: 20 });
    t = 10_000_000;
    expect(buckets.take('a', 60)).toEqual({ ok: true, charged: 60 });
  });

  it('an operation estimated above a minute’s allowance needs a full bucket and takes it; settle bills the real cost', () => {
    let t = 0;
    const buckets = new ClientBuckets(60, () => t);
    expect(buckets.take('a', 1000)).toEqual({ ok: true, charged: 60 });
    // It really made 5 calls: 55 come back.
    buckets.settle('a', 60, 5);
    expect(buckets.take('a', 55)).toEqual({ ok: true, charged: 55 });
    expect(buckets.take('a', 1)).toEqual({ ok: false, retryAfterMs: 1000 });
    // An operation that made more calls than it was charged leaves the client in debt.
    t = 60_000;
    expect(buckets.take('b', 10)).toEqual({ ok: true, charged: 10 });
    buckets.settle('b', 10, 100);
    expect(buckets.take('b', 1)).toEqual({ ok: false, retryAfterMs: 41_000 });
  });

  it('forgets clients whose bucket has refilled, so idle clients cost no memory', () => {
    let t = 0;
    const buckets = new ClientBuckets(60, () => t);
    for (let i = 0; i < 1024; i++) buckets.take(`c${i}`, 1);
    expect(buckets.size).toBe(1024);
    t = 60_000;
    buckets.take('late', 1);
    expect(buckets.size).toBe(1);
  });
});

describe('the per-client queue bound (ORD_MAX_QUEUED_PER_CLIENT)', () => {
  const stack = withStack({ rateLimit: 1, ord: { maxQueuedPerClient: 3 } });

  it('calls beyond the bound fail fast with UPSTREAM_QUEUE_FULL at their own field; the queued ones are answered', async () => {
    stack().sim.clearLog();
    const codes = unknownCodes(6, 60);
    const reply = await ask(stack(), lookup(codes));
    expect(reply.status).toBe(200);
    const errors = reply.body.errors ?? [];
    // One call may start before the others are queued; at most 3 wait, so at least 2 of 6 are refused.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(3);
    for (const error of errors) {
      expect(error.extensions).toEqual({ code: 'UPSTREAM_QUEUE_FULL', limit: 3 });
      expect(error.path?.[0]).toBe('organisations');
    }
    // Refused calls never reached ORD.
    expect(stack().calls()).toHaveLength(6 - errors.length);
    expect(loadConfig({ ORD_MAX_QUEUED_PER_CLIENT: '20' }).ord.maxQueuedPerClient).toBe(20);
    expect(loadConfig({}).ord.maxQueuedPerClient).toBe(300);
  });
});

describe('fair queueing over HTTP: the client travels with the operation into the gate', () => {
  const stack = withStack({
    rateLimit: 2,
    clientIdentity: { apiKeys: parseApiKeys(`greedy:${GOOD},cheap:${OTHER}`) },
  });

  it('a cheap client’s one call starts within a couple of starts of a greedy client’s 12 queued ones', async () => {
    stack().sim.clearLog();
    const greedyCodes = unknownCodes(12, 70);
    const greedy = ask(stack(), lookup(greedyCodes), { 'x-api-key': GOOD });
    const gate = stack().client.gate;
    // Wait (on counts, not time) until the greedy operation's calls are all in the gate.
    for (let i = 0; i < 500 && gate.stats().waiting.interactive + gate.stats().started.interactive < 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const startedBefore = gate.stats().started.interactive;
    expect(gate.stats().waiting.interactive).toBeGreaterThanOrEqual(8);
    const cheap = await ask(stack(), '{ organisation(odsCode: "ZZZ97") { name } }', { 'x-api-key': OTHER });
    expect(cheap.body.data).toEqual({ organisation: null });
    expect((await greedy).status).toBe(200);
    const order = stack()
      .calls('organisation')
      .map((c) => c.path);
    expect(order).toHaveLength(13);
    // First come, first served would put it after all 12 (index 12); turns put it next, give or take one.
    const at = order.indexOf('organisations/ZZZ97');
    expect(at).toBeGreaterThanOrEqual(startedBefore);
    expect(at).toBeLessThanOrEqual(startedBefore + 1);
  });
});
