// Every setting ods-graphql reads from the environment, parsed and checked in one place.
// Each setting is documented in the README's "Settings" table; add a row there when you add one here.

import { ORD_PUBLIC_BASE_URL } from './ord/types.js';

export interface OrdClientSettings {
  /** ORD base URL, ending in a slash (ORD_BASE_URL). */
  baseUrl: string;
  /** Most ORD requests started in any one-second window (ORD_RATE_LIMIT, default 5: ORD's guidance). */
  rateLimit: number;
  /** Most ORD requests in flight at once (ORD_MAX_CONCURRENCY, default 4). */
  maxConcurrency: number;
  /** Timeout for connect, response headers and body, each, in ms (ORD_TIMEOUT_MS, default 10000). */
  timeoutMs: number;
  /** Retries of one GET after a network error, 5xx or 429 (ORD_MAX_RETRIES, default 3). */
  maxRetries: number;
  /** Consecutive failed ORD calls that open the circuit breaker (ORD_CIRCUIT_FAILURES, default 5; 0 = no breaker). */
  circuitFailures?: number;
  /** Seconds an open circuit waits before letting one probe through (ORD_CIRCUIT_RESET_SECONDS, default 30). */
  circuitResetSeconds?: number;
}

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
  return {
    baseUrl: urlSetting(env, 'ORD_BASE_URL', ORD_PUBLIC_BASE_URL),
    rateLimit: intSetting(env, 'ORD_RATE_LIMIT', 5, 1, 1000),
    maxConcurrency: intSetting(env, 'ORD_MAX_CONCURRENCY', 4, 1, 256),
    timeoutMs: intSetting(env, 'ORD_TIMEOUT_MS', 10_000, 1, 600_000),
    maxRetries: intSetting(env, 'ORD_MAX_RETRIES', 3, 0, 10),
    circuitFailures: intSetting(env, 'ORD_CIRCUIT_FAILURES', 5, 0, 1000),
    circuitResetSeconds: intSetting(env, 'ORD_CIRCUIT_RESET_SECONDS', 30, 1, 3600),
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
