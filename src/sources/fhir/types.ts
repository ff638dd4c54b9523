// FHIR R4 wire types for what the Organisation Data Terminology API (ODT) returns, as far as this project reads them.
// Only the fields seen in data/recorded/odt/ are declared; everything is optional where the profiles allow absence.

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface FhirPeriod {
  start?: string;
  end?: string;
}

export interface Identifier {
  use?: string;
  system?: string;
  value?: string;
  assigner?: { display?: string };
}

export interface Reference {
  reference?: string;
  identifier?: Identifier;
  display?: string;
}

/** A FHIR extension: ODT nests them (role → typed period → dateType/period), so one recursive shape covers all. */
export interface Extension {
  url: string;
  extension?: Extension[];
  valueInteger?: number;
  valueBoolean?: boolean;
  valueString?: string;
  valueCode?: string;
  valueDateTime?: string;
  valueCoding?: Coding;
  valueCodeableConcept?: CodeableConcept;
  valuePeriod?: FhirPeriod;
}

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  source?: string;
  profile?: string[];
}

export interface FhirAddress {
  extension?: Extension[];
  line?: string[];
  city?: string;
  district?: string;
  postalCode?: string;
  country?: string;
}

export interface ContactPoint {
  system?: 'phone' | 'fax' | 'email' | 'pager' | 'url' | 'sms' | 'other';
  value?: string;
}

export interface Organization {
  resourceType: 'Organization';
  id: string;
  meta?: Meta;
  extension?: Extension[];
  identifier?: Identifier[];
  active?: boolean;
  type?: CodeableConcept[];
  name?: string;
  telecom?: ContactPoint[];
  address?: FhirAddress[];
}

export interface OrganizationAffiliation {
  resourceType: 'OrganizationAffiliation';
  id: string;
  meta?: Meta;
  extension?: Extension[];
  identifier?: Identifier[];
  active?: boolean;
  period?: FhirPeriod;
  /** ORD's Source: the record that holds the relationship (search parameter `primary-organization`). */
  organization?: Reference;
  /** ORD's Target (search parameter `participating-organization`). */
  participatingOrganization?: Reference;
  code?: CodeableConcept[];
}

export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  details?: CodeableConcept;
  diagnostics?: string;
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  id?: string;
  text?: { status?: string; div?: string };
  issue: OperationOutcomeIssue[];
}

export interface ParametersParameter {
  name: string;
  valueCode?: string;
  valueString?: string;
  valueUri?: string;
  valueBoolean?: boolean;
  valueDateTime?: string;
  valueInteger?: number;
  valueCoding?: Coding;
  resource?: Resource;
  part?: ParametersParameter[];
}

/** The answer of `CodeSystem/$lookup` (e.g. system ods-organization-code, property=*). */
export interface Parameters {
  resourceType: 'Parameters';
  parameter?: ParametersParameter[];
}

export interface ValueSetContains {
  system?: string;
  code?: string;
  display?: string;
  inactive?: boolean;
  /**
   * The requested properties, as Ontoserver emits them in R4: the R5 backport extension
   * (EXPANSION_PROPERTY_EXTENSION), sub-extensions `code`, `value[x]` and, for a succession, `subProperty`.
   */
  extension?: Extension[];
}

export interface ValueSet {
  resourceType: 'ValueSet';
  id?: string;
  url?: string;
  compose?: {
    inactive?: boolean;
    include: { system: string; filter?: { property: string; op: string; value: string }[] }[];
  };
  expansion?: {
    identifier?: string;
    timestamp?: string;
    total?: number;
    offset?: number;
    contains?: ValueSetContains[];
  };
}

export interface ListEntry {
  date?: string;
  item: Reference & { type?: string };
}

/** A deletion notice list, e.g. `List/Organization-deletion`. */
export interface List {
  resourceType: 'List';
  id: string;
  meta?: Meta;
  status?: string;
  mode?: string;
  title?: string;
  date?: string;
  note?: { text?: string }[];
  entry?: ListEntry[];
}

export type Resource = Organization | OrganizationAffiliation | OperationOutcome | Parameters | ValueSet | List;

export interface BundleLink {
  relation: 'self' | 'next' | 'previous' | string;
  url: string;
}

export interface BundleEntry<R = Resource> {
  fullUrl?: string;
  resource?: R;
  search?: { mode?: 'match' | 'include' | 'outcome' };
}

export interface Bundle<R = Resource> {
  resourceType: 'Bundle';
  id?: string;
  meta?: Meta;
  type: 'searchset' | string;
  /** Present only on a page that is not full (the last page) or with `_summary=count`. */
  total?: number;
  link?: BundleLink[];
  entry?: BundleEntry<R>[];
}

// ---------------------------------------------------------------------------------------------------------------
// The systems and extension URLs of ODT's wire format (read by map.ts, written by the ODT simulator)

export const ODS_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const ROLE_EXTENSION = 'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-OrganisationRole';
export const TYPED_PERIOD_EXTENSION = 'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedPeriod';
export const TYPED_DATE_TIME_EXTENSION =
  'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedDateTime';
export const ADDRESS_KEY_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AddressKey';
const ODS = 'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/';
export const ROLE_CODE_SYSTEM = `${ODS}ODSOrganisationRole`;
export const RELATIONSHIP_CODE_SYSTEM = `${ODS}ODSRelationship`;
export const RECORD_CLASS_CODE_SYSTEM = `${ODS}ODSRecordClass`;
export const RECORD_USE_TYPE_CODE_SYSTEM = 'https://fhir.nhs.uk/England/CodeSystem/England-ODSRecordUseType';

/** The extension Ontoserver puts each requested property in, inside an R4 expansion (the R5 backport). */
export const EXPANSION_PROPERTY_EXTENSION =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property';
