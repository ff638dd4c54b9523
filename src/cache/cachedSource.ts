// A caching decorator for any OrganisationSource: shared across requests, with single flight and summary priming.
// Fresh answers cost nothing upstream; concurrent misses for one key share one upstream call; stale answers cover failures.

import type {
  IsoDate,
  Organisation,
  OrganisationSummary,
  RecordClass,
  RelationshipType,
  RoleType,
} from '../domain/types.js';
import { summaryOf } from '../domain/summary.js';
import type { CacheKind, CacheStats, CacheStore } from './store.js';
import {
  changesKey,
  codeSystemKey,
  describeCacheKey,
  organisationKey,
  searchKey,
  summaryKey,
  type CacheKey,
} from './keys.js';
import { SourceInvalidArgumentError, SourceRejectedError } from '../sources/errors.js';
import { UpstreamAbortedError, UpstreamBudgetExceededError, abortReason } from '../upstream/errors.js';
import { currentUpstreamScope } from '../upstream/scope.js';
import type { CodeSystemName, OrganisationSearch, OrganisationSource, SearchPage } from '../sources/types.js';
import type { KnownAnswers } from '../sources/known.js';
import { upstreamCallCostsOf, type CostsUpstreamCalls, type UpstreamCallCosts } from '../sources/cost.js';

/** Told whenever a stale cached answer is served because upstream failed. */
export interface StaleNotice {
  key: CacheKey;
  ageMs: number;
  error: unknown;
}

export interface CachedSourceOptions {
  /** Where answers are kept (the composition root chooses: src/cache/store.memory.ts today). */
  store: CacheStore;
  onStaleServed?: (notice: StaleNotice) => void;
}

export interface CachedSourceStats extends CacheStats {
  /** Loads that joined a call already in flight instead of starting their own. */
  sharedInFlight: number;
}

/** What one shared upstream call ends with: the value, and its age when it is a stale stand-in for a failed call. */
interface Outcome<T> {
  value: T;
  staleAgeMs?: number;
}

/**
 * Waits for `pending`, but no longer than `signal` allows: a caller joining another caller's call must still give up
 * at its own deadline. At the deadline a stale value, when one is held, beats nothing.
 */
