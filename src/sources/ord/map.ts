// The one bridge from ORD's wire JSON (src/sources/ord/types.ts) to the project's domain types (src/domain/types.ts).
// Every ORD quirk is absorbed here, so nothing above src/sources/ord/ changes when ORD gives way to the FHIR API.

import type {
  Address,
  Contact,
  ContactType,
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
import type { DeletedOrganisation } from '../types.js';
import { OrdUpstreamError } from './errors.js';
import type {
  OrdDeletedOrganisation,
  OrdOrganisation,
  OrdRecordClass,
  OrdRelType,
  OrdRoleType,
  OrdSummary,
} from './types.js';

type Obj = Record<string, unknown>;

/** Raw JSON is untrusted: a wrong shape must become a typed `malformed` error, never a TypeError deep in a resolver. */
function fail(what: string): never {
  throw new OrdUpstreamError('malformed', `ORD record malformed: ${what}`);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) fail(`${what} is not an object`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') fail(`${what} is missing or not a string`);
  return value;
}

function optStr(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') fail(`${what} is not a string`);
  return value;
}

function optInt(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  // The web page's example shows ids as strings; real answers use numbers. Accept both, keep numbers.
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(`${what} is not an integer`);
  return n;
}

/**
 * ORD always sends lists as arrays (even of one) and omits empty sections; an XML-to-JSON converter in between may
 * send a lone object. Both are accepted: absent → [], object → [object].
 */
function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObj(value)) return [value];
  fail(`${what} is not a list`);
}

/** The list inside a wrapper such as `{"Role": [...]}`; an omitted wrapper means an empty list. */
function section(container: Obj, outer: string, inner: string): unknown[] {
  const wrapper = container[outer];
  if (wrapper === undefined || wrapper === null) return [];
  return list(obj(wrapper, outer)[inner], `${outer}.${inner}`);
}

function status(value: unknown, what: string): Status {
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (text === 'active') return 'ACTIVE';
  if (text === 'inactive') return 'INACTIVE';
  fail(`${what} is ${JSON.stringify(value)}, not Active/Inactive`);
}

function recordClass(value: unknown, what: string): RecordClassId {
  const text = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (text === 'RC1' || text === 'RC2') return text;
  fail(`${what} is ${JSON.stringify(value)}, not RC1/RC2`);
}

/** Operational and Legal periods are different facts (when it ran vs when it legally existed): kept apart, each may be null. */
function periods(value: unknown, what: string): { operational: Period | null; legal: Period | null } {
  let operational: Period | null = null;
  let legal: Period | null = null;
  for (const [i, item] of list(value, what).entries()) {
    const date = obj(item, `${what}[${i}]`);
    const period: Period = {
      start: optStr(date.Start, `${what}[${i}].Start`),
      end: optStr(date.End, `${what}[${i}].End`),
    };
    if (period.start === null && period.end === null) continue;
    if (date.Type === 'Operational') operational ??= period;
    else if (date.Type === 'Legal') legal ??= period;
    // Unknown date types are ignored: nothing in the domain could hold them.
  }
  return { operational, legal };
}

/** A decimal string, exact for any integer ORD sends (UPRNs exceed 32 bits; BigInt avoids exponent notation). */
function uprn(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value).toString();
  if (typeof value === 'string' && /^\d+$/.test(value)) return value.replace(/^0+(?=\d)/, '');
  fail(`UPRN ${JSON.stringify(value)} is not a whole number`);
}

function address(raw: Obj): Address | null {
  if (raw.GeoLoc === undefined || raw.GeoLoc === null) return null;
  const location = obj(obj(raw.GeoLoc, 'GeoLoc').Location, 'GeoLoc.Location');
  const lines = (['AddrLn1', 'AddrLn2', 'AddrLn3'] as const)
    .map((key) => optStr(location[key], key))
    .filter((line): line is string => line !== null);
  return {
    lines,
    town: optStr(location.Town, 'Town'),
    county: optStr(location.County, 'County'),
    postcode: optStr(location.PostCode, 'PostCode'),
    country: optStr(location.Country, 'Country'),
    uprn: uprn(location.UPRN),
  };
}

