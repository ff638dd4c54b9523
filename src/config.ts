// loadConfig(env): every setting ods-graphql reads from the environment, parsed and checked in one place.
// Each setting's type and default belong to the module that uses it; this file only maps variables onto them.

import { DEFAULT_CACHE_CONFIG, type CacheConfig } from './cache/settings.js';
import { DEFAULT_CHANGE_FEED_SETTINGS, type ChangeFeedSettings } from './cache/changeFeed.js';
import { DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel } from './logger.js';
import { DEFAULT_BUDGET_SETTINGS, type BudgetSettings } from './server/plugins/budget.js';
import { DEFAULT_GRAPHIQL_SETTINGS, type GraphiqlSettings } from './server/plugins/graphiql.js';
import {
  DEFAULT_CLIENT_IDENTITY_SETTINGS,
  parseApiKeys,
  type ClientIdentitySettings,
} from './server/plugins/clientIdentity.js';
import { DEFAULT_RATE_LIMIT_SETTINGS, type RateLimitSettings } from './server/plugins/rateLimit.js';
import { DEFAULT_HARDENING_SETTINGS, type HardeningSettings } from './server/plugins/hardening.js';
import { DEFAULT_RESPONSE_BOUNDS_SETTINGS, type ResponseBoundsSettings } from './server/plugins/responseBounds.js';
import { ensureCanListen, exitAtStartup } from './server/serve.js';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from './server/settings.js';
import { FHIR_DEFAULT_SETTINGS, type FhirClientSettings } from './sources/fhir/settings.js';
import { ORD_DEFAULT_SETTINGS, type OrdClientSettings } from './sources/ord/settings.js';
import { DEFAULT_MIRROR_SETTINGS, type MirrorSettings } from './sources/mirror/settings.js';
import { DEFAULT_SHARED_STATE_SETTINGS, type SharedStateSettings } from './upstream/settings.js';
import { DEFAULT_SOURCE_KIND, SOURCE_KINDS, type SourceKind } from './sources/settings.js';

/** Everything the entry points need, one section per module. The README's "Settings" table lists every variable. */
export interface Config {
  server: ServerSettings;
  logLevel: LogLevel;
  /** Which source serves the contract (SOURCE). */
  source: SourceKind;
  ord: OrdClientSettings;
  /** ODT, ORD's FHIR R4 successor (SOURCE=fhir). */
  fhir: FhirClientSettings;
  mirror: MirrorSettings;
  cache: CacheConfig;
  changeFeed: ChangeFeedSettings;
  budget: BudgetSettings;
  hardening: HardeningSettings;
  graphiql: GraphiqlSettings;
  clientIdentity: ClientIdentitySettings;
  rateLimit: RateLimitSettings;
  responseBounds: ResponseBoundsSettings;
  /** Redis shared by several replicas (REDIS_URL, REPLICAS_EXPECTED). */
  shared: SharedStateSettings;
}

type Env = Record<string, string | undefined>;

const DAY_SECONDS = 24 * 60 * 60;

/** Reads and checks every setting; a bad value throws an Error whose message names the variable. */
export function loadConfig(env: Env = process.env): Config {
  return {
    server: serverSettings(env),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, DEFAULT_LOG_LEVEL),
    source: oneOf(env, 'SOURCE', SOURCE_KINDS, DEFAULT_SOURCE_KIND),
    ord: ordSettings(env),
    fhir: fhirSettings(env),
    mirror: mirrorSettings(env),
    cache: cacheConfig(env),
    changeFeed: {
      pollMinutes: intSetting(env, 'ORD_SYNC_POLL_MINUTES', DEFAULT_CHANGE_FEED_SETTINGS.pollMinutes, 0, 7 * 24 * 60),
    },
    budget: budgetSettings(env),
    hardening: hardeningSettings(env),
    graphiql: { enabled: booleanSetting(env, 'GRAPHIQL', DEFAULT_GRAPHIQL_SETTINGS.enabled) },
    clientIdentity: clientIdentitySettings(env),
    rateLimit: rateLimitSettings(env),
    responseBounds: responseBoundsSettings(env),
    shared: sharedStateSettings(env),
  };
}

/**
 * For an entry point (`command` is how a person starts it): the config, and proof that HOST:PORT can be listened on,
 * before any costly work. A bad setting or an unusable port ends the process with one plain line (no stack), exit 1.
 */
