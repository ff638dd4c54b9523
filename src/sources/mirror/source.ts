// The OrganisationSource served from the local mirror: every answer from the store, no upstream call ever.
// It also walks the graph natively (GraphWalks), says how fresh its data is (SourceFreshness, `extensions.source`) and
// keeps decoded records until the store's data moves (KnownAnswers, so a warm card costs no query at all).

import { LRUCache } from 'lru-cache';
import { summaryOf } from '../../domain/summary.js';
import type {
  IsoDate,
  Organisation,
  OrganisationSummary,
  RecordClass,
  RelationshipType,
  RoleType,
} from '../../domain/types.js';
import type { CostsUpstreamCalls, UpstreamCallCosts } from '../cost.js';
import { SourceUnavailableError } from '../errors.js';
import type { KnownAnswers } from '../known.js';
import type {
  BatchLookup,
  GraphWalks,
  OrganisationSearch,
  OrganisationSource,
  SearchPage,
  SourceFreshness,
  WalkOptions,
  WalkStep,
} from '../types.js';
import { DEFAULT_MIRROR_SETTINGS } from './settings.js';
import type { CodeSystemLists, MirrorStore } from './store.js';

/** Nothing the mirror answers costs an upstream call, so the budget estimates 0 for any operation. */
const NO_UPSTREAM_CALLS: UpstreamCallCosts = { record: () => 0, searchPage: () => 0, codeSystem: () => 0 };

/** How often `dataAsOf` is re-read from the store (a sync in another process moves it). */
const FRESHNESS_REFRESH_MS = 5_000;

/** Held for a code the store does not have (lru-cache holds no null). */
const NOT_HELD = false;

export interface MirrorSourceOptions {
  /** Decoded records kept (0 = none); default DEFAULT_MIRROR_SETTINGS.recordCacheSize. */
  recordCacheSize?: number;
}

export class MirrorOrganisationSource
  implements OrganisationSource, BatchLookup, GraphWalks, SourceFreshness, KnownAnswers, CostsUpstreamCalls
{
  readonly sourceName = 'mirror';
  readonly upstreamCallCosts = NO_UPSTREAM_CALLS;
  private asOf: string | null = null;
  private codeSystemsHeld: Promise<CodeSystemLists> | undefined;
  /** Records as the store gave them at `version`; a record read while the version moves is not kept. */
  private readonly records: LRUCache<string, Organisation | typeof NOT_HELD> | null;
  private version = -1;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly store: MirrorStore,
    options: MirrorSourceOptions,
  ) {
    const size = options.recordCacheSize ?? DEFAULT_MIRROR_SETTINGS.recordCacheSize;
    this.records = size > 0 ? new LRUCache({ max: size }) : null;
    this.timer = setInterval(() => void this.refresh(), FRESHNESS_REFRESH_MS);
    this.timer.unref();
  }

  /** A source over `store`, with its freshness already read. */
  static async open(store: MirrorStore, options: MirrorSourceOptions = {}): Promise<MirrorOrganisationSource> {
    const source = new MirrorOrganisationSource(store, options);
    await source.refresh();
    return source;
  }

  /**
   * Re-reads when the mirror was last complete and whether any record changed (after a sync here, or on the timer for
   * one elsewhere); decoded records and code systems are forgotten when the data moved.
   */
  async refresh(): Promise<void> {
    try {
      const [asOf, version] = await Promise.all([this.store.getState('completeAsOf'), this.store.dataVersion()]);
      this.asOf = asOf;
      if (version !== this.version) {
        this.version = version;
        this.records?.clear();
        // Code systems change only with a baseline or sync: read them again after each.
        this.codeSystemsHeld = undefined;
      }
    } catch {
      // Keep the last values: a read failing now will fail the requests that need the store, with their own errors.
    }
  }

  dataAsOf(): string | null {
    return this.asOf;
  }

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    const code = odsCode.trim().toUpperCase();
    return (await this.getOrganisations([code])).get(code) ?? null;
  }

  async getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>> {
    const out = new Map<string, Organisation>();
    const missing: string[] = [];
    for (const code of odsCodes) {
      const held = this.records?.get(code);
      if (held === undefined) missing.push(code);
      else if (held !== NOT_HELD) out.set(code, held);
    }
    if (missing.length === 0) return out;
    const version = this.version;
    const found = await this.store.getOrganisations(missing);
    // A refresh that saw the data move while this read ran may have cleared the cache after the read began: keep
    // nothing then (the next request reads again).
    const keep = this.records !== null && version === this.version;
    for (const code of missing) {
      const org = found.get(code);
      if (org) out.set(code, org);
      if (keep) this.records.set(code, org ?? NOT_HELD);
    }
    return out;
  }

  knownOrganisation(odsCode: string): Organisation | null | undefined {
    const held = this.records?.get(odsCode);
    return held === undefined ? undefined : held === NOT_HELD ? null : held;
  }

  knownSummary(odsCode: string): OrganisationSummary | undefined {
    const held = this.records?.get(odsCode);
    return held ? summaryOf(held) : undefined;
  }

  /** Search pages are not kept: the store answers them in one query. */
  knownSearch(): SearchPage | undefined {
    return undefined;
  }

  /** Code systems are in the store: using one never costs an upstream call. */
  knownCodeSystem(): boolean {
    return true;
  }

  searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
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

  private codeSystems(): Promise<CodeSystemLists> {
    this.codeSystemsHeld ??= this.store
      .codeSystems()
      .then((lists) => {
        if (lists === null)
          throw new SourceUnavailableError(
            'mirror_empty',
            'The mirror holds no data yet: run `npm run mirror -- build` (from ORD) or `npm run mirror -- import <file>` (a TRUD full file) first.',
          );
        return lists;
      })
      .catch((error: unknown) => {
        // Not remembered: the next request asks the store again (a baseline may have finished meanwhile).
        this.codeSystemsHeld = undefined;
        throw error;
      });
    return this.codeSystemsHeld;
  }

  /** Stops the freshness timer (the store is closed by whoever opened it). */
  close(): void {
    clearInterval(this.timer);
  }
}
