// Every setting ods-graphql reads from the environment, parsed and checked in one place.
// Each setting is documented in the README's "Settings" table; add a row there when you add one here.

import { DEFAULT_CACHE_CONFIG, type CacheConfig } from './cache/settings.js';
import { ORD_DEFAULT_SETTINGS, type OrdClientSettings } from './sources/ord/settings.js';

export type { OrdClientSettings };

export interface ServerSettings {
  port: number;
  host: string;
}

export interface Settings {
  ord: OrdClientSettings;
  server: ServerSettings;
}

type Env = Record<string, string | undefined>;

function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Setting ${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

function urlSetting(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Setting ${name} must be an absolute http(s) URL; got "${raw}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Setting ${name} must be an http(s) URL; got "${raw}".`);
  }
  // Relative resolution ("organisations/X") must stay under the base path, so the base ends in a slash.
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export function ordSettingsFromEnv(env: Env = process.env): OrdClientSettings {
  const d = ORD_DEFAULT_SETTINGS;
  return {
    baseUrl: urlSetting(env, 'ORD_BASE_URL', d.baseUrl),
    rateLimit: intSetting(env, 'ORD_RATE_LIMIT', d.rateLimit, 1, 1000),
    maxConcurrency: intSetting(env, 'ORD_MAX_CONCURRENCY', d.maxConcurrency, 1, 256),
    timeoutMs: intSetting(env, 'ORD_TIMEOUT_MS', d.timeoutMs, 1, 600_000),
    maxRetries: intSetting(env, 'ORD_MAX_RETRIES', d.maxRetries, 0, 10),
    pacerGuardMs: intSetting(env, 'ORD_PACER_GUARD_MS', d.pacerGuardMs, 0, 1000),
    circuitFailures: intSetting(env, 'ORD_CIRCUIT_FAILURES', d.circuitFailures, 0, 1000),
    circuitResetSeconds: intSetting(env, 'ORD_CIRCUIT_RESET_SECONDS', d.circuitResetSeconds, 1, 3600),
  };
}

export function settingsFromEnv(env: Env = process.env): Settings {
  return {
    ord: ordSettingsFromEnv(env),
    server: {
      port: intSetting(env, 'PORT', 4000, 0, 65535),
      host: env.HOST?.trim() || '127.0.0.1',
    },
  };
}

// --- GraphQL server (src/main.ts, src/demo.ts) ---

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GraphqlServerSettings {
  /** pino log level for the GraphQL server (LOG_LEVEL, default "info"). */
  logLevel: LogLevel;
  /** Whether the server checks once at start-up that ORD answers (ORD_STARTUP_PROBE, default "true"). */
  startupProbe: boolean;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function graphqlServerSettingsFromEnv(env: Env = process.env): GraphqlServerSettings {
  const level = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`Setting LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.LOG_LEVEL}".`);
  }
  const probe = (env.ORD_STARTUP_PROBE?.trim() || 'true').toLowerCase();
  if (probe !== 'true' && probe !== 'false') {
    throw new Error(`Setting ORD_STARTUP_PROBE must be "true" or "false"; got "${env.ORD_STARTUP_PROBE}".`);
  }
  return { logLevel: level as LogLevel, startupProbe: probe === 'true' };
}

// --- Upstream efficiency across requests (src/app.ts): the shared cache, the change feed, the per-operation budget ---

/** The CACHE_* settings (src/cache/settings.ts documents them and holds their defaults), and the rest below. */
export interface UpstreamEfficiencySettings extends CacheConfig {
  /** Minutes between polls of ORD's change feed that evict changed organisations from the cache; 0 = off (ORD_SYNC_POLL_MINUTES, default 0). */
  syncPollMinutes: number;
  /**
   * Most ORD calls one GraphQL operation may make (MAX_UPSTREAM_CALLS_PER_OPERATION, default 1500). An operation whose
   * cold-cache estimate exceeds it is refused before any call; during execution calls beyond it fail their field.
   * 1500 lets every example operation in schema/operations/ through cold (the largest estimate, IcbDownToPractices
   * with its default variables, is about 1000, against ~60 real calls on the small tier); at ORD's 5 calls/s anything
   * really spending that many would run past REQUEST_DEADLINE_MS anyway, so the limit's job is to refuse absurd fan-outs
   * (a 1000-row page under a 1000-row page) before they spend anything.
   */
  maxUpstreamCallsPerOperation: number;
  /** Estimated calls above which an operation waits in the bulk lane, behind interactive ones (UPSTREAM_BULK_THRESHOLD, default 50 = 10 s of ORD's allowance). */
  upstreamBulkThreshold: number;
  /** Deadline for one GraphQL operation's upstream work, in ms; ORD calls still waiting or running then fail (REQUEST_DEADLINE_MS, default 60000). */
  requestDeadlineMs: number;
}