export async function loadStartupConfig(command: string, env: Env = process.env): Promise<Config> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    // loadConfig's messages name the variable and what it accepts.
    exitAtStartup(error instanceof Error ? error.message : String(error));
  }
  await ensureCanListen(config.server.host, config.server.port, command);
  return config;
}

function serverSettings(env: Env): ServerSettings {
  const d = DEFAULT_SERVER_SETTINGS;
  const headersTimeoutMs = intSetting(env, 'SERVER_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 600_000);
  const requestTimeoutMs = intSetting(env, 'SERVER_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(
      `Setting SERVER_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed SERVER_REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`,
    );
  }
  return {
    host: env.HOST?.trim() || d.host,
    port: intSetting(env, 'PORT', d.port, 0, 65535),
    startupProbe: booleanSetting(env, 'ORD_STARTUP_PROBE', d.startupProbe),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: intSetting(env, 'SERVER_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 100, 600_000),
    maxConnections: intSetting(env, 'SERVER_MAX_CONNECTIONS', d.maxConnections, 0, 1_000_000),
  };
}

function ordSettings(env: Env): OrdClientSettings {
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
    maxQueuedPerClient: intSetting(env, 'ORD_MAX_QUEUED_PER_CLIENT', d.maxQueuedPerClient, 1, 1_000_000),
  };
}

function fhirSettings(env: Env): FhirClientSettings {
  const d = FHIR_DEFAULT_SETTINGS;
  return {
    baseUrl: urlSetting(env, 'FHIR_BASE_URL', d.baseUrl),
    apiKey: env.FHIR_API_KEY?.trim() || null,
    maxSearchPages: intSetting(env, 'FHIR_MAX_SEARCH_PAGES', d.maxSearchPages, 1, 10_000),
    rateLimit: intSetting(env, 'FHIR_RATE_LIMIT', d.rateLimit, 1, 1000),
    maxConcurrency: intSetting(env, 'FHIR_MAX_CONCURRENCY', d.maxConcurrency, 1, 256),
    timeoutMs: intSetting(env, 'FHIR_TIMEOUT_MS', d.timeoutMs, 1, 600_000),
    maxRetries: intSetting(env, 'FHIR_MAX_RETRIES', d.maxRetries, 0, 10),
    pacerGuardMs: intSetting(env, 'FHIR_PACER_GUARD_MS', d.pacerGuardMs, 0, 1000),
    circuitFailures: intSetting(env, 'FHIR_CIRCUIT_FAILURES', d.circuitFailures, 0, 1000),
    circuitResetSeconds: intSetting(env, 'FHIR_CIRCUIT_RESET_SECONDS', d.circuitResetSeconds, 1, 3600),
    maxQueuedPerClient: intSetting(env, 'FHIR_MAX_QUEUED_PER_CLIENT', d.maxQueuedPerClient, 1, 1_000_000),
  };
}

function mirrorSettings(env: Env): MirrorSettings {
  const d = DEFAULT_MIRROR_SETTINGS;
  const url = env.MIRROR_URL?.trim() || d.url;
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url)) {
    throw new Error(
      `Setting MIRROR_URL must be sqlite:<path> or postgres://user@host:port/database; got "${url.replace(/:[^:@/]*@/, ':***@')}".`,
    );
  }
  return {
    url,
    syncMinutes: intSetting(env, 'MIRROR_SYNC_MINUTES', d.syncMinutes, 0, 7 * 24 * 60),
    maxAgeHours: intSetting(env, 'MIRROR_MAX_AGE_HOURS', d.maxAgeHours, 1, 24 * 365),
    recordCacheSize: intSetting(env, 'MIRROR_RECORD_CACHE', d.recordCacheSize, 0, 1_000_000),
  };
}

