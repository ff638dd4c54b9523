// GraphQL tests for searchOrganisations / organisationsChangedSince: every filter, paging beyond ORD's 1000-row pages.
// Over HTTP against the ORD simulator (tier small: 1035 trust sites, RO198, make a search with more than 1000 matches).

import { describe, expect, it } from 'vitest';
import { ChangedSinceDocument, SearchPagedDocument } from '../src/generated/graphql.js';
import { useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const searchPaths = () => stack.calls('search').map((c) => c.path);
type Edge = { cursor: string; node: { odsCode: string; name: string } };

describe('paging', () => {
  it('walks 1035 trust sites with first: 1000, one ORD page per GraphQL page, with an exact totalCount', async () => {
    const filter = { primaryRole: 'RO198' };
    const page1 = await stack.gql(SearchPagedDocument, { filter, first: 1000 });
    expect(page1.errors).toBeUndefined();
    const conn1 = page1.data!.searchOrganisations;
    expect(conn1.totalCount).toBe(1035);
    expect(conn1.edges).toHaveLength(1000);
    expect(conn1.pageInfo.hasNextPage).toBe(true);
    expect(searchPaths()).toEqual(['organisations?PrimaryRoleId=RO198&Limit=1000']);

    stack.sim.clearLog();
    const page2 = await stack.gql(SearchPagedDocument, { filter, first: 1000, after: conn1.pageInfo.endCursor });
    expect(page2.errors).toBeUndefined();
    const conn2 = page2.data!.searchOrganisations;
    expect(conn2.totalCount).toBe(1035);
    expect(conn2.edges).toHaveLength(35);
    expect(conn2.pageInfo).toEqual({ hasNextPage: false, endCursor: conn2.edges[34]!.cursor });
    expect(searchPaths()).toEqual(['organisations?PrimaryRoleId=RO198&Limit=1000&Offset=1000']);

    const codes = [...conn1.edges, ...conn2.edges].map((e) => e.node.odsCode);
    expect(new Set(codes).size).toBe(1035);
    expect([...conn1.edges, ...conn2.edges].every((e) => e.node.primaryRole?.type.id === 'RO198')).toBe(true);
    // Sorted as ORD sorts: by name, then code.
    const keys = [...conn1.edges, ...conn2.edges].map((e) => [e.node.name, e.node.odsCode] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
    expect(keys).toEqual(sorted);
  });

  it("pages that straddle ORD's 1000-row pages are stitched by the source (first: 100 after row 949)", async () => {
    const all = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO198" }, first: 1000) { edges { cursor node { odsCode } } } }`,
    );
    const edges: Edge[] = all.data!.searchOrganisations.edges;
    stack.sim.clearLog();
    const res = await stack.gql(
      `query ($after: String) { searchOrganisations(filter: { primaryRole: "RO198" }, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { odsCode } } } }`,
      { after: edges[949]!.cursor },
    );
    expect(res.errors).toBeUndefined();
    const conn = res.data!.searchOrganisations;
    expect(conn.edges).toHaveLength(85); // rows 950..1034
    expect(conn.edges[0].node.odsCode).toBe(edges[950]!.node.odsCode);
    expect(conn.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it("defaults first to 100 and never cuts at ORD's default of 20", async () => {
    const res = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO198" }) { totalCount edges { cursor } pageInfo { hasNextPage } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations.edges).toHaveLength(100);
    expect(res.data!.searchOrganisations.pageInfo.hasNextPage).toBe(true);
    expect(searchPaths()).toEqual(['organisations?PrimaryRoleId=RO198&Limit=100']);
  });

  it('first: 0 gives only the total', async () => {
    const res = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 0) { totalCount edges { cursor } pageInfo { hasNextPage startCursor } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations).toEqual({
      totalCount: 34,
      edges: [],
      pageInfo: { hasNextPage: true, startCursor: null },
    });
  });

  it('after the last row there is an empty page', async () => {
    const first = await stack.gql(
      `{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 1000) { pageInfo { endCursor } } }`,
    );
    const res = await stack.gql(
      `query ($after: String) { searchOrganisations(filter: { primaryRole: "RO197" }, first: 10, after: $after) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
      { after: first.data!.searchOrganisations.pageInfo.endCursor },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations).toEqual({
      totalCount: 34,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, endCursor: null },
    });
  });

  it.each([
    ['first: 1001', 'first'],
    ['first: -1', 'first'],
    ['after: "bm90IGEgY3Vyc29y"', 'after'],
    ['after: "%%%"', 'after'],
  ])('%s is a BAD_USER_INPUT naming %s, and ORD is not called', async (args, argumentName) => {
    const res = await stack.gql(`{ searchOrganisations(filter: { primaryRole: "RO197" }, ${args}) { totalCount } }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(stack.calls()).toHaveLength(0);
  });
});

describe('filters', () => {
  it('name (case-insensitive substring)', async () => {
    const res = await stack.gql(
      `{ searchOrganisations(filter: { name: "royal free" }, first: 1) { totalCount edges { node { odsCode name } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations.totalCount).toBe(150);
    expect(res.data!.searchOrganisations.edges[0].node).toEqual({
      odsCode: 'RAL',
      name: 'ROYAL FREE LONDON NHS FOUNDATION TRUST',
    });
    expect(searchPaths()[0]).toContain('Name=royal%20free');
  });

  it('postcode district and record class together', async () => {
    const res = await stack.gql(
      `{ searchOrganisations(filter: { postcode: "NW3", recordClass: "rc1" }) { totalCount edges { node { address { postcode } recordClass { id } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const conn = res.data!.searchOrganisations;
    expect(conn.totalCount).toBe(17);
    expect(
      conn.edges.every((e: any) => e.node.address.postcode.startsWith('NW3 ') && e.node.recordClass.id === 'RC1'),
    ).toBe(true);
    expect(searchPaths()).toEqual(['organisations?PostCode=NW3&OrgRecordClass=RC1&Limit=100']);
  });

  it("status, primary, non-primary and any-of roles are sent as ORD's filters", async () => {
    const res = await stack.gql(`{
      gp: searchOrganisations(filter: { nonPrimaryRole: "RO76", status: ACTIVE }, first: 0) { totalCount }
      trusts: searchOrganisations(filter: { primaryRole: "RO197", status: INACTIVE }, first: 0) { totalCount }
      anyOf: searchOrganisations(filter: { anyOfRoles: ["RO57", "RO272"] }, first: 0) { totalCount }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.gp.totalCount).toBe(180);
    expect(res.data!.anyOf.totalCount).toBe(44);
    expect(searchPaths().sort()).toEqual(
      [
        'organisations?Status=Inactive&PrimaryRoleId=RO197&Limit=1',
        'organisations?Roles=RO57,RO272&Limit=1',
        'organisations?Status=Active&NonPrimaryRoleId=RO76&Limit=1',
      ].sort(),
    );
  });

  it("relatedTo: the membership search (RVV's RE6 members include RVVKC)", async () => {
    const res = await stack.gql(`{
      searchOrganisations(filter: { relatedTo: { odsCode: "rvv", relationshipTypes: ["RE6"], relationshipStatus: ACTIVE } }) {
        edges { node { odsCode } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations.edges.map((e: Edge) => e.node.odsCode)).toContain('RVVKC');
    expect(searchPaths()).toEqual(['organisations?RelTypeId=RE6&TargetOrgId=RVV&RelStatus=active&Limit=100']);
  });

  it('an empty filter, or a malformed role/record class/code in it, is a BAD_USER_INPUT naming filter', async () => {
    for (const filter of [
      '{}',
      '{ primaryRole: "trust" }',
      '{ recordClass: "RC3" }',
      '{ relatedTo: { odsCode: "R W R" } }',
      '{ anyOfRoles: ["RO1", "x"] }',
    ]) {
      const res = await stack.gql(`{ searchOrganisations(filter: ${filter}) { totalCount } }`);
      expect(res.errors?.[0]?.extensions, filter).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter' });
    }
    expect(stack.calls()).toHaveLength(0);
  });

  it('a name or postcode ORD would refuse (Name too short) is a BAD_USER_INPUT naming filter, checked before ORD', async () => {
    const res = await stack.gql(`{ searchOrganisations(filter: { name: "ab" }) { totalCount } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter' });
    expect(res.errors![0]!.message).toContain('filter.name must be 3 to 100 characters');
    expect(stack.calls()).toHaveLength(0);
  });
});

describe('organisationsChangedSince', () => {
  it("uses ORD's search with LastChangeDate: one sorted, paged call with summaries", async () => {
    const res = await stack.gql(ChangedSinceDocument, { date: '2025-09-01', first: 100 });
    expect(res.errors).toBeUndefined();
    const conn = res.data!.organisationsChangedSince;
    expect(conn.totalCount).toBe(13);
    expect(conn.pageInfo.hasNextPage).toBe(false);
    expect(conn.edges.every((e) => e.node.lastChangeDate! >= '2025-09-01')).toBe(true);
    const codes = conn.edges.map((e) => e.node.odsCode);
    expect(codes).toEqual(expect.arrayContaining(['G6V2S', 'RRP', 'TAF']));
    expect(stack.calls().map((c) => c.path)).toEqual(['organisations?LastChangeDate=2025-09-01&Limit=100']);
  });

  it('pages the change feed too', async () => {
    const page1 = await stack.gql(ChangedSinceDocument, { date: '2025-09-01', first: 10 });
    const conn1 = page1.data!.organisationsChangedSince;
    expect(conn1.edges).toHaveLength(10);
    expect(conn1.pageInfo.hasNextPage).toBe(true);
    const page2 = await stack.gql(ChangedSinceDocument, {
      date: '2025-09-01',
      first: 10,
      after: conn1.pageInfo.endCursor,
    });
    expect(page2.data!.organisationsChangedSince.edges).toHaveLength(3);
    expect(page2.data!.organisationsChangedSince.pageInfo.hasNextPage).toBe(false);
  });

  it("a date beyond ORD's 185-day window is UPSTREAM_REJECTED with ORD's text", async () => {
    const res = await stack.gql(ChangedSinceDocument, { date: '2020-01-01' });
    expect(res.data).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      ordErrorText: 'Supplied LastChangeDate exceeds the limit of 185 days past.',
    });
  });

  it("daysAgo counts back from the source's today (the simulator's 2026-03-01): 181 days is 2025-09-01", async () => {
    const res = await stack.gql(ChangedSinceDocument, { daysAgo: 181, first: 100 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisationsChangedSince.totalCount).toBe(13);
    expect(stack.calls().map((c) => c.path)).toEqual(['organisations?LastChangeDate=2025-09-01&Limit=100']);
    const today = await stack.gql(ChangedSinceDocument, { daysAgo: 0, first: 1 });
    expect(today.errors).toBeUndefined();
    expect(stack.calls().at(-1)?.path).toBe('organisations?LastChangeDate=2026-03-01&Limit=1');
  });

  it('needs exactly one of date and daysAgo, and daysAgo inside the window, as BAD_USER_INPUT before any call', async () => {
    for (const [variables, argumentName] of [
      [{}, 'date'],
      [{ date: '2026-01-01', daysAgo: 30 }, 'daysAgo'],
      [{ daysAgo: 185 }, 'daysAgo'],
      [{ daysAgo: -1 }, 'daysAgo'],
    ] as const) {
      const res = await stack.gql(ChangedSinceDocument, variables);
      expect(res.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({
        code: 'BAD_USER_INPUT',
        argumentName,
      });
    }
    expect(stack.calls()).toEqual([]);
  });
});
