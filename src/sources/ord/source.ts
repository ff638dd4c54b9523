// The OrganisationSource backed by the live ORD API: translates domain searches into ORD parameters and maps answers.
// Holds no wire knowledge beyond OrdSearchParams names; pacing, retries and errors live in OrdClient, quirks in map.ts.

import type { IsoDate, Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import type { OrdClient } from './client.js';
import { ORD_MAX_LIMIT } from './query.js';
import { OrdInvalidArgumentError } from './errors.js';
import {
  toDeletedOrganisation,
  toOrganisation,
  toOrganisationSummary,
  toRecordClass,
  toRelationshipType,
  toRoleType,
} from './map.js';
import type { OrdSearchParams } from './types.js';
import type { CostsUpstreamCalls, UpstreamCallCosts } from '../cost.js';
import { SourceUnsupportedError } from '../errors.js';
import type {
  DeletedOrganisation,
  DeletionFeed,
  OrganisationSearch,
  OrganisationSource,
  SearchPage,
  SourceFeature,
} from '../types.js';

/** The search filters ORD has no parameter for (the port's mirror-only ones), in the order they are checked. */
const MIRROR_ONLY_FILTERS: readonly SourceFeature[] = ['activeOn', 'text', 'postcodeStartsWith'];

/** What to do instead, told with every refusal. */
const MIRROR_HINT = 'serve from the local mirror: SOURCE=mirror; see README';

/** Refuses, before anything is sent, a search using a filter ORD cannot answer. */
function checkOrdCanAnswer(filter: OrganisationSearch): void {
  for (const feature of MIRROR_ONLY_FILTERS) {
    if (filter[feature] !== undefined) throw new SourceUnsupportedError(feature, 'ord', MIRROR_HINT);
  }
}

/** Domain search → ORD's query parameters (without Limit/Offset, which paging adds). */
export function toOrdSearchParams(filter: OrganisationSearch): OrdSearchParams {
  const params: OrdSearchParams = {};
  if (filter.name !== undefined) params.Name = filter.name;
  if (filter.postcode !== undefined) params.PostCode = filter.postcode;
  if (filter.changedSince !== undefined) params.LastChangeDate = filter.changedSince;
  if (filter.status !== undefined) params.Status = filter.status === 'ACTIVE' ? 'Active' : 'Inactive';
  if (filter.primaryRoleTypeId !== undefined) params.PrimaryRoleId = filter.primaryRoleTypeId;
  if (filter.nonPrimaryRoleTypeId !== undefined) params.NonPrimaryRoleId = filter.nonPrimaryRoleTypeId;
  if (filter.anyRoleTypeIds !== undefined && filter.anyRoleTypeIds.length > 0)
    params.Roles = [...filter.anyRoleTypeIds];
  if (filter.recordClassId !== undefined) params.OrgRecordClass = filter.recordClassId;
  if (filter.relatedTo !== undefined) {
    params.TargetOrgId = filter.relatedTo.odsCode;
    const types = filter.relatedTo.relationshipTypeIds;
    if (types !== undefined && types.length > 0) params.RelTypeId = [...types];
    // NHS's own membership queries send RelStatus in lower case.
    if (filter.relatedTo.status !== undefined)
      params.RelStatus = filter.relatedTo.status === 'ACTIVE' ? 'active' : 'inactive';
  }
  return params;
}

function pageParams(base: OrdSearchParams, offset: number, limit: number): OrdSearchParams {
  // ORD's Offset must be >= 1 when present: a first page simply has none.
  return offset > 0 ? { ...base, Limit: limit, Offset: offset } : { ...base, Limit: limit };
}

/** One ORD call per record and per code system; a search one per ORD page of rows (a first page at least). */
const ORD_CALL_COSTS: UpstreamCallCosts = {
  record: () => 1,
  searchPage: (rows) => Math.max(1, Math.ceil(rows / ORD_MAX_LIMIT)),
  codeSystem: () => 1,
};

export class OrdOrganisationSource implements OrganisationSource, DeletionFeed, CostsUpstreamCalls {
  readonly upstreamCallCosts = ORD_CALL_COSTS;

  constructor(private readonly client: OrdClient) {}

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    const raw = await this.client.fetchOrganisation(odsCode);
    return raw === null ? null : toOrganisation(raw);
  }

  /**
   * Rows [offset, offset + limit) of the search. ORD pages hold at most 1000 rows, so a larger limit becomes several
   * calls: the first tells us the total, the rest (if any) go out together and the client's pacer spaces them.
   */
  async searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    if (!Number.isInteger(offset) || offset < 0)
      throw new OrdInvalidArgumentError('offset', offset, 'must be a whole number >= 0', 'search');
    if (!Number.isInteger(limit) || limit < 0)
      throw new OrdInvalidArgumentError('limit', limit, 'must be a whole number >= 0', 'search');
    checkOrdCanAnswer(filter);
    const base = toOrdSearchParams(filter);
    // limit 0 still asks for the total; ORD's smallest page is one row.
    const firstLimit = Math.min(ORD_MAX_LIMIT, Math.max(1, limit));
    const first = await this.client.searchOrganisations(pageParams(base, offset, firstLimit));
    const totalCount = first.totalCount;
    const rows = limit === 0 ? [] : [...first.rows];
    if (limit > firstLimit && first.rows.length === firstLimit) {
      const end = Math.min(offset + limit, totalCount);
      const pages: Promise<{ rows: typeof first.rows }>[] = [];
      for (let at = offset + firstLimit; at < end; at += ORD_MAX_LIMIT) {
        pages.push(this.client.searchOrganisations(pageParams(base, at, Math.min(ORD_MAX_LIMIT, end - at))));
      }
      for (const page of await Promise.all(pages)) rows.push(...page.rows);
    }
    return { totalCount, items: rows.slice(0, limit).map(toOrganisationSummary) };
  }

  changedSince(date: IsoDate): Promise<string[]> {
    return this.client.fetchSync(date);
  }

  /** ORD's /notifications: one call, the deletions of the last 185 days. */
  async deletedOrganisations(): Promise<DeletedOrganisation[]> {
    return (await this.client.fetchNotifications()).map((item, i) => toDeletedOrganisation(item, i));
  }

  async roleTypes(): Promise<RoleType[]> {
    return (await this.client.fetchRoleTypes()).map(toRoleType);
  }

  async relationshipTypes(): Promise<RelationshipType[]> {
    return (await this.client.fetchRelationshipTypes()).map(toRelationshipType);
  }

  async recordClasses(): Promise<RecordClass[]> {
    return (await this.client.fetchRecordClasses()).map(toRecordClass);
  }
}
