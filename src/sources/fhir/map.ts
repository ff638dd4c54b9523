// The one bridge from ODT's FHIR R4 wire shapes (src/sources/fhir/types.ts) to the project's domain (src/domain/types.ts).
// Each ODT quirk (roles as nested extensions, relationships as separate OrganizationAffiliations) is absorbed here, once.

import type {
  Address,
  Contact,
  ContactType,
  IsoDate,
  Organisation,
  OrganisationSummary,
  Period,
  RecordClass,
  RecordClassId,
  Relationship,
  RelationshipType,
  Role,
  RoleType,
  Status,
  Succession,
} from '../../domain/types.js';
import { summaryOf } from '../../domain/summary.js';
import type { DeletedOrganisation } from '../types.js';
import { FhirMalformedError } from './errors.js';
import type {
  Bundle,
  CodeableConcept,
  ContactPoint,
  Extension,
  FhirAddress,
  FhirPeriod,
  List,
  Organization,
  OrganizationAffiliation,
  Parameters,
  ParametersParameter,
  Reference,
  Resource,
  ValueSet,
  ValueSetContains,
} from './types.js';

// The URL constants live beside the wire types (types.ts) so the ODT simulator can share them; re-exported here.
import {
  ODS_CODE_SYSTEM,
  ROLE_EXTENSION,
  TYPED_PERIOD_EXTENSION,
  TYPED_DATE_TIME_EXTENSION,
  ADDRESS_KEY_EXTENSION,
  ROLE_CODE_SYSTEM,
  RELATIONSHIP_CODE_SYSTEM,
  RECORD_CLASS_CODE_SYSTEM,
  RECORD_USE_TYPE_CODE_SYSTEM,
  EXPANSION_PROPERTY_EXTENSION,
} from './types.js';
export {
  ODS_CODE_SYSTEM,
  ROLE_EXTENSION,
  TYPED_PERIOD_EXTENSION,
  TYPED_DATE_TIME_EXTENSION,
  ADDRESS_KEY_EXTENSION,
  ROLE_CODE_SYSTEM,
  RELATIONSHIP_CODE_SYSTEM,
  RECORD_CLASS_CODE_SYSTEM,
  RECORD_USE_TYPE_CODE_SYSTEM,
  EXPANSION_PROPERTY_EXTENSION,
};

/**
 * Whether a role code (RO…) is a primary role. ODT's role extension carries no primary flag (NOTES §3.2): primary-ness
 * is the ODSOrganisationRole CodeSystem's `primaryRole` property, so the caller passes in what it looked up there.
 * `undefined` means "code not in the lookup", which maps to not primary (an unknown code cannot be asserted primary).
 */
export type IsPrimaryRole = (roleTypeId: string) => boolean | undefined;

// ---------------------------------------------------------------------------------------------------------------
// Small readers

const sub = (ext: Extension | undefined, url: string): Extension | undefined =>
  ext?.extension?.find((e) => e.url === url);

const top = (exts: Extension[] | undefined, url: string): Extension[] => (exts ?? []).filter((e) => e.url === url);

function codeIn(concept: CodeableConcept | undefined, system: string): string | undefined {
  return concept?.coding?.find((c) => c.system === system)?.code;
}

/** ODT dates are `YYYY-MM-DD`; a dateTime would also be legal FHIR, so keep only its date part. */
function isoDate(value: string | undefined): IsoDate | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) throw new FhirMalformedError(`date ${JSON.stringify(value)}`);
  return value.slice(0, 10);
}

function period(p: FhirPeriod | undefined): Period | null {
  if (p === undefined) return null;
  const start = isoDate(p.start);
  const end = isoDate(p.end);
  return start === null && end === null ? null : { start, end };
}

/** The Legal and Operational periods from a list of Extension-England-TypedPeriod (roles, affiliations, orgs). */
function typedPeriods(exts: Extension[] | undefined): { legal: Period | null; operational: Period | null } {
  let legal: Period | null = null;
  let operational: Period | null = null;
  for (const tp of top(exts, TYPED_PERIOD_EXTENSION)) {
    const type = sub(tp, 'dateType')?.valueCoding?.code;
    const value = period(sub(tp, 'period')?.valuePeriod);
    if (type === 'Legal') legal = value;
    else if (type === 'Operational') operational = value;
    // Any other dateType is unknown to the domain (England-PeriodType has only these two): ignored, not an error.
  }
  return { legal, operational };
}

