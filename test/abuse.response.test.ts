// A tiny request asking for a huge response, over HTTP against the simulator: repeated codes in aliases are refused
// while executing (RESPONSE_TOO_LARGE, small body), legitimate big answers pass, and the upstream estimate counts lists.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { exampleOperations } from '../src/server/examples.js';
import { useStack, type GraphQLResponse } from './helpers/stack.js';

/** A code the small tier holds: ROYAL FREE LONDON NHS FOUNDATION TRUST, with relationships two levels up. */
const CODE = 'RAL';
const NESTED = 'name relationships { target { name relationships { target { name } } } }';
const CARD = `odsCode name status lastChangeDate address { town postcode } primaryRole { type { code } isPrimary }
  roles { type { code } isPrimary } relationships { type { code } target { odsCode } }`;

/** The attack: `$codes` = 1000 copies of one code, in 15 aliases of `organisations`. */
function attack(selection: string): { query: string; variables: { codes: string[] } } {
  const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: organisations(odsCodes: $codes) { ${selection} }`);
  return {
    query: `query Attack($codes: [String!]!) {\n${aliases.join('\n')}\n}`,
    variables: { codes: Array<string>(1000).fill(CODE) },
  };
}

interface Raw {
  status: number;
  bytes: number;
  body: GraphQLResponse & { extensions?: { upstream?: { estimate: number; calls: number } } };
}

async function post(url: string, payload: unknown): Promise<Raw> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Raw['body'] };
}

/** Objects in a JSON value (what MAX_RESULT_OBJECTS counts in `data`, the root object aside). */
function objectsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + objectsIn(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Object.values(value).reduce((n: number, v) => n + objectsIn(v), 0);
}

const DEFAULTS = loadConfig({}).responseBounds;

/** The attack requests take seconds of CPU before they are refused (and far longer on a loaded machine). */
const ATTACK_TIMEOUT_MS = 180_000;

describe('the attack request, with the default bounds', () => {
  const stack = useStack({ tier: 'small', cache: true });

  it(
    `1000 × "${CODE}" in 15 aliases, two nested relationship levels: RESPONSE_TOO_LARGE (MAX_RESULT_OBJECTS), a small body`,
    async () => {
      // Warm: every record is cached, so the upstream estimate is 0 and only the result bound can refuse it.
      const warm = await stack.gql(`{ organisation(odsCode: "${CODE}") { ${NESTED} } }`);
      expect(warm.errors).toBeUndefined();
      const res = await post(stack.url, attack(NESTED));
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      const error = res.body.errors![0]!;
      expect(error.extensions).toEqual({
        code: 'RESPONSE_TOO_LARGE',
        setting: 'MAX_RESULT_OBJECTS',
        limit: DEFAULTS.maxResultObjects,
      });
      expect(error.message).toContain('MAX_RESULT_OBJECTS');
      expect(res.body.extensions?.upstream?.estimate).toBe(0);
      expect(res.bytes).toBeLessThan(1000);
      // The server is still there, and answers the next query in full.
      const next = await stack.gql(`{ organisation(odsCode: "${CODE}") { name } }`);
      expect(next.data).toEqual({ organisation: { name: 'ROYAL FREE LONDON NHS FOUNDATION TRUST' } });
    },
    ATTACK_TIMEOUT_MS,
  );

  it(
    'the same without nesting (a card of fields per organisation): RESPONSE_TOO_LARGE, a small body',
    async () => {
      const res = await post(stack.url, attack(CARD));
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['RESPONSE_TOO_LARGE']);
      expect(res.bytes).toBeLessThan(1000);
    },
    ATTACK_TIMEOUT_MS,
  );

  it(
    "another client's warm query is answered while the attack runs, before the attack's answer",
    async () => {
      await stack.gql(`{ organisation(odsCode: "${CODE}") { ${NESTED} } }`);
      const finished: string[] = [];
      const big = post(stack.url, attack(NESTED)).then((r) => {
        finished.push('attack');
        return r;
      });
      // Let the attack's request be read and its execution start before the small one is sent.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const small = await stack.gql(`{ organisation(odsCode: "${CODE}") { name status } }`);
      finished.push('small');
      expect(small.data).toEqual({
        organisation: { name: 'ROYAL FREE LONDON NHS FOUNDATION TRUST', status: 'ACTIVE' },
      });
      expect((await big).body.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
      expect(finished).toEqual(['small', 'attack']);
    },
    ATTACK_TIMEOUT_MS,
  );

  it('a 1000-row search page passes', async () => {
    const res = await post(stack.url, {
      query: `{ searchOrganisations(filter: { primaryRole: "RO198" }, first: 1000) {
        totalCount edges { cursor node { odsCode name status address { postcode } primaryRole { type { code } isPrimary } } } } }`,
    });
    expect(res.body.errors).toBeUndefined();
    const page = (res.body.data as { searchOrganisations: { totalCount: number; edges: unknown[] } })
      .searchOrganisations;
    expect(page.edges).toHaveLength(1000);
    expect(page.totalCount).toBeGreaterThan(1000);
  });

  for (const op of exampleOperations()) {
    it(`example operation ${op.name} passes, well within both bounds`, async () => {
      const variables = op.variables ? (JSON.parse(op.variables) as Record<string, unknown>) : {};
      const res = await post(stack.url, { query: op.query, variables });
      expect(res.body.errors).toBeUndefined();
      expect(objectsIn(res.body.data)).toBeLessThan(DEFAULTS.maxResultObjects / 10);
      expect(res.bytes).toBeLessThan(DEFAULTS.maxResponseBytes / 10);
    });
  }
});

describe('the bounds count every alias and every repeat, exactly', () => {
  const stack = useStack({
    tier: 'small',
    cache: true,
    responseBounds: { maxResultObjects: 10, maxResponseBytes: 2000 },
  });
  const codes = (n: number) => Array<string>(n).fill(CODE);

  it('10 repeats of one code are 10 objects: at MAX_RESULT_OBJECTS (10) they pass', async () => {
    const res = await post(stack.url, {
      query: 'query ($codes: [String!]!) { organisations(odsCodes: $codes) { odsCode } }',
      variables: { codes: codes(10) },
    });
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { organisations: unknown[] }).organisations).toHaveLength(10);
  });

  it('11 repeats, or 2 aliases of 6, are over: RESPONSE_TOO_LARGE naming MAX_RESULT_OBJECTS and 10', async () => {
    for (const query of [
      'query ($codes: [String!]!) { organisations(odsCodes: $codes) { odsCode } }',
      'query ($codes: [String!]!) { a: organisations(odsCodes: $codes) { odsCode } b: organisations(odsCodes: $codes) { odsCode } }',
    ]) {
      const variables = { codes: codes(query.includes('b:') ? 6 : 11) };
      const res = await post(stack.url, { query, variables });
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.map((e) => e.extensions)).toEqual([
        { code: 'RESPONSE_TOO_LARGE', setting: 'MAX_RESULT_OBJECTS', limit: 10 },
      ]);
    }
  });

  it('long strings are over MAX_RESPONSE_BYTES before the object bound: RESPONSE_TOO_LARGE naming it', async () => {
    // 5 objects, each with a name of ~40 characters repeated in 12 aliases: ~3 KB of JSON.
    const names = Array.from({ length: 12 }, (_, i) => `n${i}: name`).join(' ');
    const res = await post(stack.url, {
      query: `query ($codes: [String!]!) { organisations(odsCodes: $codes) { ${names} } }`,
      variables: { codes: codes(5) },
    });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'RESPONSE_TOO_LARGE', setting: 'MAX_RESPONSE_BYTES', limit: 2000 },
    ]);
    // The same with 2 aliases (~500 bytes) passes.
    const fine = await post(stack.url, {
      query: 'query ($codes: [String!]!) { organisations(odsCodes: $codes) { n0: name n1: name } }',
      variables: { codes: codes(5) },
    });
    expect(fine.body.errors).toBeUndefined();
  });
});

describe('the upstream estimate of list arguments (cold cache)', () => {
  const stack = useStack({ tier: 'small' });
  const estimateOf = async (query: string, variables?: Record<string, unknown>) => {
    const res = await post(stack.url, { query, variables });
    expect(res.body.errors).toBeUndefined();
    return res.body.extensions!.upstream!;
  };

  it('a single string for odsCodes is one code: estimated 1, and 1 call made', async () => {
    expect(await estimateOf(`{ organisations(odsCodes: "${CODE}") { name } }`)).toMatchObject({
      estimate: 1,
      calls: 1,
    });
    expect(
      await estimateOf('query ($c: [String!]!) { organisations(odsCodes: $c) { name } }', { c: CODE }),
    ).toMatchObject({ estimate: 1, calls: 1 });
  });

  it('a list in variables counts as a literal one does; a repeated code is one fetch', async () => {
    const query = 'query ($c: [String!]!) { organisations(odsCodes: $c) { name } }';
    expect(await estimateOf(query, { c: ['RAL', 'RRV', 'RAP'] })).toMatchObject({ estimate: 3, calls: 3 });
    expect(await estimateOf(query, { c: Array<string>(1000).fill(CODE) })).toMatchObject({ estimate: 1, calls: 1 });
    expect(await estimateOf(`{ organisations(odsCodes: ["RAL", "RRV", "RAP"]) { name } }`)).toMatchObject({
      estimate: 3,
      calls: 3,
    });
  });

  it('a single type for relationships(types) counts as one type, not as no filter', async () => {
    const one = await estimateOf(
      `{ organisation(odsCode: "${CODE}") { relationships(types: "RE5") { target { name } } } }`,
    );
    const list = await estimateOf(
      `{ organisation(odsCode: "${CODE}") { relationships(types: ["RE5"]) { target { name } } } }`,
    );
    expect(one.estimate).toBe(list.estimate);
  });
});
