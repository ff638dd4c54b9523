// The FHIR → domain mapping (src/sources/fhir/map.ts) run over the REAL recorded ODT bodies in data/recorded/odt/.
// Every expected value below is read off those files (or the recorded ORD role list used as the primaryRole lookup).

import { describe, expect, it } from 'vitest';
import { FhirMalformedError } from '../src/sources/fhir/errors.js';
import {
  affiliationSource,
  fromOrganisationCodeLookup,
  primaryRoleTypeId,
  relationshipsFromBundle,
  toOrganisation,
  toRelationship,
  withLookup,
  type IsPrimaryRole,
} from '../src/sources/fhir/map.js';
import type { Bundle, Organization, OrganizationAffiliation, Parameters } from '../src/sources/fhir/types.js';
import { readRecorded, readRecordedJson } from './helpers/recordedDataset.js';

const json = <T>(path: string): T => readRecordedJson<T>(`odt/${path}`);

/**
 * The JSON body of a recorded ODT exchange: status line and headers, a blank line, then the body. Not readExchange
 * (test/helpers/recordedDataset.ts): some of these captures end their lines in LF alone, which it does not split.
 */
function recordedBody<T>(name: string): T {
  const text = readRecorded(`odt/recorded/${name}`).toString('utf8').replace(/\r\n/g, '\n');
  return JSON.parse(text.slice(text.indexOf('\n\n') + 2)) as T;
}

// ODT's role extension has no primary flag; the ODSOrganisationRole `primaryRole` property stands behind it. The
// recorded ORD role list (data/recorded/roles_2022-10-12.reconstructed.json) carries the same flag per role code.
const roles = readRecordedJson<{ Roles: { id: string; primaryRole: string }[] }>(
  'roles_2022-10-12.reconstructed.json',
).Roles;
const primaryByCode = new Map(roles.map((r) => [r.id, r.primaryRole === 'true']));
const isPrimaryRole: IsPrimaryRole = (code) => primaryByCode.get(code);

const orgIn = (bundle: Bundle, id: string): Organization => {
  const r = bundle.entry?.find((e) => e.resource?.resourceType === 'Organization' && e.resource.id === id)?.resource;
  if (r?.resourceType !== 'Organization') throw new Error(`no Organization/${id} in the bundle`);
  return r;
};

describe('Organization → Organisation (recorded sandbox read, X26)', () => {
  const x26 = toOrganisation(
    recordedBody<Organization>('ndr_lookup-organisation_find_success_response.txt'),
    isPrimaryRole,
  );

  it('maps identity, status, record class, use type and LastChangeDate', () => {
    expect(x26.kind).toBe('full');
    expect(x26.odsCode).toBe('X26');
    expect(x26.name).toBe('NHS ENGLAND - X26');
    expect(x26.status).toBe('ACTIVE');
    expect(x26.recordClassId).toBe('RC1');
    expect(x26.isReferenceOnly).toBe(false);
    expect(x26.lastChangeDate).toBe('2024-03-05');
    expect(x26.contacts).toEqual([]);
    expect(x26.relationships).toEqual([]);
    expect(x26.successions).toEqual([]);
  });

  it('maps the role with its instance id, separate Legal and Operational periods, and the looked-up primary flag', () => {
    expect(x26.roles).toEqual([
      {
        roleTypeId: 'RO116',
        isPrimary: true,
        status: 'ACTIVE',
        legalPeriod: { start: '2013-04-01', end: null },
        operationalPeriod: { start: '2013-01-21', end: null },
        uniqueRoleId: 166234,
      },
    ]);
  });

  it('falls back to the primary role periods for the organisation dates (no org-level TypedPeriod recorded)', () => {
    expect(x26.legalPeriod).toEqual({ start: '2013-04-01', end: null });
    expect(x26.operationalPeriod).toEqual({ start: '2013-01-21', end: null });
  });

  it('maps the address with the UPRN as a string', () => {
    expect(x26.address).toEqual({
      lines: ['THE LEEDS GOVERNMENT HUB', '7-8 WELLINGTON PLACE'],
      town: 'LEEDS',
      county: null,
      postcode: 'LS1 4AP',
      country: 'ENGLAND',
      uprn: '72766088',
    });
  });
});

