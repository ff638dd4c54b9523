// ORD records → the FHIR R4 resources ODT serves: Organization, OrganizationAffiliation and the $lookup Parameters.
// Shapes and key order copy the recorded X26 capture and the spec bodies (NOTES §2.5); the same dataset, another wire.

import { createHash } from 'node:crypto';
import type { OrdDataset } from '../../dataset/types.js';
import type { OrdDate, OrdOrganisation, OrdRel, OrdSucc } from '../../sources/ord/types.js';
import {
  ADDRESS_KEY_EXTENSION,
  ODS_CODE_SYSTEM,
  RECORD_CLASS_CODE_SYSTEM,
  RECORD_USE_TYPE_CODE_SYSTEM,
  RELATIONSHIP_CODE_SYSTEM,
  ROLE_CODE_SYSTEM,
  ROLE_EXTENSION,
  TYPED_DATE_TIME_EXTENSION,
  TYPED_PERIOD_EXTENSION,
  type ContactPoint,
  type Extension,
  type FhirAddress,
  type FhirPeriod,
  type Organization,
  type OrganizationAffiliation,
  type Parameters,
  type ParametersParameter,
} from '../../sources/fhir/types.js';

const PROFILES = [
  'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization',
  'https://fhir.nhs.uk/England/StructureDefinition/England-Organization-ODS',
];
const PERIOD_TYPE_SYSTEM = 'https://fhir.nhs.uk/England/CodeSystem/England-PeriodType';
const DATE_TIME_TYPE_SYSTEM = 'https://fhir.nhs.uk/England/CodeSystem/England-ODSDateTime';
const ADDRESS_KEY_TYPE_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-AddressKeyType';
const RELATIONSHIP_INSTANCE_SYSTEM = 'https://fhir.nhs.uk/Id/organization-relationship-instance';
const RECORD_CLASS_DISPLAY: Record<string, string> = { RC1: 'HSCOrg', RC2: 'HSCSite' };
/** ORD contact types → FHIR ContactPoint.system (NOTES §3.1). */
const TELECOM_SYSTEMS: Record<string, ContactPoint['system']> = {
  tel: 'phone',
  fax: 'fax',
  mailto: 'email',
  http: 'url',
};

/** The code-system displays the resources carry, looked up once per dataset. */
export interface DisplayNames {
  role(id: string): string | undefined;
  relationship(id: string): string | undefined;
}

export function displayNamesOf(dataset: OrdDataset): DisplayNames {
  const roles = new Map(dataset.roles.map((r) => [r.id, r.displayName]));
  const rels = new Map(dataset.rels.map((r) => [r.id, r.displayName]));
  return { role: (id) => roles.get(id), relationship: (id) => rels.get(id) };
}

function dated(dates: OrdDate[], type: OrdDate['Type']): FhirPeriod | undefined {
  const d = dates.find((x) => x.Type === type);
  if (d === undefined || (d.Start === undefined && d.End === undefined)) return undefined;
  return { start: d.Start, end: d.End };
}

/** Extension-England-TypedPeriod for each of ORD's Legal and Operational dates, Legal first (as X26 has them). */
function typedPeriods(dates: OrdDate[]): Extension[] {
  const out: Extension[] = [];
  for (const type of ['Legal', 'Operational'] as const) {
    const valuePeriod = dated(dates, type);
    if (valuePeriod === undefined) continue;
    out.push({
      url: TYPED_PERIOD_EXTENSION,
      extension: [
        { url: 'dateType', valueCoding: { system: PERIOD_TYPE_SYSTEM, code: type, display: type } },
        { url: 'period', valuePeriod },
      ],
    });
  }
  return out;
}

