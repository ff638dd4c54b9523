// The in-memory CacheStore: byte-bounded and least-recently-used, in this process only.
// Entries outlive their TTL (until memory pressure evicts them) so that a stale answer can still be served when upstream fails.

import { LRUCache } from 'lru-cache';
import type { CacheSettings } from './settings.js';
import type { CacheHit, CacheKind, CacheStats, CacheStore } from './store.js';

interface Entry {
  value: unknown;
  kind: CacheKind;
  storedAt: number;
}

/**
 * Size estimate for the byte bound: UTF-16 string data dominates these records, and V8 spends roughly as much again on
 * object and array headers, so twice the serialised length (plus a fixed entry overhead) tracks resident memory well
 * enough for a bound; `npm run bench` reports the measured bytes per organisation beside it.
 */
export function estimateBytes(value: unknown): number {
  return 2 * (JSON.stringify(value)?.length ?? 4) + 160;
}

export class MemoryStore implements CacheStore {
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

  deleteKind(kind: CacheKind): void {
    // One process's entries: a walk over them is cheap next to the upstream calls an eviction leads to.
    const doomed: string[] = [];
    for (const [key, entry] of this.lru.entries()) if (entry.kind === kind) doomed.push(key);
    for (const key of doomed) this.lru.delete(key);
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