const CONTACT_TYPES: Record<string, ContactType> = {
  tel: 'TELEPHONE',
  fax: 'FAX',
  mailto: 'EMAIL',
  http: 'WEBSITE',
};

function contact(item: unknown, i: number): Contact {
  const raw = obj(item, `Contact[${i}]`);
  const wireType = str(raw.type, `Contact[${i}].type`).toLowerCase();
  const value = str(raw.value, `Contact[${i}].value`).trim();
  // ORD stores bare values, but a URI form ("mailto:x@y", "tel:0123") must not leak into the domain's plain value.
  const bare = value.replace(/^(mailto|tel|fax):/i, '');
  return { type: CONTACT_TYPES[wireType] ?? 'OTHER', value: bare };
}

function role(item: unknown, i: number): Role {
  const raw = obj(item, `Role[${i}]`);
  const { operational, legal } = periods(raw.Date, `Role[${i}].Date`);
  return {
    roleTypeId: str(raw.id, `Role[${i}].id`).toUpperCase(),
    // ORD marks only the primary role (`primaryRole: true`); the key is absent on the others, and order is arbitrary.
    isPrimary: raw.primaryRole === true || raw.primaryRole === 'true',
    status: status(raw.Status, `Role[${i}].Status`),
    operationalPeriod: operational,
    legalPeriod: legal,
    uniqueRoleId: optInt(raw.uniqueRoleId, `Role[${i}].uniqueRoleId`),
  };
}

function target(value: unknown, what: string): { code: string; primaryRole: string | null } {
  const raw = obj(value, what);
  const orgId = obj(raw.OrgId, `${what}.OrgId`);
  const primary = raw.PrimaryRoleId;
  const primaryRole = isObj(primary) ? optStr(primary.id, `${what}.PrimaryRoleId.id`) : null;
  return {
    code: str(orgId.extension, `${what}.OrgId.extension`).toUpperCase(),
    primaryRole: primaryRole === null ? null : primaryRole.toUpperCase(),
  };
}

function relationship(item: unknown, i: number): Relationship {
  const raw = obj(item, `Rel[${i}]`);
  const { operational, legal } = periods(raw.Date, `Rel[${i}].Date`);
  const to = target(raw.Target, `Rel[${i}].Target`);
  return {
    relationshipTypeId: str(raw.id, `Rel[${i}].id`).toUpperCase(),
    status: status(raw.Status, `Rel[${i}].Status`),
    operationalPeriod: operational,
    legalPeriod: legal,
    targetOdsCode: to.code,
    targetPrimaryRoleTypeId: to.primaryRole,
    uniqueRelId: optInt(raw.uniqueRelId, `Rel[${i}].uniqueRelId`),
  };
}

function succession(item: unknown, i: number): Succession {
  const raw = obj(item, `Succ[${i}]`);
  const type =
    raw.Type === 'Predecessor' ? 'PREDECESSOR' : raw.Type === 'Successor' ? 'SUCCESSOR' : fail(`Succ[${i}].Type`);
  const { operational, legal } = periods(raw.Date, `Succ[${i}].Date`);
  const to = target(raw.Target, `Succ[${i}].Target`);
  return {
    type,
    // ORD gives successions a Legal start only; fall back to an Operational one should it ever send that instead.
    effectiveDate: legal?.start ?? operational?.start ?? null,
    targetOdsCode: to.code,
    targetPrimaryRoleTypeId: to.primaryRole,
    uniqueSuccId: optInt(raw.uniqueSuccId, `Succ[${i}].uniqueSuccId`),
  };
}

