// The OrganisationSource backed by ODT (FHIR R4): domain requests → the interactions of docs/odt-wire.md → domain types.
// Where ODT lacks what ORD had (name order, totals, a relationship-type filter, primary flags), it is derived here, once.

import type {
  IsoDate,
  Organisation,
  OrganisationSummary,
  RecordClass,
  RelationshipType,
  RoleType,
} from '../../domain/types.js';
import { LRUCache } from 'lru-cache';
import { ordPostcodePrefix } from '../../domain/postcode.js';
import { summaryOf } from '../../domain/summary.js';
import type { CostsUpstreamCalls, UpstreamCallCosts } from '../cost.js';
import { SourceUnsupportedError } from '../errors.js';
import type {
  BatchLookup,
  DeletedOrganisation,
  DeletionFeed,
  ExportPage,
  PagedExport,
  OrganisationSearch,
  OrganisationSource,
  SearchPage,
  SourceFeature,
} from '../types.js';
import type { FhirClient, FhirSearchResult } from './client.js';
import { FhirInvalidArgumentError, FhirMalformedError } from './errors.js';
import {
  ODS_CODE_SYSTEM,
  RECORD_CLASS_CODE_SYSTEM,
  RELATIONSHIP_CODE_SYSTEM,
  ROLE_CODE_SYSTEM,
  fromOrganisationCodeExpansion,
  fromOrganisationCodeLookup,
  relationshipsFromResources,
  toDeletedOrganisations,
  toOrganisation,
  toOrganisationSummary,
  toRecordClasses,
  toRelationshipTypes,
  toRoleTypes,
  withLookup,
  withRelationships,
  type IsPrimaryRole,
} from './map.js';
import { FHIR_BATCH_SIZE, FHIR_PAGE_SIZE, type FhirParam } from './query.js';
import type { Organization, Parameters, Resource } from './types.js';

/** The search filters only the mirror answers, in the order they are checked. */
const MIRROR_ONLY_FILTERS: readonly SourceFeature[] = ['activeOn', 'text', 'postcodeStartsWith'];
const MIRROR_HINT = 'serve from the local mirror: SOURCE=mirror; see README';

/** The ods-organization-code properties a full record needs (org-level dates, last change, successions). */
const ORGANISATION_CODE_PROPERTIES = [
  'opStartDate',
  'opEndDate',
  'legStartDate',
  'legEndDate',
  'lastChangeDate',
  'primaryRole',
  'predecessor',
  'successor',
];

/** The role code system is read once and kept this long: primary-ness of a role code changes rarely, if ever. */
const ROLE_CODES_TTL_MS = 24 * 60 * 60 * 1000;

/** ODT search results kept for paging and walks (searchPages): a minute, the last 50 searches. */
const MATCH_SET_TTL_MS = 60_000;
const MATCH_SETS_KEPT = 50;

/** The change feed reads every changed record; ORD's 185-day window nationally is tens of thousands. */
const CHANGE_FEED_MAX_PAGES = 400;

/**
 * What each request costs on ODT. A full record is 3 calls (the Organization, its affiliations with their targets,
 * its ods-organization-code `$lookup`), and so is a DataLoader batch of up to 100 (`_id=…`, affiliations, `$expand`):
 * the estimate counts one batch per level of the operation that fetches records, and 3 ÷ 100 of a call for each record
 * (an upper bound on ⌈n ÷ 100⌉ × 3). A search reads every match (ODT cannot sort by name), so a page costs
 * ⌈matches ÷ 1000⌉: `rows` is the least it can be. A code system is one `$expand`.
 */
const FHIR_CALLS_PER_BATCH = 3;
const FHIR_CALL_COSTS: UpstreamCallCosts = {
  record: () => FHIR_CALLS_PER_BATCH / FHIR_BATCH_SIZE,
  batchCalls: FHIR_CALLS_PER_BATCH,
  searchPage: (rows) => Math.max(1, Math.ceil(rows / FHIR_PAGE_SIZE)),
  codeSystem: () => 1,
};

