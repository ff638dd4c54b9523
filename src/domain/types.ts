// The project's own model of organisation data: what the GraphQL layer sees.
// No ORD (or FHIR) wire shapes appear here; src/sources/ord/map.ts is the only bridge from ORD JSON.

/** An ISO calendar date, YYYY-MM-DD. */
export type IsoDate = string;

export type Status = 'ACTIVE' | 'INACTIVE';

export interface Period {
  start: IsoDate | null;
  end: IsoDate | null;
}

export interface Address {
  lines: string[]; // address lines 1..3, in order, empty ones omitted
  town: string | null;
  county: string | null;
  postcode: string | null;
  country: string | null;
  /** Unique Property Reference Number, kept as a decimal string (may exceed 32 bits). */
  uprn: string | null;
}

export type ContactType = 'TELEPHONE' | 'FAX' | 'EMAIL' | 'WEBSITE' | 'OTHER';

export interface Contact {
  type: ContactType;
  /** The value without any scheme prefix (`mailto:` etc.), as ORD holds it. */
  value: string;
}

export interface Role {
  roleTypeId: string; // "RO197"
  isPrimary: boolean;
  status: Status;
  operationalPeriod: Period | null;
  legalPeriod: Period | null;
  uniqueRoleId: number | null;
}

export interface Relationship {
  relationshipTypeId: string; // "RE6"
  status: Status;
  operationalPeriod: Period | null;
  legalPeriod: Period | null;
  targetOdsCode: string;
  targetPrimaryRoleTypeId: string | null;
  uniqueRelId: number | null;
}

export type SuccessionType = 'PREDECESSOR' | 'SUCCESSOR';

export interface Succession {
  type: SuccessionType;
  /** The legal date the succession took effect. */
  effectiveDate: IsoDate | null;
  targetOdsCode: string;
  targetPrimaryRoleTypeId: string | null;
  uniqueSuccId: number | null;
}

export type RecordClassId = 'RC1' | 'RC2';

/** A full organisation record. */
export interface Organisation {
  kind: 'full';
  odsCode: string;
  name: string;
  status: Status;
  recordClassId: RecordClassId;
  isReferenceOnly: boolean;
  lastChangeDate: IsoDate | null;
  operationalPeriod: Period | null;
  legalPeriod: Period | null;
  address: Address | null;
  contacts: Contact[];
  roles: Role[];
  relationships: Relationship[];
  successions: Succession[];
}

/** What a search row, change-feed entry or inbound-membership row tells us without a full fetch. */
export interface OrganisationSummary {
  kind: 'summary';
  odsCode: string;
  name: string;
  status: Status;
  recordClassId: RecordClassId;
  postcode: string | null;
  lastChangeDate: IsoDate | null;
  primaryRoleTypeId: string | null;
}

export interface RoleType {
  id: string; // "RO197"
  code: string; // "197"
  displayName: string;
  isPrimary: boolean;
}

export interface RelationshipType {
  id: string; // "RE6"
  code: string; // "6"
  displayName: string;
}

export interface RecordClass {
  id: string; // "RC1"
  code: string; // "1"
  displayName: string;
}
