// GraphQL tests for Organisation and organisation(s): real values from the recorded records, summary-served fields, batching.
// Runs the whole stack over HTTP against the ORD simulator (tier small); ORD call counts come from the simulator's log.

import { describe, expect, it } from 'vitest';
import { OrganisationCardDocument, TrustWithSitesDocument } from '../src/generated/graphql.js';
import { dataCalls, useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const orgPaths = () => stack.calls('organisation').map((c) => c.path);

describe('organisation(odsCode)', () => {
  it('returns the recorded RWR record in full (name, address with a >32-bit UPRN, contacts, roles, relationships)', async () => {
    const res = await stack.gql(OrganisationCardDocument, { odsCode: 'RWR' });
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation!;
    expect(org.odsCode).toBe('RWR');
    expect(org.name).toBe('HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST');
    expect(org.status).toBe('ACTIVE');
    expect(org.isReferenceOnly).toBe(false);
    expect(org.recordClass).toEqual({ id: 'RC1', displayName: 'HSCOrg' });
    expect(org.address).toEqual({
      lines: ['THE COLONNADES', 'BEACONSFIELD CLOSE'],
      town: 'HATFIELD',
      county: null,
      postcode: 'AL10 8YE',
      country: 'ENGLAND',
      uprn: '10007553984',
    });
    expect(org.contacts).toEqual([
      { type: 'TELEPHONE', value: '01707 253800' },
      { type: 'WEBSITE', value: 'HTTPS://WWW.HPFT.NHS.UK/' },
    ]);
    expect(org.roles.map((r) => [r.type.id, r.isPrimary, r.status])).toEqual([
      ['RO197', true, 'ACTIVE'],
      ['RO57', false, 'ACTIVE'],
    ]);
    expect(org.roles[0]!.type.displayName).toBe('NHS TRUST');
    expect(org.roles[0]!.operationalPeriod).toEqual({ start: '2001-04-01', end: null });
    expect(org.relationships).toHaveLength(7);
    expect(org.relationships.every((r) => r.type.id === 'RE5')).toBe(true);
    expect(org.relationships.filter((r) => r.status === 'ACTIVE')).toHaveLength(1);
    expect(org.successions).toHaveLength(2);
    expect(org.successions.every((s) => s.type === 'PREDECESSOR')).toBe(true);
    // RWR itself once; every distinct relationship/succession target once.
    const targets = new Set([
      ...org.relationships.map((r) => r.target?.odsCode),
      ...org.successions.map((s) => s.target?.odsCode),
    ]);
    const paths = orgPaths();
    expect(paths.filter((p) => p === 'organisations/RWR')).toHaveLength(1);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.length).toBeLessThanOrEqual(1 + targets.size + org.relationships.length + org.successions.length);
  });

  it('answers 97T (a commissioning hub) with its non-primary role first, as ORD lists it, and distinct legal/operational periods', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "97T") {
        name
        operationalPeriod { start end }
        legalPeriod { start end }
        primaryRole { type { id displayName isPrimary } isPrimary }
        roles { type { id } isPrimary status legalPeriod { start } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(org.name).toBe('SOUTH EAST - H&J COMMISSIONING HUB');
    expect(org.operationalPeriod).toEqual({ start: '2019-10-25', end: null });
    expect(org.legalPeriod).toEqual({ start: '2020-04-01', end: null });
    expect(org.primaryRole).toEqual({
      type: { id: 'RO98', displayName: 'CLINICAL COMMISSIONING GROUP', isPrimary: true },
      isPrimary: true,
    });
    expect(org.roles).toEqual([
      { type: { id: 'RO218' }, isPrimary: false, status: 'ACTIVE', legalPeriod: { start: '2020-04-01' } },
      { type: { id: 'RO98' }, isPrimary: true, status: 'ACTIVE', legalPeriod: { start: '2020-04-01' } },
    ]);
    expect(dataCalls(stack).map((c) => c.path)).toEqual(['organisations/97T']);
  });

  it('treats codes case-insensitively and fetches a code asked for twice only once', async () => {
    const res = await stack.gql(`{
      a: organisation(odsCode: "rvvkc") { odsCode name }
      b: organisation(odsCode: "RVVKC") { odsCode recordClass { id } }
      c: organisation(odsCode: " RvVkC ") { status }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.a).toEqual({ odsCode: 'RVVKC', name: 'KENT & CANTERBURY HOSPITAL' });
    expect(res.data!.b.recordClass.id).toBe('RC2');
    expect(orgPaths()).toEqual(['organisations/RVVKC']);
  });

  it('filters roles as at a date and by status (G6V2S opened operationally on 2024-07-10)', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "G6V2S") {
        before: roles(activeOn: "2024-07-09") { type { id } }
        opening: roles(activeOn: "2024-07-10") { type { id } }
        active: roles(status: ACTIVE) { type { id } }
        inactive: roles(status: INACTIVE) { type { id } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(org.before).toEqual([]);
    expect(org.opening.map((r: { type: { id: string } }) => r.type.id)).toEqual(['RO197', 'RO57']);
    expect(org.active).toHaveLength(2);
    expect(org.inactive).toEqual([]);
    expect(orgPaths()).toEqual(['organisations/G6V2S']);
  });
});

describe('organisations(odsCodes)', () => {
  it('keeps the order asked, gives null for unknown codes, and fetches each distinct code once', async () => {
    const res = await stack.gql(
      `{ organisations(odsCodes: ["RWR", "ZZZ99", "rvvkc", "RWR", "97T"]) { odsCode name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisations.map((o: { odsCode: string } | null) => o?.odsCode ?? null)).toEqual([
      'RWR',
      null,
      'RVVKC',
      'RWR',
      '97T',
    ]);
    expect(orgPaths().sort()).toEqual([
      'organisations/97T',
      'organisations/RVVKC',
      'organisations/RWR',
      'organisations/ZZZ99',
    ]);
  });

  it('ten practices sharing relationship targets: each distinct target is fetched once', async () => {
    const search = await stack.gql(`{
      searchOrganisations(filter: { relatedTo: { odsCode: "93C", relationshipTypes: ["RE4"], relationshipStatus: ACTIVE }, primaryRole: "RO177" }, first: 10) {
        edges { node { odsCode } }
      }
    }`);
    expect(search.errors).toBeUndefined();
    const codes: string[] = search.data!.searchOrganisations.edges.map(
      (e: { node: { odsCode: string } }) => e.node.odsCode,
    );
    expect(codes).toHaveLength(10);

    stack.sim.clearLog();
    const res = await stack.gql(
      `query ($codes: [String!]!) {
        organisations(odsCodes: $codes) {
          odsCode
          relationships(status: ACTIVE) { type { id } target { odsCode name } }
        }
      }`,
      { codes },
    );
    expect(res.errors).toBeUndefined();
    const targets = new Set<string>();
    for (const org of res.data!.organisations) {
      for (const rel of org.relationships) targets.add(rel.target.odsCode);
    }
    expect(targets.has('93C')).toBe(true);
    // Every practice points at 93C twice (RE4 and RE6); 93C is fetched once, and so is each PCN.
    const paths = orgPaths();
    expect(paths).toHaveLength(codes.length + targets.size);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p === 'organisations/93C')).toHaveLength(1);
    expect(stack.calls('search')).toHaveLength(0);
  });
});

