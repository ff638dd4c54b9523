// GraphQL tests for Relationship (outward, held on the record) and inboundRelationships (ORD's membership search).
// Real records from the small tier: RVVKC → RE6 → RVV, G6V2S's 2026-04-01 switch from QMJ to Z9B2Z, practice history.

import { describe, expect, it } from 'vitest';
import {
  IcbDownToPracticesDocument,
  PracticeCommissionerAsAtDocument,
  SiteUpToRegionDocument,
} from '../src/generated/graphql.js';
import { dataCalls, useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const orgPaths = () => stack.calls('organisation').map((c) => c.path);
type Rel = { type: { id: string }; target: { odsCode: string } | null };
const summarise = (rels: Rel[]) => rels.map((r) => `${r.type.id} ${r.target?.odsCode}`);

describe('relationships (outward)', () => {
  it("RVVKC is operated by (RE6) RVV, with the recorded ids and the target's primary role", async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "RVVKC") {
        relationships {
          type { id code displayName }
          status
          operationalPeriod { start end }
          legalPeriod { start end }
          targetOdsCode
          targetPrimaryRole { id displayName }
          uniqueRelId
          target { odsCode name recordClass { id } }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation.relationships).toEqual([
      {
        type: { id: 'RE6', code: '6', displayName: 'IS OPERATED BY' },
        status: 'ACTIVE',
        operationalPeriod: { start: '1999-04-01', end: null },
        legalPeriod: null,
        targetOdsCode: 'RVV',
        targetPrimaryRole: { id: 'RO197', displayName: 'NHS TRUST' },
        uniqueRelId: 15806,
        target: {
          odsCode: 'RVV',
          name: 'EAST KENT HOSPITALS UNIVERSITY NHS FOUNDATION TRUST',
          recordClass: { id: 'RC1' },
        },
      },
    ]);
    expect(orgPaths()).toEqual(['organisations/RVVKC', 'organisations/RVV']);
  });

  it('targetOdsCode and targetPrimaryRole need no fetch of the target', async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "RWR") { relationships { targetOdsCode targetPrimaryRole { id } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation.relationships).toHaveLength(7);
    expect(orgPaths()).toEqual(['organisations/RWR']);
  });

  it('walks upwards from a site to its region (SiteUpToRegion): RVVKC → RVV → QKS → Y59', async () => {
    const res = await stack.gql(SiteUpToRegionDocument, { odsCode: 'RVVKC' });
    expect(res.errors).toBeUndefined();
    const trust = res.data!.organisation!.trust[0]!.target!;
    const icb = trust.icb[0]!.target!;
    expect([trust.odsCode, icb.odsCode, icb.region[0]!.target!.odsCode]).toEqual(['RVV', 'QKS', 'Y59']);
    expect(icb.region[0]!.target!.name).toBe('SOUTH EAST COMMISSIONING REGION');
    expect(dataCalls(stack)).toHaveLength(4);
  });

  it('activeOn follows G6V2S from QMJ to Z9B2Z on 2026-04-01 (ends and starts are inclusive)', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "G6V2S") {
        march: relationships(activeOn: "2026-03-01") { type { id } target { odsCode } }
        lastDay: relationships(activeOn: "2026-03-31") { type { id } target { odsCode } }
        april: relationships(activeOn: "2026-04-01") { type { id } target { odsCode isReferenceOnly } }
        opening: relationships(activeOn: "2024-07-10") { type { id } target { odsCode } }
        active: relationships(status: ACTIVE) { type { id } target { odsCode } }
        re8: relationships(types: ["re8"]) { type { id } target { odsCode } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(summarise(org.march)).toEqual(['RE5 QMJ', 'RE8 QMJ']);
    expect(summarise(org.lastDay)).toEqual(['RE5 QMJ', 'RE8 QMJ']);
    expect(summarise(org.april)).toEqual(['RE8 Z9B2Z', 'RE5 Z9B2Z']);
    expect(org.april[0].target.isReferenceOnly).toBe(true);
    // Operational period (2024-07-10) governs, not the legal one (2024-11-01); RE8 only began on 2024-11-01.
    expect(summarise(org.opening)).toEqual(['RE5 QMJ']);
    expect(summarise(org.active)).toEqual(['RE8 Z9B2Z', 'RE5 Z9B2Z']);
    expect(summarise(org.re8)).toEqual(['RE8 QMJ', 'RE8 Z9B2Z']);
    expect(orgPaths().sort()).toEqual(['organisations/G6V2S', 'organisations/QMJ', 'organisations/Z9B2Z']);
  });

  it("activeOn on a long history: RRP's ICB-level body in 2010, 2015 and 2021", async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "RRP") {
        y2010: relationships(types: ["RE5"], activeOn: "2010-01-01") { target { odsCode } }
        y2015: relationships(types: ["RE5"], activeOn: "2015-01-01") { target { odsCode } }
        y2021: relationships(types: ["RE5"], activeOn: "2021-01-01") { target { odsCode name } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(org.y2010.map((r: Rel) => r.target?.odsCode)).toEqual(['Q36']);
    expect(org.y2015.map((r: Rel) => r.target?.odsCode)).toEqual(['Q71']);
    expect(org.y2021.map((r: Rel) => r.target?.odsCode)).toEqual(['QMJ']);
    expect(org.y2021[0].target.name).toBe('NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD');
  });

  it('PracticeCommissionerAsAt: E83003 was commissioned by Barnet CCG in 2015, by 93C with a PCN in 2023', async () => {
    const in2015 = await stack.gql(PracticeCommissionerAsAtDocument, { odsCode: 'E83003', date: '2015-06-01' });
    expect(in2015.errors).toBeUndefined();
    expect(in2015.data!.organisation!.relationships.map((r) => [r.type.id, r.target?.odsCode, r.target?.name])).toEqual(
      [['RE4', '07M', 'NHS BARNET CCG']],
    );
    stack.sim.clearLog();
    const in2023 = await stack.gql(PracticeCommissionerAsAtDocument, { odsCode: 'E83003', date: '2023-06-01' });
    expect(in2023.errors).toBeUndefined();
    const rels = in2023.data!.organisation!.relationships;
    expect(rels.map((r) => [r.type.id, r.target?.odsCode])).toEqual([
      ['RE4', '93C'],
      ['RE8', 'U33392'],
    ]);
    expect(rels[0]!.target!.relationships.map((r) => [r.type.id, r.target?.odsCode])).toEqual([['RE5', 'QMJ']]);
    expect(dataCalls(stack)).toHaveLength(4); // E83003, 93C, U33392, QMJ
  });

  it('rejects a malformed relationship type id, naming the argument', async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "RWR") { name relationships(types: ["IS OPERATED BY"]) { status } } }`,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'types' });
    expect(res.data!.organisation).toBeNull(); // non-null list field failed, so the organisation is nulled
  });
});

describe('inboundRelationships (membership search)', () => {
  it("RVV's sites include RVVKC; the edge carries RVVKC's own RE6 relationship", async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "RVV") {
        inboundRelationships(types: ["RE6"]) {
          totalCount
          edges { node { odsCode name } relationship { type { id } status uniqueRelId target { odsCode } } }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const conn = res.data!.organisation.inboundRelationships;
    const edge = conn.edges.find((e: { node: { odsCode: string } }) => e.node.odsCode === 'RVVKC');
    expect(edge).toEqual({
      node: { odsCode: 'RVVKC', name: 'KENT & CANTERBURY HOSPITAL' },
      relationship: { type: { id: 'RE6' }, status: 'ACTIVE', uniqueRelId: 15806, target: { odsCode: 'RVV' } },
    });
    expect(stack.calls('search')).toHaveLength(1);
    expect(stack.calls('search')[0]!.path).toContain('TargetOrgId=RVV');
    expect(stack.calls('search')[0]!.path).toContain('RelTypeId=RE6');
  });

  it("pages a trust's 151 sites 100 at a time with a truthful hasNextPage and totalCount", async () => {
    const query = `query ($after: String) {
      organisation(odsCode: "RAL") {
        inboundRelationships(types: ["RE6"], status: ACTIVE, first: 100, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { odsCode } }
        }
      }
    }`;
    const first = await stack.gql(query);
    const page1 = first.data!.organisation.inboundRelationships;
    expect(page1.totalCount).toBe(151);
    expect(page1.edges).toHaveLength(100);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await stack.gql(query, { after: page1.pageInfo.endCursor });
    const page2 = second.data!.organisation.inboundRelationships;
    expect(page2.totalCount).toBe(151);
    expect(page2.edges).toHaveLength(51);
    expect(page2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const all = [...page1.edges, ...page2.edges].map((e: { node: { odsCode: string } }) => e.node.odsCode);
    expect(new Set(all).size).toBe(151);
  });

  it("filters sources by primary role: QMJ's only active sub-ICB location is 93C", async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "QMJ") {
        all: inboundRelationships(types: ["RE5"], status: ACTIVE) { totalCount }
        subIcb: inboundRelationships(types: ["RE5"], status: ACTIVE, primaryRole: "RO98") { totalCount edges { node { odsCode name } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(org.all.totalCount).toBeGreaterThan(1); // trusts are located in the ICB's geography too
    expect(org.subIcb.edges.map((e: { node: { odsCode: string } }) => e.node.odsCode)).toEqual(['93C']);
  });

  it('edge.relationships lists every matching relationship (a practice is both commissioned and operated by 93C)', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "93C") {
        inboundRelationships(primaryRole: "RO177", status: ACTIVE, first: 1) {
          edges { node { odsCode } relationships { type { id } } relationship { type { id } } }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const edge = res.data!.organisation.inboundRelationships.edges[0];
    expect(edge.relationships.map((r: { type: { id: string } }) => r.type.id).sort()).toEqual(['RE4', 'RE6']);
  });

  it('IcbDownToPractices: ICB → sub-ICB locations → practices → PCN, each distinct record fetched once', async () => {
    const res = await stack.gql(IcbDownToPracticesDocument, { icb: 'QMJ', practices: 50 });
    expect(res.errors).toBeUndefined();
    const icb = res.data!.organisation!;
    expect(icb.name).toBe('NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD');
    const subIcb = icb.subIcbLocations.edges[0]!.node;
    expect(subIcb.odsCode).toBe('93C');
    expect(subIcb.practices.edges).toHaveLength(50);
    expect(subIcb.practices.pageInfo.hasNextPage).toBe(subIcb.practices.totalCount > 50);
    const pcns = new Set(subIcb.practices.edges.flatMap((e) => e.node.pcn.map((r) => r.target!.odsCode)));
    const paths = orgPaths();
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toHaveLength(1 + 50 + pcns.size);
    expect(stack.calls('search')).toHaveLength(2);
  });
});
