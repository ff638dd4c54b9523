// A caching decorator for any OrganisationSource: shared across requests, with single flight and summary priming.
// Fresh answers cost nothing upstream; concurrent misses for one key share one upstream call; stale answers cover failures.

import type { IsoDate, Organisation, OrganisationSummary, RecordClass, RelationshipType, RoleType } from '../domain/types.js';
import { EntityCache, type CacheKind, type CacheSettings, type CacheStats } from './cache.js';
import type { OrganisationSearch, OrganisationSource, SearchPage } from './types.js';

/** Told whenever a stale cached answer is served because upstream failed. */
export interface StaleNotice {
  key: string;
  ageMs: number;
  error: unknown;
}

export interface CachedSourceOptions {
  settings: CacheSettings;
  now?: () => number;
  onStaleServed?: (notice: StaleNotice) => void;
}

export interface CachedSourceStats extends CacheStats {
  /** Loads that joined a call already in flight instead of starting their own. */
  sharedInFlight: number;
}

/** The summary a full record implies: what a search row would have said about it. */
export function summaryOf(org: Organisation): OrganisationSummary {
  const primary = org.roles.find((r) => r.isPrimary);
  return {
    kind: 'summary',
    odsCode: org.odsCode,
    name: org.name,
    status: org.status,
    recordClassId: org.recordClassId,
    postcode: org.address?.postcode ?? null,
    lastChangeDate: org.lastChangeDate,
    primaryRoleTypeId: primary?.roleTypeId ?? null,
  };
}

/** A stable key for a search filter: keys sorted, arrays sorted, values upper-cased where ORD compares case-insensitively. */
export function searchKey(filter: OrganisationSearch, offset: number, limit: number): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return [...v].map(norm).sort();
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, norm(x)]),
      );
    }
    return typeof v === 'string' ? v.toUpperCase() : v;
  };
  return `search:${JSON.stringify(norm(filter))}:${offset}:${limit}`;
}

const orgKey = (code: string) => `org:${code.toUpperCase()}`;
const summaryKey = (code: string) => `sum:${code.toUpperCase()}`;

export class CachedOrganisationSource implements OrganisationSource {
  readonly cache: EntityCache;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private sharedInFlight = 0;

  constructor(
    private readonly inner: OrganisationSource,
    private readonly options: CachedSourceOptions,
  ) {
    this.cache = new EntityCache(options.settings, options.now);
  }

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    const key = orgKey(odsCode);
    return this.cached<Organisation | null>(key, async () => {
      const org = await this.inner.getOrganisation(odsCode);
      if (org) this.cache.set(summaryKey(org.odsCode), 'summary', summaryOf(org));
      return { value: org, kind: org ? 'organisation' : 'missing' };
    });
  }

  async searchOrganisations(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    return this.cached<SearchPage>(searchKey(filter, offset, limit), async () => {
      const page = await this.inner.searchOrganisations(filter, offset, limit);
      this.primeSummaries(page.items);
      return { value: page, kind: 'search' };
    });
  }

  async changedSince(date: IsoDate): Promise<string[]> {
    return this.cached<string[]>(`changes:${date}`, async () => ({ value: await this.inner.changedSince(date), kind: 'changes' }));
  }

  roleTypes(): Promise<RoleType[]> {
    return this.cached('codes:roles', async () => ({ value: await this.inner.roleTypes(), kind: 'codeSystem' }));
  }

  relationshipTypes(): Promise<RelationshipType[]> {
    return this.cached('codes:rels', async () => ({ value: await this.inner.relationshipTypes(), kind: 'codeSystem' }));
  }

  recordClasses(): Promise<RecordClass[]> {
    return this.cached('codes:recordclasses', async () => ({ value: await this.inner.recordClasses(), kind: 'codeSystem' }));
  }

  /** A fresh summary of this organisation if one is known (from a search page or a full record), without any upstream call. */
  knownSummary(odsCode: string): OrganisationSummary | undefined {
    return this.cache.peekFresh<OrganisationSummary>(summaryKey(odsCode));
  }

  /** A fresh full record if one is cached; `null` means "known not to exist"; undefined means "not known". */
  knownOrganisation(odsCode: string): Organisation | null | undefined {
    return this.cache.peekFresh<Organisation | null>(orgKey(odsCode));
  }

  /** Stores summaries learnt elsewhere (search pages, inbound connections) for later queries. */
  primeSummaries(items: readonly OrganisationSummary[]): void {
    for (const item of items) this.cache.set(summaryKey(item.odsCode), 'summary', item);
  }

  /**
   * Forgets what is cached about these organisations (their full records, summaries and negative entries), and every
   * cached search page, since a changed organisation may enter or leave any search. Returns how many records were dropped.
   */
  evict(odsCodes: Iterable<string>): number {
    let dropped = 0;
    for (const code of odsCodes) {
      if (this.cache.delete(orgKey(code))) dropped++;
      this.cache.delete(summaryKey(code));
    }
    this.cache.deletePrefix('search:');
    this.cache.deletePrefix('changes:');
    return dropped;
  }

  stats(): CachedSourceStats {
    return { ...this.cache.stats(), sharedInFlight: this.sharedInFlight };
  }

  /**
   * Fresh hit → the cached value. Otherwise one upstream call per key at a time (single flight); if it fails and a stale
   * value is held, the stale value is served and reported.
   */
  private async cached<T>(key: string, load: () => Promise<{ value: T; kind: CacheKind }>): Promise<T> {
    const hit = this.cache.get<T>(key);
    if (hit?.fresh) return hit.value;
    const pending = this.inFlight.get(key);
    if (pending) {
      this.sharedInFlight++;
      return pending as Promise<T>;
    }
    const call = (async () => {
      try {
        const { value, kind } = await load();
        this.cache.set(key, kind, value);
        return value;
      } catch (error) {
        if (hit) {
          this.options.onStaleServed?.({ key, ageMs: hit.ageMs, error });
          return hit.value;
        }
        throw error;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, call);
    return call;
  }
}
