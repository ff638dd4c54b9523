// The seam between the GraphQL layer and wherever organisation data comes from (ORD today; FHIR or a mirror later).
// The schema and loaders depend only on this interface and src/domain; an implementation owns its wire format.

import type { IsoDate, Organisation, OrganisationSummary, RecordClass, RelationshipType, RoleType, Status } from '../domain/types.js';

/** Every search filter ORD offers, in domain terms. All given filters AND together. */
export interface OrganisationSearch {
  name?: string;
  postcode?: string;
  status?: Status;
  primaryRoleTypeId?: string;
  nonPrimaryRoleTypeId?: string;
  /** Organisations holding any of these roles (primary or not). */
  anyRoleTypeIds?: string[];
  recordClassId?: 'RC1' | 'RC2';
  changedSince?: IsoDate;
  /** Membership search: organisations with a relationship pointing at `relatedTo.odsCode`. */
  relatedTo?: { odsCode: string; relationshipTypeIds?: string[]; status?: Status };
}

export interface SearchPage {
  /** Total matches for the whole search, not just this page. */
  totalCount: number;
  items: OrganisationSummary[];
}

/** The code systems a source serves (each one ORD call when not held). */
export type CodeSystemName = 'roleTypes' | 'relationshipTypes' | 'recordClasses';

export interface OrganisationSource {
  /** A full record, or null when the source has no such code. */
  getOrganisation(odsCode: string): Promise<Organisation | null>;
  /** One page of a search, sorted as the source sorts (ORD: name, then code). `limit` may exceed the upstream page size. */
  searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage>;
  /** Codes of organisations changed on or after `date`, in the source's order. */
  changedSince(date: IsoDate): Promise<string[]>;
  roleTypes(): Promise<RoleType[]>;
  relationshipTypes(): Promise<RelationshipType[]>;
  recordClasses(): Promise<RecordClass[]>;

  // Optional, for sources that remember answers (CachedOrganisationSource). They answer synchronously, never call
  // upstream, and report only fresh knowledge: the loaders use them to skip fetches, the budget estimator to count less.

  /** A fresh full record held for `odsCode`; `null` when the code is known not to exist; undefined when not known. */
  knownOrganisation?(odsCode: string): Organisation | null | undefined;
  /** A fresh summary held for `odsCode` (from a search page or a full record); undefined when not known. */
  knownSummary?(odsCode: string): OrganisationSummary | undefined;
  /** A fresh page held for exactly this search, offset and limit; undefined when not known. */
  knownSearch?(filter: OrganisationSearch, offset: number, limit: number): SearchPage | undefined;
  /** True when the code system is held fresh, so using it costs no upstream call. */
  knownCodeSystem?(system: CodeSystemName): boolean;
}
