// GraphQL tests for the multi-level walks (descendants, ancestors) over the ORD simulator's small tier (ICB QMJ), and
// for the mirror-only search filters, which the ORD source refuses before sending anything.

import { describe, expect, it } from 'vitest';
import { IcbPracticesDocument } from '../src/generated/graphql.js';
import { dataCalls, startStack, useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

interface Edge {
  cursor: string;
  depth: number;
  relationshipType: { id: string };
  via: { odsCode: string };
  node: { odsCode: string; name: string };
}
interface WalkPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: Edge[];
}

const EDGE = 'cursor depth relationshipType { id } via { odsCode } node { odsCode name }';
const PAGE = `totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { ${EDGE} }`;

/** One walk field on one organisation; fails the test on any error. */
async function walk(odsCode: string, field: string): Promise<WalkPage> {
  const res = await stack.gql(`{ organisation(odsCode: "${odsCode}") { walk: ${field} { ${PAGE} } } }`);
  expect(res.errors).toBeUndefined();
  return res.data!.organisation.walk as WalkPage;
}

const codes = (page: WalkPage) => page.edges.map((e) => e.node.odsCode);

describe('descendants', () => {
  it("an ICB's GP practices through its sub-ICB locations equal the set found by hand with inboundRelationships", async () => {
    const walked = await walk('QMJ', 'descendants(types: ["RE5", "RE4"], depth: 2, primaryRole: "RO177", first: 1000)');
    // By hand: QMJ's active RE5 members, then each one's active RE4 members whose primary role is RO177.
    const level1 = await stack.gql(`{
      organisation(odsCode: "QMJ") { inboundRelationships(types: ["RE5"], status: ACTIVE) { edges { node { odsCode } } } }
    }`);
    expect(level1.errors).toBeUndefined();
    const expected = new Set<string>();
    for (const edge of level1.data!.organisation.inboundRelationships.edges) {
      const level2 = await stack.gql(`{
        organisation(odsCode: "${edge.node.odsCode}") {
          inboundRelationships(types: ["RE4"], status: ACTIVE, primaryRole: "RO177", first: 1000) { edges { node { odsCode } } }
        }
      }`);
      expect(level2.errors).toBeUndefined();
      for (const member of level2.data!.organisation.inboundRelationships.edges) expected.add(member.node.odsCode);
    }
    // 93C (NHS NORTH CENTRAL LONDON ICB - 93C) commissions 265 practices and prescribing cost centres now.
    expect(expected.size).toBe(265);
    expect(walked.totalCount).toBe(265);
    expect(new Set(codes(walked))).toEqual(expected);
    expect(codes(walked)).toContain('E83003'); // OAKLEIGH ROAD HEALTH CENTRE
    expect(codes(walked)).toContain('F83019'); // ABBEY MEDICAL CENTRE
    // Ordered by depth, then name, then code: ABBEY MEDICAL CENTRE is first.
    expect(walked.edges[0]!.node).toEqual({ odsCode: 'F83019', name: 'ABBEY MEDICAL CENTRE' });
    const names = walked.edges.map((e) => e.node.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Every practice is reached through 93C by RE4, at depth 2.
    for (const edge of walked.edges) {
      expect([edge.depth, edge.via.odsCode, edge.relationshipType.id]).toEqual([2, '93C', 'RE4']);
    }
  });

  it("a trust's sites: RKE (WHITTINGTON HEALTH NHS TRUST) operates 52, in name order", async () => {
    const sites = await walk('RKE', 'descendants(types: ["RE6"])');
    expect(sites.totalCount).toBe(52);
    expect(sites.edges).toHaveLength(52);
    expect(sites.edges[0]!.node).toEqual({ odsCode: 'A1O7X', name: 'WHITTINGTON HEALTH NHS TRUST SITE A1O7X' });
    expect(sites.edges[51]!.node.odsCode).toBe('X4C8Q');
    expect(new Set(sites.edges.map((e) => `${e.depth} ${e.via.odsCode} ${e.relationshipType.id}`))).toEqual(
      new Set(['1 RKE RE6']),
    );
  });

  it('depth and via: sub-ICB location 93C at depth 1 through QMJ; its practices at depth 2 through 93C', async () => {
    const both = await walk('QMJ', 'descendants(types: ["RE5", "RE4"], depth: 2, first: 1000)');
    const byCode = new Map(both.edges.map((e) => [e.node.odsCode, e]));
    expect(byCode.get('93C')).toMatchObject({ depth: 1, via: { odsCode: 'QMJ' }, relationshipType: { id: 'RE5' } });
    expect(byCode.get('RAL')).toMatchObject({ depth: 1, via: { odsCode: 'QMJ' }, relationshipType: { id: 'RE5' } });
    expect(byCode.get('E83003')).toMatchObject({ depth: 2, via: { odsCode: '93C' }, relationshipType: { id: 'RE4' } });
    // Depth 1 (9 active RE5 members) comes before depth 2.
    const depths = both.edges.map((e) => e.depth);
    expect(depths.slice(0, 9)).toEqual(Array(9).fill(1));
    expect(depths.slice(9).every((d) => d === 2)).toBe(true);
    expect(both.totalCount).toBe(new Set(codes(both)).size); // each organisation once
  });

  it('each organisation once: E83003 is both commissioned (RE4) and operated (RE6) by 93C; it is listed once, as RE4', async () => {
    const page = await walk('93C', 'descendants(types: ["RE6", "RE4"], first: 1000)');
    const e83003 = page.edges.filter((e) => e.node.odsCode === 'E83003');
    expect(e83003).toHaveLength(1);
    expect(e83003[0]!.relationshipType.id).toBe('RE4');
    expect(page.totalCount).toBe(new Set(codes(page)).size);
  });

  it("each once as at a date too: one search of both types, then each member's record decides (E83003 by RE4)", async () => {
    const page = await walk(
      '93C',
      'descendants(types: ["RE6", "RE4"], activeOn: "2023-01-01", primaryRole: "RO177", first: 1000)',
    );
    const e83003 = page.edges.filter((e) => e.node.odsCode === 'E83003');
    expect(e83003.map((e) => e.relationshipType.id)).toEqual(['RE4']);
    expect(codes(page)).toContain('E83037'); // DERWENT CRESCENT MEDICAL CENTRE, commissioned by 93C then
    expect(page.totalCount).toBe(new Set(codes(page)).size);
    // One membership search (RelTypeId=RE4,RE6, any status), then the members' records.
    const searches = stack.calls('search').map((c) => decodeURIComponent(c.path));
    expect(searches).toHaveLength(1);
    expect(searches[0]).toContain('TargetOrgId=93C');
    expect(searches[0]).not.toContain('RelStatus');
  });

  it('activeOn changes the answer: QMJ in 2021 (before 93C joined) and in March 2026 (G6V2S, RRP, TAF still in)', async () => {
    const now = await walk('QMJ', 'descendants(types: ["RE5"])');
    expect(codes(now).sort()).toEqual(['93C', 'RAL', 'RAP', 'RKE', 'RNK', 'RP4', 'RP6', 'RRV', 'RV3']);
    const in2021 = await walk('QMJ', 'descendants(types: ["RE5"], activeOn: "2021-06-30")');
    // 93C's RE5 to QMJ starts 2022-07-01; TAF's and RRP's had not ended yet.
    expect(codes(in2021).sort()).toEqual(['RAL', 'RAP', 'RKE', 'RNK', 'RP4', 'RP6', 'RRP', 'RRV', 'RV3', 'TAF']);
    const march = await walk('QMJ', 'descendants(types: ["RE5"], activeOn: "2026-03-15")');
    // G6V2S's RE5 to QMJ is INACTIVE (it moves to Z9B2Z on 2026-04-01) but in effect until 2026-03-31.
    expect(codes(march)).toContain('G6V2S');
    expect(codes(now)).not.toContain('G6V2S');
  });

  it("activeOn two levels down: 93C's practices on 2023-01-01 include ones closed since, and not the newer hubs", async () => {
    const then = await walk(
      '93C',
      'descendants(types: ["RE4"], activeOn: "2023-01-01", primaryRole: "RO177", first: 1000)',
    );
    const now = await walk('93C', 'descendants(types: ["RE4"], primaryRole: "RO177", first: 1000)');
    expect(then.totalCount).toBe(253);
    expect(now.totalCount).toBe(265);
    expect(codes(then)).toContain('E83037'); // DERWENT CRESCENT MEDICAL CENTRE, since left
    expect(codes(now)).not.toContain('E83037');
    expect(codes(now)).toContain('Y07840'); // BARNET PCN 3 EAS, commissioned later
    expect(codes(then)).not.toContain('Y07840');
  });

  it("pages with first/after: RKE's 52 sites in three pages of at most 20 put together are the whole walk", async () => {
    const whole = await walk('RKE', 'descendants(types: ["RE6"])');
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: WalkPage = await walk(
        'RKE',
        `descendants(types: ["RE6"], first: 20${after ? `, after: "${after}"` : ''})`,
      );
      expect(page.totalCount).toBe(52);
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      seen.push(...codes(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(codes(whole));
  });

  it('the example operation IcbPractices lists the same practices as the walk above', async () => {
    const res = await stack.gql(IcbPracticesDocument, { icb: 'QMJ', first: 5 });
    expect(res.errors).toBeUndefined();
    const practices = res.data!.organisation!.practices;
    expect(practices.totalCount).toBe(265);
    expect(practices.edges.map((e) => e.node.odsCode)[0]).toBe('F83019');
    expect(practices.edges[0]!.via.odsCode).toBe('93C');
  });
});

describe('ancestors', () => {
  it('a site up to its region: RVVKC → RVV (RE6) → QKS (RE5) → Y59 (RE5)', async () => {
    const up = await walk('RVVKC', 'ancestors(types: ["RE6", "RE5"])');
    expect(up.edges.map((e) => [e.depth, e.node.odsCode, e.via.odsCode, e.relationshipType.id])).toEqual([
      [1, 'RVV', 'RVVKC', 'RE6'],
      [2, 'QKS', 'RVV', 'RE5'],
      [3, 'Y59', 'QKS', 'RE5'],
    ]);
    expect(up.edges[2]!.node.name).toBe('SOUTH EAST COMMISSIONING REGION');
    expect(up.totalCount).toBe(3);
  });

  it('depth stops the walk; primaryRole lists only the region', async () => {
    expect(codes(await walk('RVVKC', 'ancestors(types: ["RE6", "RE5"], depth: 2)'))).toEqual(['RVV', 'QKS']);
    expect(codes(await walk('RVVKC', 'ancestors(types: ["RE6", "RE5"], primaryRole: "RO209")'))).toEqual(['Y59']);
  });

  it("activeOn: E83003's commissioner in 2015 was NHS BARNET CCG (07M); now 93C, then QMJ", async () => {
    const in2015 = await walk('E83003', 'ancestors(types: ["RE4"], activeOn: "2015-06-01")');
    expect(in2015.edges.map((e) => [e.node.odsCode, e.node.name])).toEqual([['07M', 'NHS BARNET CCG']]);
    const now = await walk('E83003', 'ancestors(types: ["RE4", "RE5"], depth: 2)');
    expect(now.edges.map((e) => [e.depth, e.node.odsCode])).toEqual([
      [1, '93C'],
      [2, 'QMJ'],
    ]);
  });
});

describe('what a walk costs on ORD', () => {
  it("a trust's sites: the estimate is exactly the calls made (the trust's record and one search)", async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "RKE") { descendants(types: ["RE6"]) { totalCount edges { node { odsCode name } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(dataCalls(stack).map((c) => c.endpoint)).toEqual(['organisation', 'search']);
    expect((res as { extensions?: Record<string, unknown> }).extensions?.upstream).toMatchObject({
      estimate: 2,
      calls: 2,
    });
  });

  it("an ICB's practices: allowed; the estimate is an upper bound of the calls the simulator saw", async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "QMJ") { descendants(types: ["RE5", "RE4"], depth: 2, primaryRole: "RO177") { totalCount edges { node { odsCode name } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const upstream = (res as { extensions?: Record<string, unknown> }).extensions!.upstream as {
      estimate: number;
      calls: number;
    };
    // QMJ's record, 2 searches from QMJ (RE5, RE4), 2 from each of its 9 active RE5 members: 21.
    expect(dataCalls(stack)).toHaveLength(21);
    expect(upstream.calls).toBe(dataCalls(stack).length + stack.calls('rels').length);
    expect(upstream.estimate).toBeGreaterThanOrEqual(upstream.calls);
    expect(upstream.estimate).toBeLessThanOrEqual(1500);
  });

  it('a site up to its region: estimate ≥ the 4 records fetched', async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "RVVKC") { ancestors(types: ["RE6", "RE5"]) { edges { node { name } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(stack.calls('organisation').map((c) => c.path)).toEqual([
      'organisations/RVVKC',
      'organisations/RVV',
      'organisations/QKS',
      'organisations/Y59',
    ]);
    const upstream = (res as { extensions?: Record<string, unknown> }).extensions!.upstream as {
      estimate: number;
      calls: number;
    };
    expect(upstream.calls).toBe(4);
    expect(upstream.estimate).toBeGreaterThanOrEqual(4);
  });

  it("an ICB's every practice as at a date is refused by the budget before any ORD call", async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "QMJ") { descendants(types: ["RE5", "RE4"], depth: 2, activeOn: "2023-01-01", primaryRole: "RO177") { totalCount } } }`,
    );
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BUDGET_EXCEEDED', limit: 1500 });
    expect(stack.calls()).toEqual([]);
  });

  it("a trust's sites as at a date is allowed: one record per site", async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "RKE") { descendants(types: ["RE6"], activeOn: "2026-03-01") { totalCount } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation.descendants.totalCount).toBe(52);
    // RKE's record, one search, 52 site records.
    expect(dataCalls(stack)).toHaveLength(54);
    const upstream = (res as { extensions?: Record<string, unknown> }).extensions!.upstream as {
      estimate: number;
      calls: number;
    };
    expect(upstream.estimate).toBeGreaterThanOrEqual(54);
  });
});

describe('what a walk costs on a warm cache', () => {
  const WALKS = [
    `{ organisation(odsCode: "RKE") { descendants(types: ["RE6"], activeOn: "2026-03-01") { totalCount edges { node { name } } } } }`,
    `{ organisation(odsCode: "QMJ") { descendants(types: ["RE5", "RE4"], depth: 2, primaryRole: "RO177") { edges { via { name } node { name } } } } }`,
    `{ organisation(odsCode: "RVVKC") { ancestors(types: ["RE6", "RE5"]) { edges { node { name operationalPeriod { start } } } } } }`,
  ];
  it.each(WALKS)('asked again, the walk is estimated at 0 and makes no ORD call: %s', async (query) => {
    const warm = await startStack({ tier: 'small', cache: true });
    try {
      const cold = await warm.gql(query);
      expect(cold.errors).toBeUndefined();
      const coldUpstream = (cold as { extensions?: Record<string, any> }).extensions!.upstream;
      expect(coldUpstream.calls).toBe(warm.calls().length);
      expect(coldUpstream.estimate).toBeGreaterThanOrEqual(coldUpstream.calls);
      warm.sim.clearLog();
      const again = await warm.gql(query);
      expect(again.data).toEqual(cold.data);
      expect(warm.calls()).toEqual([]);
      expect((again as { extensions?: Record<string, any> }).extensions!.upstream).toMatchObject({
        estimate: 0,
        calls: 0,
      });
    } finally {
      await warm.close();
    }
  });
});

describe('bad input is BAD_USER_INPUT naming the argument, before any ORD call', () => {
  const cases: [string, string, string][] = [
    ['depth 0', 'descendants(types: ["RE6"], depth: 0)', 'depth'],
    ['depth 7', 'ancestors(types: ["RE6"], depth: 7)', 'depth'],
    ['a malformed type', 'descendants(types: ["IS OPERATED BY"])', 'types'],
    ['no types', 'descendants(types: [])', 'types'],
    [
      'eleven types',
      `descendants(types: [${Array.from({ length: 11 }, (_, i) => `"RE${i + 1}"`).join(', ')}])`,
      'types',
    ],
    ['activeOn not a date', 'descendants(types: ["RE6"], activeOn: "2021-02-30")', 'activeOn'],
    ['activeOn and status together', 'ancestors(types: ["RE6"], activeOn: "2021-01-01", status: ACTIVE)', 'status'],
    ['a malformed primaryRole', 'descendants(types: ["RE6"], primaryRole: "trust")', 'primaryRole'],
    ['first over 1000', 'descendants(types: ["RE6"], first: 1001)', 'first'],
  ];
  it.each(cases)('%s', async (_label, field, argumentName) => {
    const res = await stack.gql(`{ organisation(odsCode: "RKE") { ${field} { totalCount } } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(dataCalls(stack).filter((c) => c.endpoint === 'search')).toEqual([]);
  });
});

describe('the mirror-only search filters on ORD', () => {
  const filters: [string, string][] = [
    ['activeOn', 'activeOn: "2021-06-30", primaryRole: "RO177"'],
    ['text', 'text: "king coll"'],
    ['postcodeStartsWith', 'postcodeStartsWith: "N1 9"'],
  ];
  it.each(filters)('%s is UNSUPPORTED_BY_SOURCE with no ORD call', async (feature, filter) => {
    const res = await stack.gql(`{ searchOrganisations(filter: { ${filter} }) { totalCount } }`);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    const error = res.errors![0]!;
    expect(error.extensions).toEqual({ code: 'UNSUPPORTED_BY_SOURCE', feature, source: 'ord' });
    expect(error.path).toEqual(['searchOrganisations']);
    expect(error.message).toContain('SOURCE=mirror');
    expect(stack.calls()).toEqual([]);
  });

  it('malformed text and postcodeStartsWith are BAD_USER_INPUT naming filter', async () => {
    for (const filter of [
      'text: "a"',
      'text: "<script>"',
      'postcodeStartsWith: "N1-9"',
      'postcodeStartsWith: "ABCDEFGHI"',
    ]) {
      const res = await stack.gql(`{ searchOrganisations(filter: { ${filter} }) { totalCount } }`);
      expect(res.errors?.[0]?.extensions, filter).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter' });
    }
    expect(stack.calls()).toEqual([]);
  });
});
