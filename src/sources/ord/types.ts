// The ORD API's JSON exactly as it travels on the wire (ORD 2-0-0, JSON dialect).
// Only src/sources/ord/ and the simulator/dataset (which produce this JSON) may import these types; everything above maps to src/domain.

/** `{"Type": "Operational" | "Legal", "Start"?, "End"?}` — dates are YYYY-MM-DD strings. */
export interface OrdDate {
  Type: 'Operational' | 'Legal';
  Start?: string;
  End?: string;
}

export interface OrdOrgId {
  root: string; // "2.16.840.1.113883.2.1.3.2.4.18.48"
  assigningAuthorityName: string; // "HSCIC"
  extension: string; // the ODS code
}

export interface OrdLocation {
  AddrLn1?: string;
  AddrLn2?: string;
  AddrLn3?: string;
  Town?: string;
  County?: string;
  PostCode?: string;
  Country?: string;
  /** A JSON number; real UPRNs exceed 2^32 (but stay below 2^53). */
  UPRN?: number;
}

export interface OrdContact {
  type: 'tel' | 'fax' | 'mailto' | 'http' | string;
  value: string;
}

export interface OrdRole {
  id: string; // "RO197"
  uniqueRoleId: number;
  /** Present only on the primary role, and then always `true`. */
  primaryRole?: true;
  Date: OrdDate[];
  Status: 'Active' | 'Inactive';
}

export interface OrdTarget {
  OrgId: OrdOrgId;
  PrimaryRoleId: { id: string; uniqueRoleId: number };
}

export interface OrdRel {
  Date: OrdDate[];
  Status: 'Active' | 'Inactive';
  Target: OrdTarget;
  id: string; // "RE6"
  uniqueRelId: number;
}

export interface OrdSucc {
  uniqueSuccId: number;
  Date: OrdDate[];
  Type: 'Predecessor' | 'Successor';
  Target: OrdTarget;
  /** Seen in 2026 captures (RRP, TAF: `true` on some Predecessor entries); meaning not documented. Not mapped. */
  forwardSuccession?: boolean;
}

/** The value under `Organisation` in `GET /organisations/{code}`; keys listed in ORD's emitted order. */
export interface OrdOrganisation {
  Name: string;
  Date: OrdDate[];
  OrgId: OrdOrgId;
  Status: 'Active' | 'Inactive';
  LastChangeDate: string;
  orgRecordClass: 'RC1' | 'RC2';
  refOnly?: true;
  GeoLoc?: { Location: OrdLocation };
  Contacts?: { Contact: OrdContact[] };
  Roles: { Role: OrdRole[] };
  Rels?: { Rel: OrdRel[] };
  Succs?: { Succ: OrdSucc[] };
}

export interface OrdOrganisationDocument {
  Organisation: OrdOrganisation;
}

/** One row of `GET /organisations?…` (search), in ORD's key order. */
export interface OrdSummary {
  Name: string;
  OrgId: string;
  Status: 'Active' | 'Inactive';
  OrgRecordClass: 'RC1' | 'RC2';
  PostCode?: string;
  LastChangeDate: string;
  PrimaryRoleId: string;
  PrimaryRoleDescription: string;
  OrgLink: string;
}

export interface OrdSearchDocument {
  Organisations: OrdSummary[];
}

export interface OrdSyncDocument {
  Organisations: { OrgLink: string }[];
}

/** A code and its text, as `/notifications` gives a deletion's reason and type. */
export interface OrdCodedText {
  code: number;
  description: string;
}

/**
 * One entry of `GET /notifications` (key order of the documented example). `time` is "YYYY-MM-DD HH:MM:SS", zone
 * unstated. Reason codes: 1 THIRD PARTY ERROR, 2 ORG DOES NOT EXIST, 3 HUMAN ERROR; type 1 "Machine".
 */
export interface OrdDeletedOrganisation {
  OrgID: string;
  PrimaryRoleId: string;
  reason: OrdCodedText;
  time: string;
  type: OrdCodedText;
}

/** `GET /notifications`: the organisations deleted from publication in the last 185 days. */
export interface OrdNotificationsDocument {
  DeletedOrganisations: OrdDeletedOrganisation[];
}

/** `/roles` items: note `code` and `primaryRole` are strings on the wire. */
export interface OrdRoleType {
  id: string;
  code: string;
  displayName: string;
  primaryRole: 'true' | 'false';
}
export interface OrdRelType {
  id: string;
  code: string;
  displayName: string;
}
export interface OrdRecordClass {
  id: string;
  code: string;
  displayName: string;
}
export interface OrdRolesDocument {
  Roles: OrdRoleType[];
}
export interface OrdRelsDocument {
  Relationships: OrdRelType[];
}
export interface OrdRecordClassesDocument {
  RecordClasses: OrdRecordClass[];
}

export interface OrdErrorDocument {
  errorCode: number;
  errorText: string;
}

/**
 * Search parameters exactly as ORD names them (case-sensitive on the wire).
 * Values are sent as given; the client encodes them.
 */
export interface OrdSearchParams {
  Name?: string;
  PostCode?: string;
  LastChangeDate?: string;
  Status?: 'Active' | 'Inactive';
  PrimaryRoleId?: string;
  NonPrimaryRoleId?: string;
  /** Comma-separated role ids on the wire; any of them, primary or not. */
  Roles?: string[];
  OrgRecordClass?: 'RC1' | 'RC2';
  /** Comma-separated relationship type ids on the wire. */
  RelTypeId?: string[];
  TargetOrgId?: string;
  RelStatus?: 'active' | 'inactive';
  Limit?: number;
  Offset?: number;
}

/** ORD's search filters (every OrdSearchParams key but Limit/Offset), in the order a URL lists them. */
export const ORD_SEARCH_FILTERS = [
  'Name',
  'PostCode',
  'LastChangeDate',
  'Status',
  'PrimaryRoleId',
  'NonPrimaryRoleId',
  'Roles',
  'OrgRecordClass',
  'RelTypeId',
  'TargetOrgId',
  'RelStatus',
] as const satisfies readonly (keyof OrdSearchParams)[];

export const ORD_ORG_ROOT = '2.16.840.1.113883.2.1.3.2.4.18.48';
export const ORD_ASSIGNING_AUTHORITY = 'HSCIC';
export const ORD_PUBLIC_BASE_URL = 'https://directory.spineservices.nhs.uk/ORD/2-0-0/';

/** ORD XML (TRUD's full file, HSCOrgRefData 2-0-0): the root's namespace; only the root element is in it. */
export const ORD_XML_NAMESPACE = 'http://refdata.hscic.gov.uk/org/v2-0-0';
/** ORD XML's three code systems by their `CodeSystem/@name`, with the OIDs the real header gives them. */
export const ORD_XML_CODE_SYSTEM_OIDS = {
  OrganisationRecordClass: '2.16.840.1.113883.2.1.3.2.4.23',
  OrganisationRole: '2.16.840.1.113883.2.1.3.2.4.17.507',
  OrganisationRelationship: '2.16.840.1.113883.2.1.3.2.4.17.508',
} as const;