describe('Organization search Bundles', () => {
  it('spec example: AQN and C4O9I (assigner NHS ENGLAND), both active, primary roles from the lookup', () => {
    const bundle = json<Bundle>('spec/spec-Organization-search-200-Bundle.json');
    const aqn = toOrganisation(orgIn(bundle, 'AQN'), isPrimaryRole);
    expect(aqn.name).toBe('PARTNERING HEALTH LIMITED');
    expect(aqn.roles.map((r) => [r.roleTypeId, r.isPrimary, r.uniqueRoleId])).toEqual([['RO172', true, 233160]]);
    expect(aqn.lastChangeDate).toBe('2023-05-03');
    expect(aqn.address?.lines).toEqual(['AILSA HOUSE 3 TURNBERRY HOUSE', '4400 PARKWAY', 'WHITELEY']);
    expect(aqn.address?.town).toBe('FAREHAM');
    expect(aqn.address?.postcode).toBe('PO15 7FJ');
    expect(aqn.address?.uprn).toBeNull();
    const c4 = toOrganisation(orgIn(bundle, 'C4O9I'), isPrimaryRole);
    expect(c4.name).toBe('WM BROWN (KINGSHURST) LIMITED');
    expect(c4.roles[0]).toMatchObject({ roleTypeId: 'RO181', uniqueRoleId: 503768, isPrimary: true });
    expect(c4.legalPeriod).toEqual({ start: '2023-04-28', end: null });
    expect(c4.address?.uprn).toBe('100071397351');
    expect(bundle.total).toBeUndefined();
    expect(bundle.link?.map((l) => l.relation)).toEqual(['self', 'next']);
  });

  it('sandbox name search: 5AP01 is an inactive reference-only site whose ended role is inactive', () => {
    const bundle = recordedBody<Bundle>('ndr_lookup-search_success_response.txt');
    expect(bundle.entry).toHaveLength(20);
    const site = toOrganisation(orgIn(bundle, '5AP01'), isPrimaryRole);
    expect(site.name).toBe('MOORFIELDS COURT');
    expect(site.status).toBe('INACTIVE');
    expect(site.recordClassId).toBe('RC2');
    expect(site.isReferenceOnly).toBe(true);
    expect(site.lastChangeDate).toBe('2013-05-08');
    expect(site.roles).toEqual([
      {
        roleTypeId: 'RO180',
        isPrimary: true,
        status: 'INACTIVE',
        legalPeriod: { start: '2006-03-01', end: '2006-09-30' },
        operationalPeriod: { start: '2006-03-01', end: '2006-09-30' },
        uniqueRoleId: 35077,
      },
    ]);
    // ORD's County arrives in `district`.
    expect(site.address?.county).toBe('NOTTINGHAMSHIRE');
    expect(site.address?.town).toBe('SOUTHWELL');
    const full = toOrganisation(orgIn(bundle, '5C137'), isPrimaryRole);
    expect(full.isReferenceOnly).toBe(false);
  });

  it('sandbox change feed: 11M has a primary (RO98) and a non-primary (RO319) role; 8FV54 has a phone contact', () => {
    const bundle = recordedBody<Bundle>('ndr_lookup-organisation_sync_success_response.txt');
    const icb = toOrganisation(orgIn(bundle, '11M'), isPrimaryRole);
    expect(icb.name).toBe('NHS GLOUCESTERSHIRE ICB - 11M');
    expect(icb.lastChangeDate).toBe('2025-06-19');
    expect(icb.roles.map((r) => [r.roleTypeId, r.isPrimary, r.uniqueRoleId])).toEqual([
      ['RO98', true, 161521],
      ['RO319', false, 486077],
    ]);
    expect(icb.operationalPeriod).toEqual({ start: '2011-12-13', end: null });
    expect(primaryRoleTypeId(orgIn(bundle, '11M'), isPrimaryRole)).toBe('RO98');
    // A role code absent from the lookup (RO326 postdates the 2022 role list) is never taken as primary.
    const swl = toOrganisation(orgIn(bundle, '36L'), isPrimaryRole);
    expect(swl.roles.find((r) => r.roleTypeId === 'RO326')?.isPrimary).toBe(false);
    const gp = toOrganisation(orgIn(bundle, '8FV54'), isPrimaryRole);
    expect(gp.contacts).toEqual([{ type: 'TELEPHONE', value: '01252 392369' }]);
  });

  it('the empty change feed has a self link and no entries', () => {
    const bundle = recordedBody<Bundle>('ndr_lookup-organisation_sync_empty_response.txt');
    expect(bundle.entry ?? []).toHaveLength(0);
    expect(relationshipsFromBundle(bundle, isPrimaryRole).size).toBe(0);
  });
});

