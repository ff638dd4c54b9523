// The OrganisationSource served from the local mirror: every answer from the store, no upstream call ever.
// It also walks the graph natively (GraphWalks) and says how fresh its data is (SourceFreshness, `extensions.source`).

import type { IsoDate, Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import type { CostsUpstreamCalls, UpstreamCallCosts } from '../cost.js';
import { SourceUnavailableError } from '../errors.js';
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

/** Nothing the mirror answers costs an upstream call, so the budget estimates 0 for any operation. */
const NO_UPSTREAM_CALLS: UpstreamCallCosts = { record: () => 0, searchPage: () => 0, codeSystem: () => 0 };

/** How often `dataAsOf` is re-read from the store (a sync in another process moves it). */
const FRESHNESS_REFRESH_MS = 5_000;

export class MirrorOrganisationSource implements OrganisationSource, GraphWalks, SourceFreshness, CostsUpstreamCalls {
  readonly sourceName = 'mirror';
  readonly upstreamCallCosts = NO_UPSTREAM_CALLS;
  private asOf: string | null = null;
  private codeSystemsHeld: Promise<CodeSystemLists> | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly store: MirrorStore) {
    this.timer = setInterval(() => void this.refresh(), FRESHNESS_REFRESH_MS);
    this.timer.unref();
  }

  /** A source over `store`, with its freshness already read. */
  static async open(store: MirrorStore): Promise<MirrorOrganisationSource> {
    const source = new MirrorOrganisationSource(store);
    await source.refresh();
    return source;
  }

  /** Re-reads when the mirror was last complete (after a sync here, or on the timer for one elsewhere). */
  async refresh(): Promise<void> {
    try {
      this.asOf = await this.store.getState('completeAsOf');
    } catch {
      // Keep the last value: a read failing now will fail the requests that need the store, with their own errors.
    }
    // Code systems change only with a baseline or sync: read them again after each.
    this.codeSystemsHeld = undefined;
  }

  dataAsOf(): string | null {
    return this.asOf;
  }

  getOrganisation(odsCode: string): Promise<Organisation | null> {
    return this.store.getOrganisation(odsCode.trim().toUpperCase());
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
