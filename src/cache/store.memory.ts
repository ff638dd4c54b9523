// A byte-bounded, least-recently-used store of source answers, with freshness judged per kind of entry.
// Entries outlive their TTL (until memory pressure evicts them) so that a stale answer can still be served when upstream fails.

import { LRUCache } from 'lru-cache';

export type CacheKind = 'organisation' | 'summary' | 'search' | 'codeSystem' | 'changes' | 'missing';

export interface CacheSettings {
  /** Upper bound on the estimated bytes held (CACHE_MAX_BYTES). */
  maxBytes: number;
  /** How long an entry of each kind counts as fresh, in ms. `missing` is the negative cache of unknown codes. */
  ttlMs: Record<CacheKind, number>;
}

export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  maxBytes: 256 * 1024 * 1024,
  ttlMs: {
    organisation: 6 * 60 * 60_000, // ORD refreshes from ODS once a day; /sync eviction (when on) keeps long TTLs honest
    summary: 6 * 60 * 60_000,
    search: 60 * 60_000, // a new organisation can join any search, and nothing evicts a page precisely
    codeSystem: 24 * 60 * 60_000, // role/relationship vocabularies change a few times a year
    changes: 5 * 60_000,
    missing: 10 * 60_000, // shorter: a code that is unknown now may be created later today
  },
};

export interface CacheHit<T> {
  value: T;
  fresh: boolean;
  /** ms since the value was stored. */
  ageMs: number;
  kind: CacheKind;
}

interface Entry {
  value: unknown;
  kind: CacheKind;
  storedAt: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  staleHits: number;
  misses: number;
  evictions: number;
}

/**
 * Size estimate for the byte bound: UTF-16 string data dominates these records, and V8 spends roughly as much again on
 * object and array headers, so twice the serialised length (plus a fixed entry overhead) tracks resident memory well
 * enough for a bound; `npm run bench` reports the measured bytes per organisation beside it.
 */
export function estimateBytes(value: unknown): number {
  return 2 * (JSON.stringify(value)?.length ?? 4) + 160;
}

export class EntityCache {
  private readonly lru: LRUCache<string, Entry>;
  private hits = 0;
  private staleHits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    private readonly settings: CacheSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.lru = new LRUCache<string, Entry>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry) => Math.max(1, estimateBytes(entry.value)),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  /** The entry, fresh or stale, or undefined. Counts a hit, stale hit or miss. */
  get<T>(key: string): CacheHit<T> | undefined {
    const entry = this.lru.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    const ageMs = this.now() - entry.storedAt;
    const fresh = ageMs < this.settings.ttlMs[entry.kind];
    if (fresh) this.hits++;
    else this.staleHits++;
    return { value: entry.value as T, fresh, ageMs, kind: entry.kind };
  }

  /**
   * Fresh entries only, without counting a hit or miss. `touch` marks the entry as recently used: answers served from the
   * cache this way (the source's known* methods) touch it, or a summary served a thousand times would still be the first
   * evicted; plain inspection (tests, diagnostics) leaves recency alone.
   */
  peekFresh<T>(key: string, touch = false): T | undefined {
    const entry = touch ? this.lru.get(key) : this.lru.peek(key);
    if (!entry) return undefined;
    return this.now() - entry.storedAt < this.settings.ttlMs[entry.kind] ? (entry.value as T) : undefined;
  }

  set(key: string, kind: CacheKind, value: unknown): void {
    this.lru.set(key, { value, kind, storedAt: this.now() });
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Deletes every key that starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const key of [...this.lru.keys()]) {
      if (key.startsWith(prefix) && this.lru.delete(key)) n++;
    }
    return n;
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  stats(): CacheStats {
    return {
      entries: this.lru.size,
      bytes: this.lru.calculatedSize,
      hits: this.hits,
      staleHits: this.staleHits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