export function upstreamEfficiencySettingsFromEnv(env: Env = process.env): UpstreamEfficiencySettings {
  const day = 24 * 60 * 60;
  const d = DEFAULT_CACHE_CONFIG;
  return {
    cacheMaxBytes: intSetting(env, 'CACHE_MAX_BYTES', d.cacheMaxBytes, 0, 64 * 1024 * 1024 * 1024),
    cacheTtlSeconds: {
      organisation: intSetting(env, 'CACHE_TTL_ORGANISATION_SECONDS', d.cacheTtlSeconds.organisation, 0, 30 * day),
      summary: intSetting(env, 'CACHE_TTL_SUMMARY_SECONDS', d.cacheTtlSeconds.summary, 0, 30 * day),
      search: intSetting(env, 'CACHE_TTL_SEARCH_SECONDS', d.cacheTtlSeconds.search, 0, 30 * day),
      codeSystems: intSetting(env, 'CACHE_TTL_CODE_SYSTEMS_SECONDS', d.cacheTtlSeconds.codeSystems, 0, 365 * day),
      missing: intSetting(env, 'CACHE_TTL_MISSING_SECONDS', d.cacheTtlSeconds.missing, 0, 30 * day),
    },
    syncPollMinutes: intSetting(env, 'ORD_SYNC_POLL_MINUTES', 0, 0, 7 * 24 * 60),
    maxUpstreamCallsPerOperation: intSetting(env, 'MAX_UPSTREAM_CALLS_PER_OPERATION', 1500, 1, 1_000_000),
    upstreamBulkThreshold: intSetting(env, 'UPSTREAM_BULK_THRESHOLD', 50, 0, 1_000_000),
    requestDeadlineMs: intSetting(env, 'REQUEST_DEADLINE_MS', 60_000, 1, 3_600_000),
  };
}

// --- Hardening: limits, CORS, shutdown (src/server/hardening.ts, src/server/lifecycle.ts) ---

export interface HardeningSettings {
  /** Deepest selection nesting accepted, fragments flattened (GRAPHQL_MAX_DEPTH, default 15; the deepest example is 11). */
  maxDepth: number;
  /** Most aliases in one operation (GRAPHQL_MAX_ALIASES, default 15): aliases are how one request fans out into many. */
  maxAliases: number;
  /** Most lexer tokens in one document (GRAPHQL_MAX_TOKENS, default 2000: 1000 codes in a literal list still fit). */
  maxTokens: number;
  /**
   * Largest graphql-armor cost: objects 2, scalars 1, ×1.5 per level, × a literal `first` (GRAPHQL_MAX_COST, default
   * 100000). A 1000-row page of a dozen fields costs ~40000 and passes; a 1000-row page nested in another is ~10⁷ and is
   * refused before any work. The examples cost at most ~800.
   */
  maxCost: number;
  /** Most directives in one operation (GRAPHQL_MAX_DIRECTIVES, default 50). */
  maxDirectives: number;
  /** Largest request body in bytes; larger ones get 413 (GRAPHQL_MAX_BODY_BYTES, default 102400). */
  maxBodyBytes: number;
  /** Most operations in one batched request (GRAPHQL_BATCH_LIMIT, default 10; 0 turns batching off). */
  batchLimit: number;
  /** Origins allowed by CORS, or "*" for any (CORS_ORIGINS: comma list, default "*"; never with credentials: the data is public). */
  corsOrigins: '*' | string[];
  /** How long SIGTERM waits for requests in flight before closing their connections, in ms (SHUTDOWN_GRACE_MS, default 10000). */
  shutdownGraceMs: number;
}

export const DEFAULT_HARDENING_SETTINGS: HardeningSettings = {
  maxDepth: 15,
  maxAliases: 15,
  maxTokens: 2000,
  maxCost: 100_000,
  maxDirectives: 50,
  maxBodyBytes: 100 * 1024,
  batchLimit: 10,
  corsOrigins: '*',
  shutdownGraceMs: 10_000,
};

export function hardeningSettingsFromEnv(env: Env = process.env): HardeningSettings {
  const d = DEFAULT_HARDENING_SETTINGS;
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(`Setting CORS_ORIGINS must be "*" or a comma list of origins like https://example.org; got "${origin}".`);
    }
  }
  return {
    maxDepth: intSetting(env, 'GRAPHQL_MAX_DEPTH', d.maxDepth, 1, 1000),
    maxAliases: intSetting(env, 'GRAPHQL_MAX_ALIASES', d.maxAliases, 0, 10_000),
    maxTokens: intSetting(env, 'GRAPHQL_MAX_TOKENS', d.maxTokens, 10, 1_000_000),
    maxCost: intSetting(env, 'GRAPHQL_MAX_COST', d.maxCost, 1, 100_000_000),
    maxDirectives: intSetting(env, 'GRAPHQL_MAX_DIRECTIVES', d.maxDirectives, 0, 10_000),
    maxBodyBytes: intSetting(env, 'GRAPHQL_MAX_BODY_BYTES', d.maxBodyBytes, 1024, 100 * 1024 * 1024),
    batchLimit: intSetting(env, 'GRAPHQL_BATCH_LIMIT', d.batchLimit, 0, 1000),
    corsOrigins: origins.length === 0 || origins.includes('*') ? '*' : origins,
    shutdownGraceMs: intSetting(env, 'SHUTDOWN_GRACE_MS', d.shutdownGraceMs, 0, 600_000),
  };
}
