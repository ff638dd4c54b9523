// How big the shared cache may grow and how long each kind of answer stays fresh, with the one set of defaults:
// as configured (the CACHE_* settings, in seconds; src/config.ts reads them) and as the store judges freshness (in ms).

import type { CacheKind } from './store.js';

/** The CACHE_* settings as src/config.ts reads them from the environment. */
export interface CacheConfig {
  /** Upper bound on the shared cache's estimated size in bytes; 0 turns the shared cache off (CACHE_MAX_BYTES). */
  cacheMaxBytes: number;
  /** Seconds each kind of answer counts as fresh; past it, it is refetched (kept only as a stand-in while ORD fails). */
  cacheTtlSeconds: {
    /** Full organisation records (CACHE_TTL_ORGANISATION_SECONDS). */
    organisation: number;
    /** Search-row summaries: name/status/postcode/primary role… across requests (CACHE_TTL_SUMMARY_SECONDS). */
    summary: number;
    /** Search pages (CACHE_TTL_SEARCH_SECONDS). */
    search: number;
    /** Role types, relationship types, record classes (CACHE_TTL_CODE_SYSTEMS_SECONDS). */
    codeSystems: number;
    /** Negative entries for codes ORD does not hold (CACHE_TTL_MISSING_SECONDS). */
    missing: number;
  };
}

export const DEFAULT_CACHE_CONFIG: CacheConfig = {
  cacheMaxBytes: 256 * 1024 * 1024,
  cacheTtlSeconds: {
    organisation: 6 * 60 * 60, // ORD refreshes from ODS once a day; /sync eviction (when on) keeps long TTLs honest
    summary: 6 * 60 * 60,
    search: 60 * 60, // a new organisation can join any search, and nothing evicts a page precisely
    codeSystems: 24 * 60 * 60, // role/relationship vocabularies change a few times a year
    missing: 10 * 60, // shorter: a code that is unknown now may be created later today
  },
};

/** What a store is built with. */
export interface CacheSettings {
  /** Upper bound on the estimated bytes held. */
  maxBytes: number;
  /** How long an entry of each kind counts as fresh, in ms. `missing` is the negative cache of unknown codes. */
  ttlMs: Record<CacheKind, number>;
}

/** The change feed's answers follow the search TTL, but keep no longer than this: they say what changed lately. */
const CHANGES_TTL_CAP_SECONDS = 5 * 60;

/** The CACHE_* settings (seconds) → a store's settings (ms). */
export function cacheSettingsFrom(config: CacheConfig): CacheSettings {
  const t = config.cacheTtlSeconds;
  return {
    maxBytes: config.cacheMaxBytes,
    ttlMs: {
      organisation: t.organisation * 1000,
      summary: t.summary * 1000,
      search: t.search * 1000,
      codeSystem: t.codeSystems * 1000,
      changes: Math.min(t.search, CHANGES_TTL_CAP_SECONDS) * 1000,
      missing: t.missing * 1000,
    },
  };
}

export const DEFAULT_CACHE_SETTINGS: CacheSettings = cacheSettingsFrom(DEFAULT_CACHE_CONFIG);