describe('summaries first', () => {
  it('a trust and the names of its sites cost two ORD calls (TrustWithSites on RAL: 151 sites)', async () => {
    const res = await stack.gql(TrustWithSitesDocument, { odsCode: 'RAL', first: 200 });
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation!;
    expect(org.name).toBe('ROYAL FREE LONDON NHS FOUNDATION TRUST');
    expect(org.sites.totalCount).toBe(151);
    expect(org.sites.edges).toHaveLength(151);
    expect(org.sites.pageInfo.hasNextPage).toBe(false);
    expect(org.sites.edges.every((e) => e.node.name.length > 0 && e.node.odsCode.length > 0)).toBe(true);
    const calls = dataCalls(stack);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.endpoint).sort()).toEqual(['organisation', 'search']);
  });

  it('serves odsCode, name, status, recordClass, lastChangeDate, postcode and the primary role type from the summary', async () => {
    const res = await stack.gql(`{
      searchOrganisations(filter: { primaryRole: "RO197" }, first: 25) {
        edges { node { id odsCode name status lastChangeDate recordClass { id displayName }
          address { postcode } primaryRole { isPrimary type { id displayName isPrimary } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.searchOrganisations.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toHaveLength(25);
    expect(
      nodes.every((n: any) => n.primaryRole.type.id === 'RO197' && n.primaryRole.type.displayName === 'NHS TRUST'),
    ).toBe(true);
    expect(nodes.every((n: any) => n.recordClass.id === 'RC1')).toBe(true);
    expect(dataCalls(stack).map((c) => c.endpoint)).toEqual(['search']);
  });

  it('fetches the full record only for fields the summary lacks, once per organisation', async () => {
    const res = await stack.gql(`{
      searchOrganisations(filter: { primaryRole: "RO197" }, first: 3) {
        edges { node { odsCode isReferenceOnly contacts { value } address { town postcode } primaryRole { uniqueRoleId } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const codes = res.data!.searchOrganisations.edges.map((e: { node: { odsCode: string } }) => e.node.odsCode);
    expect(stack.calls('search')).toHaveLength(1);
    expect(orgPaths().sort()).toEqual(codes.map((c: string) => `organisations/${c}`).sort());
    expect(
      res.data!.searchOrganisations.edges.every((e: any) => typeof e.node.primaryRole.uniqueRoleId === 'number'),
    ).toBe(true);
  });

  it('reuses a summary seen earlier in the request as a relationship target (PCNs listed by the sub-ICB location)', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "93C") {
        pcns: inboundRelationships(types: ["RE4"], status: ACTIVE, primaryRole: "RO272", first: 1000) { totalCount edges { node { odsCode } } }
        practices: inboundRelationships(types: ["RE4"], status: ACTIVE, primaryRole: "RO177", first: 10) {
          edges { node { odsCode pcn: relationships(types: ["RE8"], status: ACTIVE) { target { odsCode name primaryRole { type { id } } } } } }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    const pcnCodes = new Set(org.pcns.edges.map((e: { node: { odsCode: string } }) => e.node.odsCode));
    const targetCodes = org.practices.edges.flatMap((e: any) => e.node.pcn.map((r: any) => r.target.odsCode));
    expect(targetCodes.length).toBeGreaterThan(0);
    expect(targetCodes.every((c: string) => pcnCodes.has(c))).toBe(true);
    expect(
      org.practices.edges.every((e: any) => e.node.pcn.every((r: any) => r.target.primaryRole.type.id === 'RO272')),
    ).toBe(true);
    // 93C once (to know it exists), the 10 practices (for their relationships), and no PCN at all.
    expect(stack.calls('search')).toHaveLength(2);
    expect(orgPaths()).toHaveLength(11);
    expect(orgPaths()[0]).toBe('organisations/93C');
    expect(orgPaths().some((p) => targetCodes.includes(p.replace('organisations/', '')))).toBe(false);
  });
});
