// What the caching source needs of a store of answers, whichever store holds them (this process's memory today).
// Entries outlive their TTL so that a stale answer can stand in when upstream fails; freshness is judged per kind.

export type CacheKind = 'organisation' | 'summary' | 'search' | 'codeSystem' | 'changes' | 'missing';

export interface CacheHit<T> {
  value: T;
  fresh: boolean;
  /** ms since the value was stored. */
  ageMs: number;
  kind: CacheKind;
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
 * Keys are opaque strings to a store (src/cache/keys.ts makes them); `kind` is what a store knows of an entry beyond
 * its key: how long it stays fresh, and which deleteKind forgets it.
 */
export interface CacheStore {
  /** The entry, fresh or stale, or undefined; marks it recently used. Counts a hit, stale hit or miss. */
  get<T>(key: string): CacheHit<T> | undefined;
  /**
   * Fresh entries only, without counting a hit or miss. `touch` marks the entry as recently used: answers served from the
   * cache this way (the caching source's known* methods) touch it, or a summary served a thousand times would still be
   * the first evicted; plain inspection (tests, diagnostics) leaves recency alone.
   */
  peekFresh<T>(key: string, touch?: boolean): T | undefined;
  /** Stores `value`, fresh from now for its kind's TTL. */
  set(key: string, kind: CacheKind, value: unknown): void;
  /** Forgets one entry; true when there was one. */
  delete(key: string): boolean;
  /**
   * Forgets every entry of this kind. The contract is the kind, not a scan of keys: a shared store can instead bump a
   * generation counter per kind and treat entries stored under an older generation as absent.
   */
  deleteKind(kind: CacheKind): void;
  /** What it holds now, and its counters since it was made. */
  stats(): CacheStats;
}
