// GraphQL tests for the Relay Node interface: Organisation.id as a global id, node(id) and nodes(ids), malformed ids.
// Over HTTP against the ORD simulator (tier small).

import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { NodesDocument } from '../src/generated/graphql.js';
import { useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const orgPaths = () => stack.calls('organisation').map((c) => c.path);

describe('node / nodes', () => {
  it('Organisation.id is an opaque global id that node(id) resolves back to the same organisation', async () => {
    const first = await stack.gql(`{ organisation(odsCode: "rwr") { id odsCode } }`);
    const id: string = first.data!.organisation.id;
    expect(id).toBe(encodeGlobalID('Organisation', 'RWR'));
    expect(id).not.toContain('RWR');

    stack.sim.clearLog();
    const res = await stack.gql(
      `query ($id: ID!) { node(id: $id) { __typename id ... on Organisation { odsCode name } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.node).toEqual({
      __typename: 'Organisation',
      id,
      odsCode: 'RWR',
      name: 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST',
    });
    expect(orgPaths()).toEqual(['organisations/RWR']);
  });

  it('ids of search results (summaries) work with node too', async () => {
    const search = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 2) { edges { node { id odsCode } } } }`,
    );
    const edge = search.data!.searchOrganisations.edges[1].node;
    const res = await stack.gql(`query ($id: ID!) { node(id: $id) { id ... on Organisation { odsCode } } }`, {
      id: edge.id,
    });
    expect(res.data!.node).toEqual({ id: edge.id, odsCode: edge.odsCode });
  });

  it('nodes(ids) keeps the order, gives null for an unknown organisation, and fetches a repeated id once', async () => {
    const ids = ['RVVKC', 'ZZZ99', '97T', 'RVVKC'].map((code) => encodeGlobalID('Organisation', code));
    const res = await stack.gql(NodesDocument, { ids });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes.map((n) => (n && 'odsCode' in n ? n.odsCode : null))).toEqual([
      'RVVKC',
      null,
      '97T',
      'RVVKC',
    ]);
    expect(orgPaths().sort()).toEqual(['organisations/97T', 'organisations/RVVKC', 'organisations/ZZZ99']);
  });

  it.each([
    ['node(id: "RWR") { id }', 'id'],
    [`node(id: "${encodeGlobalID('User', '1')}") { id }`, 'id'],
    [`node(id: "${encodeGlobalID('Organisation', 'no such/code')}") { id }`, 'id'],
    [`nodes(ids: ["${encodeGlobalID('Organisation', 'RWR')}", "%%"]) { id }`, 'ids'],
  ])('%s is a BAD_USER_INPUT naming %s', async (selection, argumentName) => {
    const res = await stack.gql(`{ ${selection} }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(stack.calls()).toHaveLength(0);
  });
});