/** Code-unit order, as ORD's C-collated ORDER BY Name, OrgId. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byNameThenCode(a: OrganisationSummary, b: OrganisationSummary): number {
  return compareStrings(a.name, b.name) || compareStrings(a.odsCode, b.odsCode);
}

function expandParameters(
  system: string,
  properties: readonly string[],
  filter?: { property: string; op: string; value: string },
): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      {
        name: 'valueSet',
        resource: {
          resourceType: 'ValueSet',
          compose: { inactive: true, include: [{ system, ...(filter ? { filter: [filter] } : {}) }] },
        },
      },
      { name: 'activeOnly', valueBoolean: false },
      ...properties.map((p) => ({ name: 'property', valueString: p })),
      { name: 'count', valueInteger: 10_000 },
    ],
  };
}

/** Domain search → ODT Organization search parameters (docs/odt-wire.md); role primary-ness is checked afterwards. */
export function toFhirSearchParams(filter: OrganisationSearch): FhirParam[] {
  const params: FhirParam[] = [];
  if (filter.name !== undefined) params.push(['name:contains', filter.name]);
  if (filter.postcode !== undefined) params.push(['address-postalcode', ordPostcodePrefix(filter.postcode)]);
  if (filter.status !== undefined) params.push(['active', filter.status === 'ACTIVE' ? 'true' : 'false']);
  if (filter.primaryRoleTypeId !== undefined) params.push(['roleCode', filter.primaryRoleTypeId]);
  if (filter.nonPrimaryRoleTypeId !== undefined) params.push(['roleCode', filter.nonPrimaryRoleTypeId]);
  if (filter.anyRoleTypeIds !== undefined && filter.anyRoleTypeIds.length > 0)
    params.push(['roleCode', filter.anyRoleTypeIds.join(',')]);
  if (filter.recordClassId !== undefined) params.push(['type', `${RECORD_CLASS_CODE_SYSTEM}|${filter.recordClassId}`]);
  if (filter.changedSince !== undefined) params.push(['lastChangeDate', `ge${filter.changedSince}`]);
  return params;
}

/** The filters ODT cannot express exactly, checked on our side against the full record of each candidate. */
function matchesOnOurSide(filter: OrganisationSearch, org: Organisation): boolean {
  const primary = org.roles.find((r) => r.isPrimary)?.roleTypeId ?? null;
  if (filter.primaryRoleTypeId !== undefined && primary !== filter.primaryRoleTypeId) return false;
  if (
    filter.nonPrimaryRoleTypeId !== undefined &&
    !org.roles.some((r) => !r.isPrimary && r.roleTypeId === filter.nonPrimaryRoleTypeId)
  )
    return false;
  return true;
}

/** Every filter, checked on our side (members arrive as `_include`d Organizations, unfiltered). */
function matchesEverything(filter: OrganisationSearch, org: Organisation): boolean {
  if (!matchesOnOurSide(filter, org)) return false;
  if (filter.name !== undefined && !org.name.toUpperCase().includes(filter.name.toUpperCase())) return false;
  if (filter.postcode !== undefined) {
    const postcode = org.address?.postcode?.toUpperCase();
    if (postcode === undefined || !postcode.startsWith(ordPostcodePrefix(filter.postcode))) return false;
  }
  if (filter.status !== undefined && org.status !== filter.status) return false;
  if (filter.anyRoleTypeIds !== undefined && filter.anyRoleTypeIds.length > 0) {
    const wanted = new Set(filter.anyRoleTypeIds);
    if (!org.roles.some((r) => wanted.has(r.roleTypeId))) return false;
  }
  if (filter.recordClassId !== undefined && org.recordClassId !== filter.recordClassId) return false;
  if (filter.changedSince !== undefined && (org.lastChangeDate ?? '') < filter.changedSince) return false;
  return true;
}

const organizations = (resources: readonly Resource[]): Organization[] =>
  resources.filter((r): r is Organization => r.resourceType === 'Organization');

export interface FhirSourceOptions {
  now?: () => number;
}

