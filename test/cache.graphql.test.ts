// The shared cache over real HTTP against the simulator: a warm query costs no ORD call, a search primes summaries for
// later requests, and 100 concurrent identical cold queries make exactly one ORD call per distinct resource.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '../src/server/examples.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tier: 'small', cache: true });
});
afterAll(async () => {
  await stack?.close();
});

function example(name: string): { query: string; variables: Record<string, unknown> } {
  const op = exampleOperations().find((o) => o.name === name);
  if (!op) throw new Error(`no example operation ${name}`);
  return { query: op.query, variables: op.variables ? (JSON.parse(op.variables) as Record<string, unknown>) : {} };
}

describe('warm queries', () => {
  it('OrganisationCard costs ORD calls once, then none (and says so in extensions.upstream)', async () => {
    const { query, variables } = example('OrganisationCard');
    stack.sim.clearLog();
    const cold = await stack.gql(query, variables);
    expect(cold.errors).toBeUndefined();
    const coldCalls = stack.calls().length;
    expect(coldCalls).toBeGreaterThan(1);
    expect((cold as { extensions?: { upstream?: { calls: number } } }).extensions?.upstream?.calls).toBe(coldCalls);

    stack.sim.clearLog();
    const warm = await stack.gql(query, variables);
    expect(warm.data).toEqual(cold.data);
    expect(stack.calls()).toEqual([]);
    expect((warm as { extensions?: { upstream?: unknown } }).extensions?.upstream).toMatchObject({
      calls: 0,
      estimate: 0,
    });
  });
});

describe('summaries prime the cache across requests', () => {
  it('summary fields of organisations seen in an earlier search cost 0 ORD calls', async () => {
    const search = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO177", status: ACTIVE }, first: 40) {
          edges { node { odsCode recordClass { id } primaryRole { type { id } } } } } }`,
    );
    expect(search.errors).toBeUndefined();
    const codes: string[] = (search.data!.searchOrganisations as { edges: { node: { odsCode: string } }[] }).edges.map(
      (e) => e.node.odsCode,
    );
    expect(codes.length).toBe(40);

    // Every summary-served field, through organisations(odsCodes), organisation(odsCode) and node(id).
    stack.sim.clearLog();
    const later = await stack.gql(
      `query ($codes: [String!]!, $one: String!, $id: ID!) {
        organisations(odsCodes: $codes) {
          id odsCode name status lastChangeDate recordClass { id displayName }
          address { postcode } primaryRole { isPrimary type { id displayName } }
        }
        organisation(odsCode: $one) { name status }
        node(id: $id) { ... on Organisation { odsCode name } }
      }`,
      { codes, one: codes[0], id: Buffer.from(`Organisation:${codes[1]}`).toString('base64') },
    );
    expect(later.errors).toBeUndefined();
    expect(stack.calls()).toEqual([]);
    const orgs = later.data!.organisations as { odsCode: string; primaryRole: { isPrimary: boolean } }[];
    expect(orgs.map((o) => o.odsCode)).toEqual(codes);
    expect(orgs.every((o) => o.primaryRole.isPrimary)).toBe(true);

    // A field the summary cannot answer still fetches the full record (once), and that is cached too.
    const town = await stack.gql(`query ($c: String!) { organisation(odsCode: $c) { address { town } } }`, {
      c: codes[2],
    });
    expect(town.errors).toBeUndefined();
    expect(stack.calls().map((c) => c.path)).toEqual([`organisations/${codes[2]}`]);
  });

  it('a fresh negative entry answers organisation(odsCode) with null and no call', async () => {
    stack.sim.clearLog();
    const first = await stack.gql(`{ organisation(odsCode: "ZZ999") { name } }`);
    expect(first.data).toEqual({ organisation: null });
    expect(stack.calls('organisation')).toHaveLength(1);
    stack.sim.clearLog();
    const again = await stack.gql(`{ organisation(odsCode: "zz999") { name } }`);
    expect(again.data).toEqual({ organisation: null });
    expect(stack.calls()).toEqual([]);
  });
});

describe('single flight across requests', () => {
  it('100 concurrent identical cold queries make exactly one ORD call per distinct resource', async () => {
    const cold = await startStack({ tier: 'small', cache: true });
    try {
      const query = `{
        organisation(odsCode: "RAL") {
          name address { town } recordClass { displayName }
          relationships(status: ACTIVE) { type { displayName } target { name } }
          sites: inboundRelationships(types: ["RE6"], status: ACTIVE, first: 50) { totalCount edges { node { odsCode name } } }
        }
      }`;
      const results = await Promise.all(Array.from({ length: 100 }, () => cold.gql(query)));
      for (const r of results) {
        expect(r.errors).toBeUndefined();
        expect(r.data).toEqual(results[0]!.data);
      }
      const paths = cold.calls().map((c) => c.path);
      expect(paths.length).toBeGreaterThanOrEqual(4); // RAL, its targets, the membership search, code systems
      expect(new Set(paths).size).toBe(paths.length);
      const spent = results.reduce(
        (n, r) => n + ((r as { extensions?: { upstream?: { calls: number } } }).extensions?.upstream?.calls ?? 0),
        0,
      );
      expect(spent).toBe(paths.length); // each call was paid for by exactly one of the 100 operations
      expect(cold.cache!.stats().sharedInFlight).toBeGreaterThan(0);
    } finally {
      await cold.close();
    }
  });
});
