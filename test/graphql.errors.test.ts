// GraphQL tests for every error path: unknown codes, malformed codes/dates, upstream failures confined to one field, 406s.
// Upstream failures come from the ORD simulator's fault injection (pathPrefix), over real HTTP.

import { afterEach, describe, expect, it } from 'vitest';
import type { FaultMode } from '../src/simulators/ord/types.js';
import { useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small', timeoutMs: 1_000 });
afterEach(() => {
  stack.sim.clearFaults();
});

describe('code systems failing upstream', () => {
  // First in the file: the code-system memo is per process and must not remember a failure.
  it('fails the field with UPSTREAM_UNAVAILABLE, then recovers once ORD answers again', async () => {
    stack.sim.setFaults({ mode: 'http500', pathPrefix: 'roles' });
    const failed = await stack.gql(`{ roleTypes { id } recordClasses { id } }`);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(failed.errors?.[0]?.path).toEqual(['roleTypes']);
    stack.sim.clearFaults();
    const recovered = await stack.gql(`{ roleTypes { id } }`);
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data!.roleTypes.length).toBeGreaterThan(100);
  });
});

describe('unknown codes', () => {
  it('are null, not errors', async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "ZZZ99") { name } organisations(odsCodes: ["ZZZ98", "RWR"]) { odsCode } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ organisation: null, organisations: [null, { odsCode: 'RWR' }] });
    expect(
      stack
        .calls('organisation')
        .map((c) => c.status)
        .sort(),
    ).toEqual([200, 404, 404]);
  });
});