const status = (active: boolean | undefined): Status => (active === false ? 'INACTIVE' : 'ACTIVE');

/** The ODS code a Reference points at: the logical identifier when present, else the `Organization/<code>` literal. */
export function referencedOdsCode(ref: Reference | undefined, what: string): string {
  const fromIdentifier = ref?.identifier?.system === ODS_CODE_SYSTEM ? ref.identifier.value : undefined;
  const fromLiteral = ref?.reference?.match(/(?:^|\/)Organization\/([^/]+)$/)?.[1];
  const code = fromIdentifier ?? fromLiteral;
  if (code === undefined || code === '') throw new FhirMalformedError(`${what} has no ODS code`);
  return code;
}

// ---------------------------------------------------------------------------------------------------------------
// Organization → Organisation

function role(ext: Extension, isPrimaryRole: IsPrimaryRole): Role {
  const roleTypeId = codeIn(sub(ext, 'roleCode')?.valueCodeableConcept, ROLE_CODE_SYSTEM);
  if (roleTypeId === undefined) throw new FhirMalformedError('role extension without an ODSOrganisationRole code');
  const { legal, operational } = typedPeriods(ext.extension);
  // `active` is 1..1 in the profile; if it is ever missing, fall back to the periods: an ended one means inactive.
  const active = sub(ext, 'active')?.valueBoolean ?? !(operational?.end ?? legal?.end);
  return {
    roleTypeId,
    isPrimary: isPrimaryRole(roleTypeId) === true,
    status: status(active),
    operationalPeriod: operational,
    legalPeriod: legal,
    uniqueRoleId: sub(ext, 'instanceID')?.valueInteger ?? null,
  };
}

function address(a: FhirAddress | undefined): Address | null {
  if (a === undefined) return null;
  const uprn = top(a.extension, ADDRESS_KEY_EXTENSION).find(
    (k) =>
      codeIn(sub(k, 'type')?.valueCodeableConcept, 'https://fhir.hl7.org.uk/CodeSystem/UKCore-AddressKeyType') ===
      'UPRN',
  );
  return {
    lines: (a.line ?? []).filter((l) => l.trim() !== ''),
    town: a.city ?? null,
    // ODT puts ORD's County in `district` (NOTES §3.1), not `state`.
    county: a.district ?? null,
    postcode: a.postalCode ?? null,
    country: a.country ?? null,
    uprn: sub(uprn, 'value')?.valueString ?? null,
  };
}

const CONTACT_TYPES: Record<string, ContactType> = {
  phone: 'TELEPHONE',
  fax: 'FAX',
  email: 'EMAIL',
  url: 'WEBSITE',
};

function contact(c: ContactPoint): Contact | null {
  if (c.value === undefined || c.value === '') return null;
  const type = CONTACT_TYPES[c.system ?? ''] ?? 'OTHER';
  // Only phone and url are seen in ODT; email/fax are mapped should they appear. The domain keeps values unprefixed,
  // as ORD does, so a FHIR-style `mailto:`/`tel:` scheme is dropped.
  return { type, value: c.value.replace(/^(mailto|tel):/i, '') };
}

function recordClass(org: Organization): RecordClassId {
  const code = (org.type ?? []).map((t) => codeIn(t, RECORD_CLASS_CODE_SYSTEM)).find((c) => c !== undefined);
  if (code === 'RC1' || code === 'RC2') return code;
  throw new FhirMalformedError(`Organization/${org.id} record class ${JSON.stringify(code)}`);
}

/** The organisation's LastChangeDate: the TypedDateTime of type LastChangeDate (not meta.lastUpdated, a load time). */
function lastChangeDate(org: Organization): IsoDate | null {
  const ext = top(org.extension, TYPED_DATE_TIME_EXTENSION).find(
    (e) => sub(e, 'type')?.valueCoding?.code === 'LastChangeDate',
  );
  return isoDate(sub(ext, 'dateTime')?.valueDateTime);
}