/** A full record from `GET organisations/{code}` (the value under `Organisation`). */
export function toOrganisation(rawRecord: OrdOrganisation): Organisation {
  const raw = obj(rawRecord as unknown, 'Organisation');
  const orgId = obj(raw.OrgId, 'OrgId');
  const { operational, legal } = periods(raw.Date, 'Date');
  return {
    kind: 'full',
    odsCode: str(orgId.extension, 'OrgId.extension').toUpperCase(),
    name: str(raw.Name, 'Name'),
    status: status(raw.Status, 'Status'),
    recordClassId: recordClass(raw.orgRecordClass, 'orgRecordClass'),
    isReferenceOnly: raw.refOnly === true || raw.refOnly === 'true',
    lastChangeDate: optStr(raw.LastChangeDate, 'LastChangeDate'),
    operationalPeriod: operational,
    legalPeriod: legal,
    address: address(raw),
    contacts: section(raw, 'Contacts', 'Contact').map(contact),
    roles: section(raw, 'Roles', 'Role').map(role),
    relationships: section(raw, 'Rels', 'Rel').map(relationship),
    successions: section(raw, 'Succs', 'Succ').map(succession),
  };
}

/** One entry of `GET notifications`: a code ORD withdrew from publication, with when and why. */
export function toDeletedOrganisation(rawItem: OrdDeletedOrganisation, i = 0): DeletedOrganisation {
  const what = `DeletedOrganisations[${i}]`;
  const raw = obj(rawItem as unknown, what);
  const reason = obj(raw.reason, `${what}.reason`);
  const code = optInt(reason.code, `${what}.reason.code`);
  if (code === null) fail(`${what}.reason.code is missing`);
  const primary = optStr(raw.PrimaryRoleId, `${what}.PrimaryRoleId`);
  return {
    odsCode: str(raw.OrgID, `${what}.OrgID`).toUpperCase(),
    primaryRoleTypeId: primary === null ? null : primary.toUpperCase(),
    deletedAt: str(raw.time, `${what}.time`),
    reason: { code, description: optStr(reason.description, `${what}.reason.description`) ?? '' },
  };
}

/** One search row from `GET organisations?…`. */
export function toOrganisationSummary(rawRow: OrdSummary): OrganisationSummary {
  const raw = obj(rawRow as unknown, 'search row');
  const primary = optStr(raw.PrimaryRoleId, 'PrimaryRoleId');
  return {
    kind: 'summary',
    odsCode: str(raw.OrgId, 'OrgId').toUpperCase(),
    name: str(raw.Name, 'Name'),
    status: status(raw.Status, 'Status'),
    recordClassId: recordClass(raw.OrgRecordClass, 'OrgRecordClass'),
    postcode: optStr(raw.PostCode, 'PostCode'),
    lastChangeDate: optStr(raw.LastChangeDate, 'LastChangeDate'),
    primaryRoleTypeId: primary === null ? null : primary.toUpperCase(),
  };
}

/** ORD sends `code` as a string ("197"); a number is tolerated and turned into one. */
function codeString(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return str(value, what);
}

/** An item of `/roles`; `primaryRole` is the string "true"/"false" on the wire. */
export function toRoleType(rawItem: OrdRoleType): RoleType {
  const raw = obj(rawItem as unknown, 'role type');
  const primary = raw.primaryRole;
  if (primary !== 'true' && primary !== 'false' && typeof primary !== 'boolean') {
    fail(`role type primaryRole ${JSON.stringify(primary)}`);
  }
  return {
    id: str(raw.id, 'role type id').toUpperCase(),
    code: codeString(raw.code, 'role type code'),
    displayName: str(raw.displayName, 'role type displayName'),
    isPrimary: primary === true || primary === 'true',
  };
}

/** An item of `/rels`. */
export function toRelationshipType(rawItem: OrdRelType): RelationshipType {
  const raw = obj(rawItem as unknown, 'relationship type');
  return {
    id: str(raw.id, 'relationship type id').toUpperCase(),
    code: codeString(raw.code, 'relationship type code'),
    displayName: str(raw.displayName, 'relationship type displayName'),
  };
}

/** An item of `/recordclasses`. */
export function toRecordClass(rawItem: OrdRecordClass): RecordClass {
  const raw = obj(rawItem as unknown, 'record class');
  return {
    id: str(raw.id, 'record class id').toUpperCase(),
    code: codeString(raw.code, 'record class code'),
    displayName: str(raw.displayName, 'record class displayName'),
  };
}
