// The GraphQL contract holds on every source: each operation of the corpus (the example operations and queries over
// every field, filter, paging window and input error) gives the same answer from ORD and from a mirror of the same data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractCorpus } from './helpers/contractCorpus.js';
import { MIRROR_ENGINES, stopSharedPostgres } from './helpers/mirror.js';
import { startStack, type GraphQLResponse, type Stack } from './helpers/stack.js';

const corpus = contractCorpus();

/** What a client sees of an answer; `extensions` on the response say which source answered, so they are left out. */
function answer(res: GraphQLResponse) {
  return {
    status: res.status,
    data: res.data,
    errors: res.errors?.map((e) => ({
      message: e.message,
      path: e.path,
      code: e.extensions?.code,
      argumentName: e.extensions?.argumentName,
    })),
  };
}

let ord: Stack;
const expected = new Map<string, ReturnType<typeof answer>>();

beforeAll(async () => {
  ord = await startStack({ tier: 'small' });
  for (const op of corpus) expected.set(op.name, answer(await ord.gql(op.query, op.variables)));
}, 120_000);
afterAll(async () => {
  await ord?.close();
  await stopSharedPostgres();
});

it('the corpus covers the example operations and answers them without errors on ORD', () => {
  const examples = corpus.filter((op) => op.name.startsWith('example ') || op.name.startsWith('walk '));
  expect(examples.length).toBeGreaterThanOrEqual(10);
  for (const op of examples) expect(expected.get(op.name)?.errors, op.name).toBeUndefined();
  // The walks compare ORD's level-by-level walk with the mirror's own: both must find something to compare.
  expect(JSON.stringify(expected.get('walk down an ICB to its practices')?.data)).toContain('"93C"');
  const up = expected.get('walk up from a site')?.data as {
    organisation: { ancestors: { edges: { depth: number; node: { odsCode: string } }[] } };
  };
  expect(up.organisation.ancestors.edges.slice(0, 2).map((e) => [e.depth, e.node.odsCode])).toEqual([
    [1, 'RVV'],
    [2, 'QKS'],
  ]);
  expect(expected.get('card of a trust')?.data).toMatchObject({
    organisation: { odsCode: 'RWR', name: 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST' },
  });
});

describe.each(MIRROR_ENGINES)('SOURCE=mirror on %s answers as SOURCE=ord does', (engine) => {
  let mirror: Stack;
  beforeAll(async () => {
    mirror = await startStack({ tier: 'small', source: `mirror-${engine}` });
  }, 120_000);
  afterAll(async () => {
    await mirror?.close();
  });

  it.each(corpus.map((op) => [op.name, op] as const))('%s', async (_name, op) => {
    const res = await mirror.gql(op.query, op.variables);
    expect(answer(res)).toEqual(expected.get(op.name));
    // An executed operation says where its answer came from and how fresh it is (a request refused before execution,
    // such as a malformed argument, was answered by no source).
    if (res.data !== undefined)
      expect(res.extensions?.source).toEqual({ name: 'mirror', asOf: '2026-03-01T00:00:00.000Z' });
  });

  it('made no ORD call for the whole corpus', () => {
    expect(mirror.calls()).toEqual([]);
  });
});

/**
 * Where ODT cannot give ORD's answer, each documented on the field or filter it concerns (docs/odt-wire.md): the
 * operation, and why. Every other operation must answer exactly as ORD does.
 */
const SOURCE_DEPENDENT_ON_FHIR: Record<string, string> = {
  // SearchFilter.name's description: ORD's `_` matches one character; ODT's name:contains has no wildcard.
  'search by name wildcard': 'ODT has no single-character wildcard',
};

describe('SOURCE=fhir (over the ODT simulator) answers as SOURCE=ord does', () => {
  let fhir: Stack;
  beforeAll(async () => {
    fhir = await startStack({ tier: 'small', source: 'fhir' });
  }, 120_000);
  afterAll(async () => {
    await fhir?.close();
  });

  it.each(corpus.map((op) => [op.name, op] as const))('%s', async (name, op) => {
    const res = await fhir.gql(op.query, op.variables);
    if (SOURCE_DEPENDENT_ON_FHIR[name] !== undefined) {
      // Answered without error, and differently from ORD (else the exception is stale and should go).
      expect(res.errors).toBeUndefined();
      expect(answer(res)).not.toEqual(expected.get(op.name));
      return;
    }
    expect(answer(res)).toEqual(expected.get(op.name));
  });

  it('made its calls to ODT, none to ORD', () => {
    expect(fhir.sim.requests()).toEqual([]);
    expect(fhir.odt?.requests().length).toBeGreaterThan(0);
  });
});