export class FhirOrganisationSource
  implements OrganisationSource, BatchLookup, DeletionFeed, PagedExport, CostsUpstreamCalls
{
  readonly upstreamCallCosts = FHIR_CALL_COSTS;
  private readonly now: () => number;
  private roleCodes: { at: number; types: Promise<RoleType[]> } | null = null;
  private readonly searches = new LRUCache<string, Promise<FhirSearchResult>>({
    max: MATCH_SETS_KEPT,
    ttl: MATCH_SET_TTL_MS,
  });
  /** Record requests waiting for this turn's batch (see getOrganisation). */
  private pending:
    { odsCode: string; resolve: (org: Organisation | null) => void; reject: (error: unknown) => void }[] | null = null;

  constructor(
    private readonly client: FhirClient,
    options: FhirSourceOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  /**
   * One record. Requests made in the same turn of the event loop (the cache passes each miss of a DataLoader batch
   * on one at a time) are gathered and fetched as one batch: 3 calls for up to 100 records instead of 3 each.
   */
  getOrganisation(odsCode: string): Promise<Organisation | null> {
    return new Promise((resolve, reject) => {
      if (this.pending === null) {
        this.pending = [];
        setImmediate(() => this.flush());
      }
      this.pending.push({ odsCode, resolve, reject });
    });
  }

  private flush(): void {
    const waiting = this.pending ?? [];
    this.pending = null;
    const codes = [...new Set(waiting.map((w) => w.odsCode))];
    const answer = (found: Map<string, Organisation>) => {
      for (const w of waiting) w.resolve(found.get(w.odsCode) ?? null);
    };
    const fail = (error: unknown) => {
      for (const w of waiting) w.reject(error);
    };
    if (codes.length === 1) {
      this.fetchOne(codes[0] as string).then(
        (org) => answer(org === null ? new Map() : new Map([[codes[0] as string, org]])),
        fail,
      );
    } else {
      this.getOrganisations(codes).then(answer, fail);
    }
  }

  /** One record alone: read it (a miss ends there), then its affiliations and its `$lookup` together. */
  private async fetchOne(odsCode: string): Promise<Organisation | null> {
    const org = await this.client.readOrganization(odsCode);
    if (org === null) return null;
    const [isPrimary, affiliations, lookup] = await Promise.all([
      this.isPrimaryRole(),
      this.outboundAffiliations([odsCode]),
      this.client.lookupOrganisationCode(odsCode),
    ]);
    const record = toOrganisation(org, isPrimary);
    const rels = relationshipsFromResources(affiliations.matches, affiliations.included, isPrimary);
    const withRels = withRelationships(record, rels.get(record.odsCode) ?? []);
    return lookup === null ? withRels : withLookup(withRels, fromOrganisationCodeLookup(lookup));
  }

  /** Up to 100 records in 3 calls: `_id=a,b,…`, their affiliations, and one `$expand` of their ods-organization-codes. */
  async getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>> {
    const out = new Map<string, Organisation>();
    if (odsCodes.length === 1) {
      const one = await this.fetchOne(odsCodes[0] as string);
      if (one !== null) out.set(one.odsCode, one);
      return out;
    }
    const chunks: string[][] = [];
    for (let i = 0; i < odsCodes.length; i += FHIR_BATCH_SIZE) chunks.push(odsCodes.slice(i, i + FHIR_BATCH_SIZE));
    for (const records of await Promise.all(chunks.map((chunk) => this.batch(chunk)))) {
      for (const record of records) out.set(record.odsCode, record);
    }
    return out;
  }

  async searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    if (!Number.isInteger(offset) || offset < 0)
      throw new FhirInvalidArgumentError('offset', offset, 'must be a whole number >= 0', 'organization-search');
    if (!Number.isInteger(limit) || limit < 0)
      throw new FhirInvalidArgumentError('limit', limit, 'must be a whole number >= 0', 'organization-search');
    for (const feature of MIRROR_ONLY_FILTERS) {
      if (filter[feature] !== undefined) throw new SourceUnsupportedError(feature, 'fhir', MIRROR_HINT);
    }
    const all = await this.sortedMatches(filter);
    return { totalCount: all.length, items: all.slice(offset, offset + limit) };
  }

  /** Every match of a search (ODT answers in load order, with `total` only on its last page), sorted as ORD sorts. */
  private async sortedMatches(filter: OrganisationSearch): Promise<OrganisationSummary[]> {
    const all = filter.relatedTo !== undefined ? await this.members(filter) : await this.matching(filter);
    return all.sort(byNameThenCode);
  }

  /**
   * Every page of one ODT search, kept a minute (MATCH_SET_TTL_MS): paging through a search window by window, or a
   * walk asking for each relationship type in turn (one ODT affiliation search serves them all), reads ODT once. The
   * cache above keys pages by filter, offset and limit, so it cannot see that these are the same ODT request.
   */
  private searchPages(
    endpoint: 'organization-search' | 'affiliation-search',
    resourceType: 'Organization' | 'OrganizationAffiliation',
    params: FhirParam[],
  ): Promise<FhirSearchResult> {
    const key = JSON.stringify([resourceType, params]);
    let result = this.searches.get(key);
    if (result === undefined) {
      result = this.client.searchAll(endpoint, resourceType, params, this.client.settings.maxSearchPages);
      this.searches.set(key, result);
      result.catch(() => this.searches.delete(key));
    }
    return result;
  }

  async changedSince(date: IsoDate): Promise<string[]> {
    const result = await this.client.searchAll(
      'organization-search',
      'Organization',
      [
        ['lastChangeDate', `ge${date}`],
        ['_count', String(FHIR_PAGE_SIZE)],
      ],
      CHANGE_FEED_MAX_PAGES,
    );
    return organizations(result.matches).map((o) => o.id.toUpperCase());
  }

  /** `List/Organization-deletion`: one call, every deletion ODT lists (no reasons: see map.ts). */
  async deletedOrganisations(): Promise<DeletedOrganisation[]> {
    const list = await this.client.readList('Organization-deletion');
    return list === null ? [] : toDeletedOrganisations(list);
  }

  roleTypes(): Promise<RoleType[]> {
    if (this.roleCodes === null || this.now() - this.roleCodes.at > ROLE_CODES_TTL_MS) {
      const types = this.client.expand(expandParameters(ROLE_CODE_SYSTEM, ['primaryRole'])).then(toRoleTypes);
      const memo = { at: this.now(), types };
      this.roleCodes = memo;
      // A failed read is not kept: the next caller asks again.
      types.catch(() => {
        if (this.roleCodes === memo) this.roleCodes = null;
      });
    }
    return this.roleCodes.types;
  }

  async relationshipTypes(): Promise<RelationshipType[]> {
    return toRelationshipTypes(await this.client.expand(expandParameters(RELATIONSHIP_CODE_SYSTEM, [])));
  }

  async recordClasses(): Promise<RecordClass[]> {
    return toRecordClasses(await this.client.expand(expandParameters(RECORD_CLASS_CODE_SYSTEM, [])));
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** ODT's role extension has no primary flag: the role code system's `primaryRole` property says (NOTES §3.2). */
  private async isPrimaryRole(): Promise<IsPrimaryRole> {
    const primary = new Map((await this.roleTypes()).map((t) => [t.id, t.isPrimary]));
    return (roleTypeId) => primary.get(roleTypeId);
  }

  private outboundAffiliations(codes: readonly string[]): Promise<FhirSearchResult> {
    return this.client.searchAll(
      'affiliation-search',
      'OrganizationAffiliation',
      [
        ['primary-organization', codes.join(',')],
        ['_include', 'OrganizationAffiliation:participating-organization'],
        ['_count', String(FHIR_PAGE_SIZE)],
      ],
      this.client.settings.maxSearchPages,
    );
  }

  private async batch(codes: readonly string[]): Promise<Organisation[]> {
    const found = await this.client.searchAll(
      'organization-search',
      'Organization',
      [
        ['_id', codes.join(',')],
        ['_count', String(FHIR_PAGE_SIZE)],
      ],
      1,
    );
    return this.complete(organizations(found.matches));
  }

  /** Organizations completed into full records: their affiliations (targets included) and one `$expand` of their codes. */
  private async complete(orgs: readonly Organization[]): Promise<Organisation[]> {
    if (orgs.length === 0) return [];
    const held = orgs.map((o) => o.id);
    const [isPrimary, affiliations, expansion] = await Promise.all([
      this.isPrimaryRole(),
      this.outboundAffiliations(held),
      this.client.expand(
        expandParameters(ODS_CODE_SYSTEM, ORGANISATION_CODE_PROPERTIES, {
          property: 'concept',
          op: 'in',
          value: held.join(','),
        }),
      ),
    ]);
    const rels = relationshipsFromResources(affiliations.matches, affiliations.included, isPrimary);
    const facts = new Map(fromOrganisationCodeExpansion(expansion).map((f) => [f.odsCode, f]));
    return orgs.map((org) => {
      const withRels = withRelationships(toOrganisation(org, isPrimary), rels.get(org.id) ?? []);
      const fact = facts.get(withRels.odsCode);
      return fact === undefined ? withRels : withLookup(withRels, fact);
    });
  }

  // ---------------------------------------------------------------------------------------------- export (baseline)

  /** `Organization?_summary=count`: one call. */
  async exportCount(): Promise<number> {
    const page = await this.client.searchPage('organization-search', 'Organization', 'Organization?_summary=count');
    if (page.total === null) throw new FhirMalformedError('_summary=count without a total', 'organization-search');
    return page.total;
  }

  /**
   * One page of 1000 Organizations (load order, `_offset` paging), completed in bulk: their affiliations in one search
   * (`primary-organization=` with the page's 1000 codes, ~7 KB of URL [choice: HAPI's URL limit is unpublished;
   * POST `_search` is the way round it if the real server refuses]) and their ods-organization-code facts in one
   * `$expand`. About 4 calls per 1000 records: ~1,200 for the national ~300,000.
   */
  async exportPage(cursor: string | null): Promise<ExportPage> {
    const page = await this.client.searchPage(
      'organization-search',
      'Organization',
      cursor ?? `Organization?_count=${FHIR_PAGE_SIZE}`,
    );
    return { records: await this.complete(organizations(page.matches)), next: page.next };
  }

  /** An Organization search, every page, less what ODT matched more loosely than ORD (role primary-ness). */
  private async matching(filter: OrganisationSearch): Promise<OrganisationSummary[]> {
    const params = toFhirSearchParams(filter);
    if (params.length === 0) throw new FhirInvalidArgumentError('filter', '{}', 'give at least one filter');
    const [isPrimary, result] = await Promise.all([
      this.isPrimaryRole(),
      this.searchPages('organization-search', 'Organization', [...params, ['_count', String(FHIR_PAGE_SIZE)]]),
    ]);
    const checkRoles = filter.primaryRoleTypeId !== undefined || filter.nonPrimaryRoleTypeId !== undefined;
    return organizations(result.matches)
      .filter((o) => !checkRoles || matchesOnOurSide(filter, toOrganisation(o, isPrimary)))
      .map((o) => toOrganisationSummary(o, isPrimary));
  }

  /**
   * Members of `relatedTo.odsCode`: the affiliations pointing at it with their sources included. ODT has no
   * relationship-type filter (NOTES §4), so types, and every other filter, are applied here.
   */
  private async members(filter: OrganisationSearch): Promise<OrganisationSummary[]> {
    const related = filter.relatedTo;
    if (related === undefined) return [];
    const params: FhirParam[] = [['participating-organization', related.odsCode]];
    if (related.status !== undefined) params.push(['active', related.status === 'ACTIVE' ? 'true' : 'false']);
    params.push(['_include', 'OrganizationAffiliation:primary-organization'], ['_count', String(FHIR_PAGE_SIZE)]);
    const [isPrimary, result] = await Promise.all([
      this.isPrimaryRole(),
      this.searchPages('affiliation-search', 'OrganizationAffiliation', params),
    ]);
    const types =
      related.relationshipTypeIds !== undefined && related.relationshipTypeIds.length > 0
        ? new Set(related.relationshipTypeIds)
        : null;
    const sources = new Set<string>();
    for (const [source, rels] of relationshipsFromResources(result.matches, [], isPrimary)) {
      if (rels.some((r) => types === null || types.has(r.relationshipTypeId))) sources.add(source);
    }
    const out: OrganisationSummary[] = [];
    const seen = new Set<string>();
    for (const org of organizations(result.included)) {
      if (!sources.has(org.id) || seen.has(org.id)) continue;
      seen.add(org.id);
      const record = toOrganisation(org, isPrimary);
      if (matchesEverything(filter, record)) out.push(summaryOf(record));
    }
    if (seen.size !== sources.size)
      throw new FhirMalformedError(
        `${sources.size - seen.size} member(s) of ${related.odsCode} were not _included`,
        'affiliation-search',
      );
    return out;
  }
}
