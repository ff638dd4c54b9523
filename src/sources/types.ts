// The seam between the GraphQL layer and wherever organisation data comes from (ORD today; FHIR or a mirror later).
// The schema and loaders depend only on this interface and src/domain; an implementation owns its wire format.

import type {
  IsoDate,
  Organisation,
  OrganisationSummary,
  RecordClass,
  RelationshipType,
  RoleType,
  Status,
} from '../domain/types.js';

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

/** The code systems a source serves (what one costs upstream: src/sources/cost.ts). */
export type CodeSystemName = 'roleTypes' | 'relationshipTypes' | 'recordClasses';

/**
 * What every source offers. A caching source also answers from memory (KnownAnswers, src/sources/known.ts); a source
 * may say what its requests cost upstream (src/sources/cost.ts).
 */
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
}