/**
 * An Organization as a full domain record. Relationships and successions are not in an Organization (they come from
 * OrganizationAffiliation and `$lookup`), so they start empty; see `withRelationships` and `withLookup`.
 *
 * Organisation-level dates: no recorded Organization carries an org-level TypedPeriod, though the profile allows one.
 * We read it if present; otherwise we fall back to the primary role's periods (NOTES §3.1 says they match ORD's org
 * dates for most records, [inferred]) until `withLookup` supplies the authoritative opStartDate/legStartDate.
 */
export function toOrganisation(org: Organization, isPrimaryRole: IsPrimaryRole): Organisation {
  if (org.resourceType !== 'Organization') throw new FhirMalformedError(`resourceType ${org.resourceType}`);
  const odsCode =
    org.identifier?.find((i) => i.system === ODS_CODE_SYSTEM)?.value ?? (org.id !== '' ? org.id : undefined);
  if (odsCode === undefined) throw new FhirMalformedError('Organization without an ODS code');
  if (org.name === undefined || org.name === '') throw new FhirMalformedError(`Organization/${odsCode} has no name`);
  const roles = top(org.extension, ROLE_EXTENSION).map((e) => role(e, isPrimaryRole));
  const own = typedPeriods(org.extension);
  const primary = roles.find((r) => r.isPrimary);
  const hasOwn = own.legal !== null || own.operational !== null;
  return {
    kind: 'full',
    odsCode,
    name: org.name,
    status: status(org.active),
    recordClassId: recordClass(org),
    // Use type `RefOnly` ↔ ORD refOnly; absent means Full (the IG's default slice).
    isReferenceOnly: (org.type ?? []).some((t) => codeIn(t, RECORD_USE_TYPE_CODE_SYSTEM) === 'RefOnly'),
    lastChangeDate: lastChangeDate(org),
    operationalPeriod: hasOwn ? own.operational : (primary?.operationalPeriod ?? null),
    legalPeriod: hasOwn ? own.legal : (primary?.legalPeriod ?? null),
    // ODT has one address per organisation (ORD's single GeoLoc); any further ones are ignored.
    address: address(org.address?.[0]),
    contacts: (org.telecom ?? []).map(contact).filter((c): c is Contact => c !== null),
    roles,
    relationships: [],
    successions: [],
  };
}