function untilAborted<T>(
  pending: Promise<Outcome<T>>,
  signal: AbortSignal | undefined,
  stale: Outcome<T> | undefined,
): Promise<Outcome<T>> {
  if (!signal) return pending;
  const abandoned = (): Outcome<T> => {
    if (stale) return stale;
    throw new UpstreamAbortedError(null, abortReason(signal));
  };
  if (signal.aborted) {
    pending.catch(() => undefined); // the call lives on for its other callers; its failure is theirs to see
    return Promise.resolve().then(abandoned);
  }
  return new Promise<Outcome<T>>((resolve, reject) => {
    const onAbort = () => {
      try {
        resolve(abandoned());
      } catch (error) {
        reject(error);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Failures that a stale answer must not paper over: upstream said the request itself is wrong. */
function isRequestFault(error: unknown): boolean {
  return error instanceof SourceRejectedError || error instanceof SourceInvalidArgumentError;
}

export class CachedOrganisationSource implements OrganisationSource, KnownAnswers, CostsUpstreamCalls {
  readonly cache: CacheStore;
  private readonly inFlight = new Map<CacheKey, Promise<Outcome<unknown>>>();
  private sharedInFlight = 0;

  constructor(
    private readonly inner: OrganisationSource,
    private readonly options: CachedSourceOptions,
  ) {
    this.cache = options.store;
  }

  /** A miss costs what the inner source's call costs. */
  get upstreamCallCosts(): UpstreamCallCosts {
    return upstreamCallCostsOf(this.inner);
  }

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    const key = organisationKey(odsCode);
    return this.cached<Organisation | null>(key, async () => {
      const org = await this.inner.getOrganisation(odsCode);
      // Keep the summary in step with the record: refreshed from it, or gone with it.
      if (org) this.cache.set(summaryKey(org.odsCode), 'summary', summaryOf(org));
      else this.cache.delete(summaryKey(odsCode));
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
    return this.cached<string[]>(changesKey(date), async () => ({
      value: await this.inner.changedSince(date),
      kind: 'changes',
    }));
  }

  roleTypes(): Promise<RoleType[]> {
    return this.cached(codeSystemKey('roleTypes'), async () => ({
      value: await this.inner.roleTypes(),
      kind: 'codeSystem',
    }));
  }

  relationshipTypes(): Promise<RelationshipType[]> {
    return this.cached(codeSystemKey('relationshipTypes'), async () => ({
      value: await this.inner.relationshipTypes(),
      kind: 'codeSystem',
    }));
  }

  recordClasses(): Promise<RecordClass[]> {
    return this.cached(codeSystemKey('recordClasses'), async () => ({
      value: await this.inner.recordClasses(),
      kind: 'codeSystem',
    }));
  }

  /** A fresh summary of this organisation if one is known (from a search page or a full record), without any upstream call. */
  knownSummary(odsCode: string): OrganisationSummary | undefined {
    const summary = this.cache.peekFresh<OrganisationSummary>(summaryKey(odsCode), true);
    if (summary) return summary;
    // The summary entry may have been evicted for space while the (larger) full record survived.
    const org = this.cache.peekFresh<Organisation | null>(organisationKey(odsCode), true);
    return org ? summaryOf(org) : undefined;
  }

  /** A fresh full record if one is cached; `null` means "known not to exist"; undefined means "not known". */
  knownOrganisation(odsCode: string): Organisation | null | undefined {
    return this.cache.peekFresh<Organisation | null>(organisationKey(odsCode), true);
  }

  /** A fresh cached page for exactly this search (for the budget estimator; loading goes through searchOrganisations). */
  knownSearch(filter: OrganisationSearch, offset: number, limit: number): SearchPage | undefined {
    return this.cache.peekFresh<SearchPage>(searchKey(filter, offset, limit), true);
  }

  /** True when this code system is cached and fresh. */
  knownCodeSystem(system: CodeSystemName): boolean {
    return this.cache.peekFresh<unknown>(codeSystemKey(system), true) !== undefined;
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
    let any = false;
    for (const code of odsCodes) {
      any = true;
      if (this.cache.delete(organisationKey(code))) dropped++;
      this.cache.delete(summaryKey(code));
    }
    if (!any) return 0; // nothing changed: the cached search pages are still right
    this.cache.deleteKind('search');
    this.cache.deleteKind('changes');
    return dropped;
  }

  stats(): CachedSourceStats {
    return { ...this.cache.stats(), sharedInFlight: this.sharedInFlight };
  }

  /**
   * Fresh hit → the cached value. Otherwise one upstream call per key at a time (single flight); if it fails and a stale
   * value is held, the stale value is served, reported (`onStaleServed`) and noted on each caller's UpstreamScope.
   * Every caller, including one that joined another's call, gives up at its own scope's deadline.
   */
  private async cached<T>(key: CacheKey, load: () => Promise<{ value: T; kind: CacheKind }>): Promise<T> {
    const hit = this.cache.get<T>(key);
    if (hit?.fresh) return hit.value;
    const scope = currentUpstreamScope();
    const stale: Outcome<T> | undefined = hit ? { value: hit.value, staleAgeMs: hit.ageMs } : undefined;
    let pending = this.inFlight.get(key) as Promise<Outcome<T>> | undefined;
    const joined = pending !== undefined;
    if (pending) {
      this.sharedInFlight++;
    } else {
      pending = (async (): Promise<Outcome<T>> => {
        try {
          const { value, kind } = await load();
          this.cache.set(key, kind, value);
          return { value };
        } catch (error) {
          if (hit && !isRequestFault(error)) {
            this.options.onStaleServed?.({ key, ageMs: hit.ageMs, error });
            return { value: hit.value, staleAgeMs: hit.ageMs };
          }
          throw error;
        } finally {
          this.inFlight.delete(key);
        }
      })();
      this.inFlight.set(key, pending);
    }
    let outcome: Outcome<T>;
    try {
      outcome = await untilAborted(pending, scope?.signal, stale);
    } catch (error) {
      // The caller whose call we joined gave up (its deadline) or had spent its budget, which says nothing about ORD:
      // ask again for ourselves, under our own scope's budget.
      if (joined && error instanceof UpstreamAbortedError && !scope?.signal?.aborted) return this.cached(key, load);
      if (joined && error instanceof UpstreamBudgetExceededError) return this.cached(key, load);
      throw error;
    }
    if (outcome.staleAgeMs !== undefined) scope?.noteStale(describeCacheKey(key), outcome.staleAgeMs);
    return outcome.value;
  }
}