/** HAPI's meta.source is `#` and 16 hex of a request id; ours is derived from the code so bodies are reproducible. */
function metaSource(key: string): string {
  return '#' + createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function address(org: OrdOrganisation): FhirAddress[] | undefined {
  const loc = org.GeoLoc?.Location;
  if (loc === undefined) return undefined;
  const lines = [loc.AddrLn1, loc.AddrLn2, loc.AddrLn3].filter((l): l is string => l !== undefined && l !== '');
  const a: FhirAddress = {
    extension:
      loc.UPRN === undefined
        ? undefined
        : [
            {
              url: ADDRESS_KEY_EXTENSION,
              extension: [
                {
                  url: 'type',
                  valueCodeableConcept: {
                    coding: [
                      { system: ADDRESS_KEY_TYPE_SYSTEM, code: 'UPRN', display: 'Unique Property Reference Number' },
                    ],
                  },
                },
                { url: 'value', valueString: String(loc.UPRN) },
              ],
            },
          ],
    line: lines.length > 0 ? lines : undefined,
    city: loc.Town,
    district: loc.County,
    postalCode: loc.PostCode,
    country: loc.Country,
  };
  return [a];
}

/** One ORD record as an ODT Organization (roles as OrganisationRole extensions; no relationships or successions). */
export function toFhirOrganization(org: OrdOrganisation, names: DisplayNames): Organization {
  const code = org.OrgId.extension;
  const roles: Extension[] = org.Roles.Role.map((r) => ({
    url: ROLE_EXTENSION,
    extension: [
      { url: 'instanceID', valueInteger: r.uniqueRoleId },
      {
        url: 'roleCode',
        valueCodeableConcept: { coding: [{ system: ROLE_CODE_SYSTEM, code: r.id, display: names.role(r.id) }] },
      },
      ...typedPeriods(r.Date),
      { url: 'active', valueBoolean: r.Status === 'Active' },
    ],
  }));
  const lastChange: Extension = {
    url: TYPED_DATE_TIME_EXTENSION,
    extension: [
      {
        url: 'type',
        valueCoding: { system: DATE_TIME_TYPE_SYSTEM, code: 'LastChangeDate', display: 'Last Change Date' },
      },
      { url: 'dateTime', valueDateTime: org.LastChangeDate },
    ],
  };
  const telecom = (org.Contacts?.Contact ?? []).map((c) => ({
    system: TELECOM_SYSTEMS[c.type] ?? 'other',
    value: c.value,
  }));
  const useType = org.refOnly === true ? 'RefOnly' : 'Full';
  return {
    resourceType: 'Organization',
    id: code,
    meta: {
      versionId: '1',
      lastUpdated: `${org.LastChangeDate}T00:00:00.000+00:00`,
      source: metaSource(code),
      profile: PROFILES,
    },
    extension: [...roles, lastChange],
    identifier: [
      {
        use: 'official',
        system: ODS_CODE_SYSTEM,
        value: code,
        assigner: org.OrgId.assigningAuthorityName ? { display: org.OrgId.assigningAuthorityName } : undefined,
      },
    ],
    active: org.Status === 'Active',
    type: [
      { coding: [{ system: RECORD_USE_TYPE_CODE_SYSTEM, code: useType, display: useType }] },
      {
        coding: [
          {
            system: RECORD_CLASS_CODE_SYSTEM,
            code: org.orgRecordClass,
            display: RECORD_CLASS_DISPLAY[org.orgRecordClass],
          },
        ],
      },
    ],
    name: org.Name,
    telecom: telecom.length > 0 ? telecom : undefined,
    address: address(org),
  } as Organization;
}

function organisationReference(code: string): OrganizationAffiliation['organization'] {
  return { reference: `Organization/${code}`, identifier: { system: ODS_CODE_SYSTEM, value: code } };
}

/** One ORD Rel of `source` as an ODT OrganizationAffiliation (id = the Rel's uniqueRelId, as in the spec example). */
export function toFhirAffiliation(source: OrdOrganisation, rel: OrdRel, names: DisplayNames): OrganizationAffiliation {
  const id = String(rel.uniqueRelId);
  return {
    resourceType: 'OrganizationAffiliation',
    id,
    meta: { versionId: '1', lastUpdated: `${source.LastChangeDate}T00:00:00.000+00:00`, source: metaSource(id) },
    extension: typedPeriods(rel.Date),
    identifier: [{ system: RELATIONSHIP_INSTANCE_SYSTEM, value: id }],
    active: rel.Status === 'Active',
    period: dated(rel.Date, 'Legal'),
    organization: organisationReference(source.OrgId.extension),
    participatingOrganization: organisationReference(rel.Target.OrgId.extension),
    code: [{ coding: [{ system: RELATIONSHIP_CODE_SYSTEM, code: rel.id, display: names.relationship(rel.id) }] }],
  } as OrganizationAffiliation;
}

// ---------------------------------------------------------------------------------------------------------------
// The ods-organization-code concept: $lookup properties (and, re-shaped by the caller, $expand extensions)

/** One concept property before it is rendered: `valueType` names the FHIR value[x] it goes in. */
export interface ConceptProperty {
  code: string;
  valueType: 'valueCode' | 'valueString' | 'valueDateTime' | 'valueBoolean' | 'valueCoding';
  value: string | boolean | { system: string; code: string };
  sub?: ConceptProperty[];
}

function succession(s: OrdSucc): ConceptProperty {
  const sub: ConceptProperty[] = [];
  const legal = s.Date.find((d) => d.Type === 'Legal')?.Start;
  if (legal !== undefined) sub.push({ code: 'legStartDate', valueType: 'valueDateTime', value: legal });
  sub.push({ code: 'succession', valueType: 'valueCode', value: String(s.uniqueSuccId) });
  sub.push({
    code: 'primaryRole',
    valueType: 'valueCoding',
    value: { system: ROLE_CODE_SYSTEM, code: s.Target.PrimaryRoleId.id },
  });
  if (s.forwardSuccession !== undefined)
    sub.push({ code: 'forwardSuccession', valueType: 'valueBoolean', value: s.forwardSuccession });
  return {
    code: s.Type === 'Predecessor' ? 'predecessor' : 'successor',
    valueType: 'valueCode',
    value: s.Target.OrgId.extension,
    sub,
  };
}

/** The properties of an organisation's ods-organization-code concept, in the order the spec example has them. */
export function conceptProperties(org: OrdOrganisation): ConceptProperty[] {
  const props: ConceptProperty[] = [
    { code: 'status', valueType: 'valueCode', value: org.Status === 'Active' ? 'active' : 'inactive' },
    { code: 'name', valueType: 'valueString', value: org.Name },
  ];
  const dateProps: [OrdDate['Type'], 'Start' | 'End', string][] = [
    ['Operational', 'Start', 'opStartDate'],
    ['Operational', 'End', 'opEndDate'],
    ['Legal', 'Start', 'legStartDate'],
    ['Legal', 'End', 'legEndDate'],
  ];
  for (const [type, end, code] of dateProps) {
    const value = org.Date.find((d) => d.Type === type)?.[end];
    if (value !== undefined) props.push({ code, valueType: 'valueDateTime', value });
  }
  props.push({ code: 'lastChangeDate', valueType: 'valueDateTime', value: org.LastChangeDate });
  const primary = org.Roles.Role.find((r) => r.primaryRole === true);
  if (primary !== undefined)
    props.push({
      code: 'primaryRole',
      valueType: 'valueCoding',
      value: { system: ROLE_CODE_SYSTEM, code: primary.id },
    });
  for (const r of org.Roles.Role)
    props.push({ code: 'role', valueType: 'valueCoding', value: { system: ROLE_CODE_SYSTEM, code: r.id } });
  props.push({
    code: 'orgRecordClass',
    valueType: 'valueCoding',
    value: { system: RECORD_CLASS_CODE_SYSTEM, code: org.orgRecordClass },
  });
  props.push({ code: 'refOnly', valueType: 'valueBoolean', value: org.refOnly === true });
  for (const s of org.Succs?.Succ ?? []) props.push(succession(s));
  return props;
}

/** A property as `$lookup` parts: `code`, `value` and its typed twin (as Ontoserver writes them). */
function lookupPart(p: ConceptProperty, name: 'property' | 'subproperty'): ParametersParameter {
  const value = { [p.valueType]: p.value };
  return {
    name,
    part: [
      { name: 'code', valueCode: p.code },
      { name: 'value', ...value },
      { name: p.valueType, ...value },
      ...(p.sub ?? []).map((s) => lookupPart(s, 'subproperty')),
    ],
  } as ParametersParameter;
}

/** `CodeSystem/$lookup?system=ods-organization-code&code=X&property=*` for one record. */
export function toLookupParameters(org: OrdOrganisation, version: string): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'code', valueCode: org.OrgId.extension },
      { name: 'display', valueString: org.Name },
      { name: 'name', valueString: 'ODS Organisation' },
      { name: 'system', valueUri: ODS_CODE_SYSTEM },
      { name: 'version', valueString: version },
      {
        name: 'designation',
        part: [
          {
            name: 'use',
            valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/designation-usage', code: 'display' },
          },
          { name: 'value', valueString: org.Name },
        ],
      },
      ...conceptProperties(org).map((p) => lookupPart(p, 'property')),
    ],
  } as Parameters;
}