function cacheConfig(env: Env): CacheConfig {
  const d = DEFAULT_CACHE_CONFIG;
  const ttl = d.cacheTtlSeconds;
  return {
    cacheMaxBytes: intSetting(env, 'CACHE_MAX_BYTES', d.cacheMaxBytes, 0, 64 * 1024 * 1024 * 1024),
    cacheTtlSeconds: {
      organisation: intSetting(env, 'CACHE_TTL_ORGANISATION_SECONDS', ttl.organisation, 0, 30 * DAY_SECONDS),
      summary: intSetting(env, 'CACHE_TTL_SUMMARY_SECONDS', ttl.summary, 0, 30 * DAY_SECONDS),
      search: intSetting(env, 'CACHE_TTL_SEARCH_SECONDS', ttl.search, 0, 30 * DAY_SECONDS),
      codeSystems: intSetting(env, 'CACHE_TTL_CODE_SYSTEMS_SECONDS', ttl.codeSystems, 0, 365 * DAY_SECONDS),
      missing: intSetting(env, 'CACHE_TTL_MISSING_SECONDS', ttl.missing, 0, 30 * DAY_SECONDS),
    },
  };
}

function budgetSettings(env: Env): BudgetSettings {
  const d = DEFAULT_BUDGET_SETTINGS;
  return {
    limit: intSetting(env, 'MAX_UPSTREAM_CALLS_PER_OPERATION', d.limit, 1, 1_000_000),
    bulkThreshold: intSetting(env, 'UPSTREAM_BULK_THRESHOLD', d.bulkThreshold, 0, 1_000_000),
    deadlineMs: intSetting(env, 'REQUEST_DEADLINE_MS', d.deadlineMs, 1, 3_600_000),
  };
}

function hardeningSettings(env: Env): HardeningSettings {
  const d = DEFAULT_HARDENING_SETTINGS;
  const origins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(
        `Setting CORS_ORIGINS must be "*" or a comma list of origins like https://example.org; got "${origin}".`,
      );
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

function clientIdentitySettings(env: Env): ClientIdentitySettings {
  const d = DEFAULT_CLIENT_IDENTITY_SETTINGS;
  let apiKeys = d.apiKeys;
  try {
    if (env.API_KEYS !== undefined && env.API_KEYS.trim() !== '') apiKeys = parseApiKeys(env.API_KEYS);
  } catch (error) {
    // The parser's message names the entry, never the key.
    throw new Error(`Setting API_KEYS must be a comma list of label:key entries; ${(error as Error).message}.`);
  }
  const header = env.API_KEY_HEADER?.trim().toLowerCase() || d.apiKeyHeader;
  if (!/^[a-z0-9-]{1,64}$/.test(header)) {
    throw new Error(
      `Setting API_KEY_HEADER must be a header name (letters, digits, "-"); got "${env.API_KEY_HEADER}".`,
    );
  }
  return { apiKeys, apiKeyHeader: header, trustProxy: intSetting(env, 'TRUST_PROXY', d.trustProxy, 0, 32) };
}

function rateLimitSettings(env: Env): RateLimitSettings {
  const d = DEFAULT_RATE_LIMIT_SETTINGS;
  return {
    requestsPerMinute: intSetting(env, 'RATE_LIMIT_REQUESTS_PER_MINUTE', d.requestsPerMinute, 0, 10_000_000),
    upstreamCallsPerMinute: intSetting(
      env,
      'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE',
      d.upstreamCallsPerMinute,
      0,
      10_000_000,
    ),
  };
}

function responseBoundsSettings(env: Env): ResponseBoundsSettings {
  const d = DEFAULT_RESPONSE_BOUNDS_SETTINGS;
  return {
    maxResponseBytes: intSetting(env, 'MAX_RESPONSE_BYTES', d.maxResponseBytes, 1024, 1024 * 1024 * 1024),
    maxResultObjects: intSetting(env, 'MAX_RESULT_OBJECTS', d.maxResultObjects, 1, 100_000_000),
  };
}

// --- parsers: each refuses a bad value with a message naming the variable ---

function sharedStateSettings(env: Env): SharedStateSettings {
  const d = DEFAULT_SHARED_STATE_SETTINGS;
  const raw = env.REDIS_URL?.trim() ?? '';
  if (raw !== '') {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:'))
      throw new Error(`Setting REDIS_URL must be a redis:// or rediss:// URL; got "${raw}".`);
  }
  return {
    redisUrl: raw,
    replicasExpected: intSetting(env, 'REPLICAS_EXPECTED', d.replicasExpected, 1, 1000),
  };
}

function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Setting ${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

function booleanSetting(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false')
    throw new Error(`Setting ${name} must be "true" or "false"; got "${env[name]}".`);
  return raw === 'true';
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`Setting ${name} must be one of ${allowed.join(', ')}; got "${env[name]}".`);
  }
  return raw as T;
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
