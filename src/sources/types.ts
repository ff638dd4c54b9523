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
  // The filters below need a source that holds every record (the mirror); ORD refuses them (SourceUnsupportedError).
  /**
   * Open on this date: the organisation's own operational (else legal) period contains it; with `relatedTo`, the
   * relationship's period too. Periods without an end are open-ended; a record with no period never matches.
   */
  activeOn?: IsoDate;
  /** Ranked full-text search over names: every word of `text` must begin a word of the name; best matches first. */
  text?: string;
  /** Postcode begins with this, spaces ignored, any length (typeahead); unlike `postcode`, "LS1" also finds LS10. */
  postcodeStartsWith?: string;
}

export interface SearchPage {
  /** Total matches for the whole search, not just this page. */
  totalCount: number;
  items: OrganisationSummary[];
}

/** A search filter only some sources can answer: a source that cannot throws SourceUnsupportedError naming it. */
export type SourceFeature = 'activeOn' | 'text' | 'postcodeStartsWith';

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

// ---------------------------------------------------------------------------------------------------------------
// Optional capabilities: a source offers them by implementing the interface; the guards below tell.

/** What a multi-level walk follows: relationships of these types, current (ACTIVE) or as at `activeOn`. */
export interface WalkOptions {
  relationshipTypeIds: string[];
  /** As at this date (the relationship's operational, else legal, period); otherwise the relationship's status. */
  activeOn?: IsoDate;
  /** Used when `activeOn` is not given; ACTIVE when neither is. */
  status?: Status;
  /** Levels to go (1 = direct members). Ancestors stop where nothing points further up, or at this depth. */
  depth: number;
}

/** One organisation reached by a walk, once, at the smallest depth it is reached at. */
export interface WalkStep {
  odsCode: string;
  /** 1 for a direct member (or parent), 2 for theirs, … */
  depth: number;
  /** The organisation one level nearer the start through which this one was reached; of several, the first by name, then code. */
  viaOdsCode: string;
  /** The type of the relationship between this organisation and `viaOdsCode`. */
  relationshipTypeId: string;
  /** This organisation's primary role (so a walk can be filtered by role without loading every record). */
  primaryRoleTypeId: string | null;
}

/**
 * A source that walks the relationship graph itself (the mirror, in one recursive query). Order: by depth, then name,
 * then code. Sources without it are walked level by level by the loaders (src/loaders/walks.ts).
 */
export interface GraphWalks {
  /** Organisations with relationships pointing (through each level) at `odsCode`: a trust's sites, an ICB's practices. */
  descendantsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]>;
  /** Organisations `odsCode`'s relationships point at, level by level: a site's trust, its ICB, the region. */
  ancestorsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]>;
}

export function walksGraph(source: OrganisationSource): source is OrganisationSource & GraphWalks {
  const probe = source as Partial<GraphWalks>;
  return typeof probe.descendantsOf === 'function' && typeof probe.ancestorsOf === 'function';
}

/** A source that looks up many records in one go (the mirror: a few queries per batch, not per record). */
export interface BatchLookup {
  /** The records held among `odsCodes` (normalised codes), keyed by code; codes not held are absent. */
  getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>>;
}

export function looksUpInBatches(source: OrganisationSource): source is OrganisationSource & BatchLookup {
  return typeof (source as Partial<BatchLookup>).getOrganisations === 'function';
}

/** One page of a source's whole dataset, as full records; `next` resumes after it (null: that was the last). */
export interface ExportPage {
  records: Organisation[];
  next: string | null;
}

/**
 * A source that hands over every record a page at a time (ODT: Organization search pages, each completed in bulk), so
 * a mirror baseline costs a few calls per thousand records rather than one per record. The cursor is opaque and
 * survives a restart (the mirror's build keeps it).
 */
export interface PagedExport {
  /** How many records the export will give (for progress). */
  exportCount(): Promise<number>;
  /** The page at `cursor` (null: the first). */
  exportPage(cursor: string | null): Promise<ExportPage>;
}

export function exportsPages(source: OrganisationSource): source is OrganisationSource & PagedExport {
  const probe = source as Partial<PagedExport>;
  return typeof probe.exportPage === 'function' && typeof probe.exportCount === 'function';
}

/** An organisation withdrawn from publication (ORD's /notifications: deletions of the last 185 days). */
export interface DeletedOrganisation {
  odsCode: string;
  primaryRoleTypeId: string | null;
  /** When it was deleted, as the source gives it (ORD: "YYYY-MM-DD HH:MM:SS", zone unstated). */
  deletedAt: string;
  reason: { code: number; description: string };
}

/** A source that says which organisations it deleted (the mirror's sync removes them). */
export interface DeletionFeed {
  deletedOrganisations(): Promise<DeletedOrganisation[]>;
}

export function reportsDeletions(source: OrganisationSource): source is OrganisationSource & DeletionFeed {
  return typeof (source as Partial<DeletionFeed>).deletedOrganisations === 'function';
}

/** How fresh a source's answers are, for `extensions.source` on every response and for readiness. */
export interface SourceFreshness {
  /** "ord", "mirror", … */
  readonly sourceName: string;
  /** The moment the data was last known complete and current (a mirror's last full sync), ISO 8601; null = live. */
  dataAsOf(): string | null;
}

export function reportsFreshness(source: OrganisationSource): source is OrganisationSource & SourceFreshness {
  const probe = source as Partial<SourceFreshness>;
  return typeof probe.sourceName === 'string' && typeof probe.dataAsOf === 'function';
}
