// The OrganisationSource served from the mirror: every answer from the local store, no upstream call ever.
// Also walks the graph in one query (GraphWalks) and says how fresh it is (SourceFreshness: the last complete sync).

import type { IsoDate, Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import type { CostsUpstreamCalls, UpstreamCallCosts } from '../cost.js';
import { SourceInvalidArgumentError, SourceUnavailableError } from '../errors.js';
import type {
  GraphWalks,
  OrganisationSearch,
  OrganisationSource,
  SearchPage,
  SourceFreshness,
  WalkOptions,
  WalkStep,
} from '../types.js';
import type { CodeSystemLists, MirrorStore } from './store.js';

/** The mirror makes no upstream call, whatever it is asked. */
const NO_UPSTREAM_CALLS: UpstreamCallCosts = { record: () => 0, searchPage: () => 0, codeSystem: () => 0 };

/** How long `dataAsOf()` may answer from its last read before it reads `completeAsOf` again (in the background). */
export const DEFAULT_FRESHNESS_REFRESH_MS = 5000;

export interface MirrorSourceOptions {
  freshnessRefreshMs?: number;
  now?: () => number;
}

export class MirrorOrganisationSource implements OrganisationSource, GraphWalks, SourceFreshness, CostsUpstreamCalls {
  readonly sourceName = 'mirror';
  readonly upstreamCallCosts = NO_UPSTREAM_CALLS;
  private asOf: string | null = null;
  private readAt = -Infinity;
  private refreshing: Promise<void> | null = null;
  private readonly refreshMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly store: MirrorStore,
    options: MirrorSourceOptions,
  ) {
    this.refreshMs = options.freshnessRefreshMs ?? DEFAULT_FRESHNESS_REFRESH_MS;
    this.now = options.now ?? Date.now;
  }

  /** A source over `store`, with `completeAsOf` already read once. */
  static async create(store: MirrorStore, options: MirrorSourceOptions = {}): Promise<MirrorOrganisationSource> {
    const source = new MirrorOrganisationSource(store, options);
    await source.refreshFreshness();
    return source;
  }

  /** Reads `completeAsOf` now (the sync calls this after it finishes, so the next response says so at once). */
  refreshFreshness(): Promise<void> {
    this.refreshing ??= this.store
      .getState('completeAsOf')
      .then((value) => {
        this.asOf = value;
        this.readAt = this.now();
      })
      .catch(() => {
        // Keep the last value; the next call tries again.
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  dataAsOf(): string | null {
    if (this.now() - this.readAt >= this.refreshMs) void this.refreshFreshness();
    return this.asOf;
  }

  getOrganisation(odsCode: string): Promise<Organisation | null> {
    return this.store.getOrganisation(odsCode);
  }

  /** Many records in one query per table (loaders may batch through this). */
  getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>> {
    return this.store.getOrganisations(odsCodes);
  }

  async searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    if (!Number.isInteger(offset) || offset < 0)
      throw new SourceInvalidArgumentError('offset', offset, 'must be a whole number >= 0', 'search');
    if (!Number.isInteger(limit) || limit < 0)
      throw new SourceInvalidArgumentError('limit', limit, 'must be a whole number >= 0', 'search');
    return this.store.search(filter, offset, limit);
  }

  changedSince(date: IsoDate): Promise<string[]> {
    return this.store.changedSince(date);
  }

  descendantsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.store.descendantsOf(odsCode, options);
  }

  ancestorsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.store.ancestorsOf(odsCode, options);
  }

  async roleTypes(): Promise<RoleType[]> {
    return (await this.codeSystems()).roleTypes;
  }

  async relationshipTypes(): Promise<RelationshipType[]> {
    return (await this.codeSystems()).relationshipTypes;
  }

  async recordClasses(): Promise<RecordClass[]> {
    return (await this.codeSystems()).recordClasses;
  }

  private async codeSystems(): Promise<CodeSystemLists> {
    const lists = await this.store.codeSystems();
    if (lists === null)
      throw new SourceUnavailableError(
        'mirror_empty',
        'The mirror holds no code systems yet: run `npm run mirror -- build` (from ORD) or `npm run mirror -- import <file>` (TRUD XML) first',
        { endpoint: 'codeSystems' },
      );
    return lists;
  }
}