describe('OrganizationAffiliation → Relationship', () => {
  it('spec read 617400: organization (primary-organization) is the Source G81086, the target is U36842', () => {
    const aff = json<OrganizationAffiliation>('spec/spec-OrganizationAffiliation-read-617400.json');
    expect(affiliationSource(aff)).toBe('G81086');
    expect(toRelationship(aff, () => null)).toEqual({
      relationshipTypeId: 'RE8',
      status: 'ACTIVE',
      legalPeriod: { start: '2019-10-01', end: null },
      operationalPeriod: { start: '2019-10-01', end: null },
      targetOdsCode: 'U36842',
      targetPrimaryRoleTypeId: null,
      uniqueRelId: 617400,
    });
  });

  it('simplifier example 364347: an ended RE5 from 8J091 to Q79 is inactive', () => {
    const aff = json<OrganizationAffiliation>('simplifier/ODS-OrganizationAffiliation-364347-Example.json');
    expect(affiliationSource(aff)).toBe('8J091');
    const rel = toRelationship(aff, (code) => (code === 'Q79' ? 'RO210' : null));
    expect(rel).toMatchObject({
      relationshipTypeId: 'RE5',
      status: 'INACTIVE',
      targetOdsCode: 'Q79',
      targetPrimaryRoleTypeId: 'RO210',
      uniqueRelId: 364347,
      legalPeriod: { start: '2015-04-01', end: '2020-03-31' },
      operationalPeriod: { start: '2015-04-01', end: '2020-03-31' },
    });
  });

  it('a search Bundle: relationships keyed by source; targets not _included get no primary role', () => {
    const aff = json<OrganizationAffiliation>('spec/spec-OrganizationAffiliation-read-617400.json');
    const x26 = recordedBody<Organization>('ndr_lookup-organisation_find_success_response.txt');
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: aff, search: { mode: 'match' } },
        { resource: x26, search: { mode: 'include' } },
      ],
    };
    const rels = relationshipsFromBundle(bundle, isPrimaryRole);
    expect([...rels.keys()]).toEqual(['G81086']);
    expect(rels.get('G81086')?.[0]?.targetOdsCode).toBe('U36842');
    expect(rels.get('G81086')?.[0]?.targetPrimaryRoleTypeId).toBeNull();
    // Had the target been included (X26 as the participating organisation), its primary role would be read off it.
    const pointed: OrganizationAffiliation = {
      ...aff,
      participatingOrganization: { reference: 'Organization/X26' },
    };
    const viaInclude = relationshipsFromBundle(
      { ...bundle, entry: [{ resource: pointed }, ...bundle.entry!.slice(1)] },
      isPrimaryRole,
    );
    expect(viaInclude.get('G81086')?.[0]?.targetPrimaryRoleTypeId).toBe('RO116');
  });
});

describe('ods-organization-code $lookup (spec example, G81086)', () => {
  const lookup = json<Parameters>('spec/spec-CodeSystem-lookup-ods-organization-code-G81086-Parameters.json');

  it('reads organisation-level dates, LastChangeDate and the primary role; no succession in the example', () => {
    const facts = fromOrganisationCodeLookup(lookup);
    expect(facts).toEqual({
      odsCode: 'G81086',
      operationalPeriod: { start: '1974-04-01', end: null },
      legalPeriod: { start: '1974-04-01', end: null },
      lastChangeDate: '2023-08-22',
      primaryRoleTypeId: 'RO177',
      successions: [],
    });
  });

  it('completes an Organisation of the same code, and refuses one of another code', () => {
    const x26 = toOrganisation(
      recordedBody<Organization>('ndr_lookup-organisation_find_success_response.txt'),
      isPrimaryRole,
    );
    const facts = fromOrganisationCodeLookup(lookup);
    expect(() => withLookup(x26, facts)).toThrow(FhirMalformedError);
    const g = withLookup({ ...x26, odsCode: 'G81086' }, facts);
    expect(g.legalPeriod).toEqual({ start: '1974-04-01', end: null });
    expect(g.operationalPeriod).toEqual({ start: '1974-04-01', end: null });
  });
});