/** The primary role code of an Organization (an `_include`d target, say), or null if none of its roles is primary. */
export function primaryRoleTypeId(org: Organization, isPrimaryRole: IsPrimaryRole): string | null {
  for (const ext of top(org.extension, ROLE_EXTENSION)) {
    const code = codeIn(sub(ext, 'roleCode')?.valueCodeableConcept, ROLE_CODE_SYSTEM);
    if (code !== undefined && isPrimaryRole(code) === true) return code;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// OrganizationAffiliation → Relationship

/** Which ODS code an affiliation belongs to: `organization` (search `primary-organization`) is ORD's *Source*. */
export function affiliationSource(aff: OrganizationAffiliation): string {
  return referencedOdsCode(aff.organization, `OrganizationAffiliation/${aff.id} organization`);
}

/**
 * One affiliation as a relationship of its source. `targetPrimaryRole` answers for the participating organisation;
 * ODT has no target primary role on the affiliation itself (NOTES §3.3), so it comes from `_include`d Organizations.
 */
export function toRelationship(
  aff: OrganizationAffiliation,
  targetPrimaryRole: (odsCode: string) => string | null,
): Relationship {
  if (aff.resourceType !== 'OrganizationAffiliation') throw new FhirMalformedError(`resourceType ${aff.resourceType}`);
  const relationshipTypeId = (aff.code ?? []).map((c) => codeIn(c, RELATIONSHIP_CODE_SYSTEM)).find((c) => c);
  if (relationshipTypeId === undefined)
    throw new FhirMalformedError(`OrganizationAffiliation/${aff.id} has no ODSRelationship code`);
  const targetOdsCode = referencedOdsCode(
    aff.participatingOrganization,
    `OrganizationAffiliation/${aff.id} participatingOrganization`,
  );
  const typed = typedPeriods(aff.extension);
  const hasTyped = typed.legal !== null || typed.operational !== null;
  // The typed periods are authoritative (the IG: "use ExtensionEnglandTypedPeriod instead"); base `period` equals both
  // in every example, and which one it copies when they differ is unknown, so it stands in only for the Legal period.
  const legal = hasTyped ? typed.legal : period(aff.period);
  const id = Number(aff.id);
  return {
    relationshipTypeId,
    status: status(aff.active),
    operationalPeriod: typed.operational,
    legalPeriod: legal,
    targetOdsCode,
    targetPrimaryRoleTypeId: targetPrimaryRole(targetOdsCode),
    uniqueRelId: Number.isSafeInteger(id) ? id : null,
  };
}

/**
 * The relationships among an OrganizationAffiliation search's matches, keyed by source ODS code in answer order, their
 * targets' primary roles read off the `_include`d Organizations. Targets not included get a null primary role: we do
 * not guess one.
 */
export function relationshipsFromResources(
  matches: readonly Resource[],
  included: readonly Resource[],
  isPrimaryRole: IsPrimaryRole,
): Map<string, Relationship[]> {
  const targets = new Map<string, string | null>();
  for (const r of included) {
    if (r.resourceType === 'Organization') targets.set(r.id, primaryRoleTypeId(r, isPrimaryRole));
  }
  const out = new Map<string, Relationship[]>();
  for (const r of matches) {
    if (r.resourceType !== 'OrganizationAffiliation') continue;
    const source = affiliationSource(r);
    const list = out.get(source) ?? [];
    list.push(toRelationship(r, (code) => targets.get(code) ?? null));
    out.set(source, list);
  }
  return out;
}

/** The same, from one search Bundle (`primary-organization=X&_include=…:participating-organization`). */
export function relationshipsFromBundle(bundle: Bundle, isPrimaryRole: IsPrimaryRole): Map<string, Relationship[]> {
  const entries = bundle.entry ?? [];
  const of = (mode: 'match' | 'include') =>
    entries
      .filter((e) => (e.search?.mode ?? (e.resource?.resourceType === 'Organization' ? 'include' : 'match')) === mode)
      .map((e) => e.resource)
      .filter((r): r is Resource => r !== undefined);
  return relationshipsFromResources(of('match'), of('include'), isPrimaryRole);
}

export function withRelationships(org: Organisation, relationships: Relationship[]): Organisation {
  return { ...org, relationships };
}

// ---------------------------------------------------------------------------------------------------------------
// ods-organization-code concepts ($lookup one, $expand many) → organisation-level facts

/** What the ods-organization-code code system adds to an Organization (its `$lookup`, or its row in an `$expand`). */
export interface OrganisationCodeFacts {
  odsCode: string;
  operationalPeriod: Period | null;
  legalPeriod: Period | null;
  lastChangeDate: IsoDate | null;
  primaryRoleTypeId: string | null;
  successions: Succession[];
}

type PropertyValue = string | boolean | number | undefined;

/** One property of a concept, whichever operation carried it; `sub` holds a succession's subproperties. */
interface CodeProperty {
  code: string;
  value: PropertyValue;
  sub: CodeProperty[];
}

/** The value[x] of a `$lookup` part or an expansion property extension (both carry FHIR's typed value keys). */
function valueOf(p: ParametersParameter | Extension | undefined): PropertyValue {
  if (p === undefined) return undefined;
  return p.valueCode ?? p.valueString ?? p.valueDateTime ?? p.valueBoolean ?? p.valueInteger ?? p.valueCoding?.code;
}

/**
 * A `$lookup` property (or subproperty): parts `code` and `value`. Ontoserver also repeats the value under its type
 * name (e.g. `valueDateTime`); we read `value`, falling back to the typed twin.
 */
function lookupProperty(p: ParametersParameter): CodeProperty | null {
  const code = p.part?.find((x) => x.name === 'code')?.valueCode;
  if (code === undefined) return null;
  const value =
    valueOf(p.part?.find((x) => x.name === 'value')) ?? valueOf(p.part?.find((x) => x.name.startsWith('value')));
  const sub = (p.part ?? [])
    .filter((x) => x.name === 'subproperty')
    .map(lookupProperty)
    .filter((x): x is CodeProperty => x !== null);
  return { code, value, sub };
}

/** An expansion property extension: sub-extensions `code`, `value` and (nested, same shape) `subProperty`. */
function expansionProperty(e: Extension): CodeProperty | null {
  const code = sub(e, 'code')?.valueCode;
  if (code === undefined) return null;
  const nested = (e.extension ?? [])
    .filter((x) => x.url === 'subProperty')
    .map(expansionProperty)
    .filter((x): x is CodeProperty => x !== null);
  return { code, value: valueOf(sub(e, 'value')), sub: nested };
}

/**
 * Successions: ODT says the ods-organization-code concept carries "any predecessors and/or successors" without naming
 * the properties (NOTES §3.4). We choose the succession CodeSystem's names (docs/odt-wire.md): a `predecessor` or
 * `successor` property valued with the other organisation's code, with subproperties `legStartDate` (the effective
 * date), `succession` (the succession concept's code, ORD's uniqueSuccId) and `primaryRole` (the other's primary role).
 */
function succession(p: CodeProperty): Succession | null {
  if ((p.code !== 'predecessor' && p.code !== 'successor') || typeof p.value !== 'string' || p.value === '')
    return null;
  const subValue = (name: string): string | undefined => {
    const v = p.sub.find((s) => s.code === name)?.value;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const id = Number(subValue('succession'));
  return {
    type: p.code === 'predecessor' ? 'PREDECESSOR' : 'SUCCESSOR',
    effectiveDate: isoDate(subValue('legStartDate')),
    targetOdsCode: p.value,
    targetPrimaryRoleTypeId: subValue('primaryRole') ?? null,
    uniqueSuccId: Number.isSafeInteger(id) ? id : null,
  };
}

function factsFrom(odsCode: string, props: CodeProperty[]): OrganisationCodeFacts {
  const first = (name: string): string | undefined => {
    const v = props.find((p) => p.code === name)?.value;
    return typeof v === 'string' ? v : undefined;
  };
  const pair = (start: string, end: string): Period | null => {
    const s = isoDate(first(start));
    const e = isoDate(first(end));
    return s === null && e === null ? null : { start: s, end: e };
  };
  return {
    odsCode,
    operationalPeriod: pair('opStartDate', 'opEndDate'),
    legalPeriod: pair('legStartDate', 'legEndDate'),
    lastChangeDate: isoDate(first('lastChangeDate')),
    primaryRoleTypeId: first('primaryRole') ?? null,
    successions: props.map(succession).filter((s): s is Succession => s !== null),
  };
}

/** Reads a `CodeSystem/$lookup` answer (system ods-organization-code, `property=*`). */
export function fromOrganisationCodeLookup(params: Parameters): OrganisationCodeFacts {
  if (params.resourceType !== 'Parameters') throw new FhirMalformedError(`resourceType ${params.resourceType}`);
  const parameters = params.parameter ?? [];
  const code = parameters.find((p) => p.name === 'code')?.valueCode;
  if (code === undefined) throw new FhirMalformedError('$lookup Parameters without a code');
  const props = parameters
    .filter((p) => p.name === 'property')
    .map(lookupProperty)
    .filter((p): p is CodeProperty => p !== null);
  return factsFrom(code, props);
}

/** Reads an `$expand` of ods-organization-code (filter `concept in …`): one set of facts per code, in answer order. */
export function fromOrganisationCodeExpansion(valueSet: ValueSet): OrganisationCodeFacts[] {
  return expansionContains(valueSet).map((c) => {
    if (c.code === undefined) throw new FhirMalformedError('expansion entry without a code');
    return factsFrom(c.code, containsProperties(c));
  });
}

/** The record completed by its code-system facts: the authoritative org-level dates replace the role fallback. */
export function withLookup(org: Organisation, facts: OrganisationCodeFacts): Organisation {
  if (facts.odsCode !== org.odsCode)
    throw new FhirMalformedError(`$lookup for ${facts.odsCode} applied to ${org.odsCode}`);
  return {
    ...org,
    operationalPeriod: facts.operationalPeriod ?? org.operationalPeriod,
    legalPeriod: facts.legalPeriod ?? org.legalPeriod,
    lastChangeDate: org.lastChangeDate ?? facts.lastChangeDate,
    successions: facts.successions,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Code systems ($expand), summaries, deletions

function expansionContains(valueSet: ValueSet): ValueSetContains[] {
  if (valueSet.resourceType !== 'ValueSet') throw new FhirMalformedError(`resourceType ${valueSet.resourceType}`);
  const contains = valueSet.expansion?.contains;
  if (valueSet.expansion === undefined) throw new FhirMalformedError('ValueSet without an expansion');
  return contains ?? [];
}

function containsProperties(c: ValueSetContains): CodeProperty[] {
  return top(c.extension, EXPANSION_PROPERTY_EXTENSION)
    .map(expansionProperty)
    .filter((p): p is CodeProperty => p !== null);
}

/** ORD's numeric `code` beside its id ("RO197" → "197"): ODT's concept code is the id, so the number is derived. */
function numericPart(id: string): string {
  return id.replace(/^[A-Za-z]+/, '');
}

function concepts(valueSet: ValueSet, system: string): { code: string; display: string; c: ValueSetContains }[] {
  return expansionContains(valueSet).map((c) => {
    if (c.code === undefined || (c.system !== undefined && c.system !== system))
      throw new FhirMalformedError(`expansion of ${system} holds ${c.system ?? '?'}|${c.code ?? '?'}`);
    return { code: c.code, display: c.display ?? '', c };
  });
}

/** ODSOrganisationRole's expansion (with `property=primaryRole`) as role types. */
export function toRoleTypes(valueSet: ValueSet): RoleType[] {
  return concepts(valueSet, ROLE_CODE_SYSTEM).map(({ code, display, c }) => ({
    id: code,
    code: numericPart(code),
    displayName: display,
    isPrimary: containsProperties(c).some((p) => p.code === 'primaryRole' && p.value === true),
  }));
}

export function toRelationshipTypes(valueSet: ValueSet): RelationshipType[] {
  return concepts(valueSet, RELATIONSHIP_CODE_SYSTEM).map(({ code, display }) => ({
    id: code,
    code: numericPart(code),
    displayName: display,
  }));
}

export function toRecordClasses(valueSet: ValueSet): RecordClass[] {
  return concepts(valueSet, RECORD_CLASS_CODE_SYSTEM).map(({ code, display }) => ({
    id: code,
    code: numericPart(code),
    displayName: display,
  }));
}

/** A search row from an Organization: what ORD's summary carries, read off the full resource. */
export function toOrganisationSummary(org: Organization, isPrimaryRole: IsPrimaryRole): OrganisationSummary {
  return summaryOf(toOrganisation(org, isPrimaryRole));
}

/** The reason every ODT deletion gets: `List/Organization-deletion` carries codes and dates, no reasons. */
export const ODT_DELETION_REASON = Object.freeze({ code: 0, description: 'deleted (ODT gives no reason)' });

/** `List/Organization-deletion` as deleted organisations (no primary role or reason: ODT's list has neither). */
export function toDeletedOrganisations(list: List): DeletedOrganisation[] {
  if (list.resourceType !== 'List') throw new FhirMalformedError(`resourceType ${list.resourceType}`);
  return (list.entry ?? []).map((entry, i) => {
    const code = entry.item.identifier?.system === ODS_CODE_SYSTEM ? entry.item.identifier.value : undefined;
    if (code === undefined || code === '') throw new FhirMalformedError(`List/${list.id} entry ${i} has no ODS code`);
    if (entry.date === undefined) throw new FhirMalformedError(`List/${list.id} entry ${i} has no date`);
    // ORD's /notifications time is "YYYY-MM-DD HH:MM:SS"; the domain keeps the source's own text, so ODT's stays ISO.
    return { odsCode: code, primaryRoleTypeId: null, deletedAt: entry.date, reason: { ...ODT_DELETION_REASON } };
  });
}