describe('malformed input', () => {
  it.each([
    ['organisation(odsCode: "R W R") { name }', 'odsCode'],
    ['organisation(odsCode: "") { name }', 'odsCode'],
    ['organisation(odsCode: "../roles") { name }', 'odsCode'],
    ['organisations(odsCodes: ["RWR", "R/W"]) { name }', 'odsCodes'],
    ['organisationsChangedSince(date: "2021-02-30") { totalCount }', 'date'],
    ['organisationsChangedSince(date: "2023-02-29") { totalCount }', 'date'],
    ['organisationsChangedSince(date: "2021-2-3") { totalCount }', 'date'],
    ['organisationsChangedSince(date: 20210203) { totalCount }', 'date'],
    ['searchOrganisations(filter: { changedSince: "2021-13-01" }) { totalCount }', 'filter'],
    ['organisation(odsCode: "RWR") { roles(activeOn: "yesterday") { status } }', 'activeOn'],
    ['organisation(odsCode: "RWR") { relationships(activeOn: "2021-04-31") { status } }', 'activeOn'],
    ['node(id: "not a global id") { id }', 'id'],
  ])('%s → BAD_USER_INPUT naming %s, without calling ORD', async (selection, argumentName) => {
    const res = await stack.gql(`{ ${selection} }`);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(res.errors![0]!.message.length).toBeGreaterThan(10);
    expect(stack.calls()).toHaveLength(0);
  });

  it('a malformed Date in a variable names the argument and the variable', async () => {
    const res = await stack.gql(`query ($since: Date!) { organisationsChangedSince(date: $since) { totalCount } }`, {
      since: '2021-02-30',
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'date',
      variableName: 'since',
    });
    expect(stack.calls()).toHaveLength(0);
  });

  it('a malformed Date nested in the filter variable names the filter argument', async () => {
    const res = await stack.gql(`query ($f: OrganisationFilter!) { searchOrganisations(filter: $f) { totalCount } }`, {
      f: { changedSince: '2021-02-30' },
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter' });
  });

  it('a real leap day is accepted (2024-02-29)', async () => {
    const res = await stack.gql(`{ organisation(odsCode: "RWR") { roles(activeOn: "2024-02-29") { type { id } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation.roles).toHaveLength(2);
  });

  it('one malformed field does not stop its siblings', async () => {
    const res = await stack.gql(
      `{ good: organisation(odsCode: "RVVKC") { name } bad: organisation(odsCode: "R*") { name } }`,
    );
    expect(res.data).toEqual({ good: { name: 'KENT & CANTERBURY HOSPITAL' }, bad: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['bad']);
  });
});

describe('upstream failures stay on their field', () => {
  it('a failing relationship target errors alone; its siblings resolve (G6V2S with QMJ failing)', async () => {
    stack.sim.setFaults({ mode: 'http500', pathPrefix: 'organisations/QMJ' });
    const res = await stack.gql(`{
      organisation(odsCode: "G6V2S") {
        name
        relationships { type { id } targetOdsCode target { odsCode name } }
      }
    }`);
    const org = res.data!.organisation;
    expect(org.name).toBe('NORTH LONDON NHS FOUNDATION TRUST');
    const byTarget = org.relationships.map((r: any) => [r.targetOdsCode, r.target?.odsCode ?? null]);
    expect(byTarget).toEqual([
      ['QMJ', null],
      ['QMJ', null],
      ['Z9B2Z', 'Z9B2Z'],
      ['Z9B2Z', 'Z9B2Z'],
    ]);
    expect(res.errors).toHaveLength(2);
    for (const error of res.errors!) {
      expect(error.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.path?.slice(-1)).toEqual(['target']);
    }
    expect(res.errors!.map((e) => e.path![2]).sort()).toEqual([0, 1]);
    // QMJ was asked for once (DataLoader caches the failure for the request), not once per relationship.
    expect(stack.calls('organisation').filter((c) => c.path === 'organisations/QMJ')).toHaveLength(1);
  });

  it('one failing code in organisations(odsCodes) is null with an error at its index', async () => {
    stack.sim.setFaults({ mode: 'http502', pathPrefix: 'organisations/RVVKC' });
    const res = await stack.gql(`{ organisations(odsCodes: ["RWR", "RVVKC", "97T"]) { odsCode } }`);
    expect(res.data!.organisations).toEqual([{ odsCode: 'RWR' }, null, { odsCode: '97T' }]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['organisations', 1]);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', kind: 'html' });
  });

  it('a failing membership search nulls only its organisation; other root fields resolve', async () => {
    stack.sim.setFaults({ mode: 'http503', pathPrefix: 'organisations?RelTypeId=RE6&TargetOrgId=RAL' });
    const res = await stack.gql(`{
      ral: organisation(odsCode: "RAL") { name inboundRelationships(types: ["RE6"]) { totalCount } }
      rvv: organisation(odsCode: "RVV") { name inboundRelationships(types: ["RE6"]) { totalCount } }
    }`);
    expect(res.data!.ral).toBeNull();
    expect(res.data!.rvv.name).toBe('EAST KENT HOSPITALS UNIVERSITY NHS FOUNDATION TRUST');
    expect(res.data!.rvv.inboundRelationships.totalCount).toBeGreaterThan(0);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['ral', 'inboundRelationships']);
    expect(res.errors![0]!.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it.each<[FaultMode, string]>([
    ['http500', 'html'],
    ['http503', 'http_status'],
    ['reset', 'network'],
    ['truncate', 'malformed'],
    ['malformed', 'malformed'],
    ['hang', 'timeout'],
  ])('ORD fault %s → UPSTREAM_UNAVAILABLE (kind %s) on that field only', async (mode, kind) => {
    stack.sim.setFaults({ mode, pathPrefix: 'organisations/RVVKC' });
    const res = await stack.gql(
      `{ broken: organisation(odsCode: "RVVKC") { name } fine: organisation(odsCode: "RWR") { name } }`,
    );
    expect(res.data).toEqual({
      broken: null,
      fine: { name: 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST' },
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['broken']);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', kind });
  });

  it("a 406 is UPSTREAM_REJECTED carrying ORD's own text", async () => {
    const res = await stack.gql(`{ organisationsChangedSince(date: "2019-06-11") { totalCount } }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      ordErrorText: 'Supplied LastChangeDate exceeds the limit of 185 days past.',
    });
    expect(res.errors![0]!.message).toBe(
      'ORD rejected the request: Supplied LastChangeDate exceeds the limit of 185 days past.',
    );
  });
});
