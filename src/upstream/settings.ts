// The call-policy settings any wire adapter takes (rate, concurrency, timeout, retries, pacer guard, breaker, queues).
// Their defaults live here and only here: config.ts, the adapters and a client built without them all resolve to these.

export interface UpstreamSettings {
  /** Most requests started in any one-second window. */
  rateLimit: number;
  /** Most requests in flight at once. */
  maxConcurrency: number;
  /** Timeout for connect, response headers and body, each, in ms. */
  timeoutMs: number;
  /** Retries of one call after a transient failure (network error, 5xx, 429). */
  maxRetries: number;
  /**
   * Extra ms added to the pacer's one-second window: upstream counts arrivals, and under load the event loop can delay
   * a paced start by tens of ms, bunching arrivals. Costs ~10% of the peak rate. Default DEFAULT_UPSTREAM_SETTINGS'.
   */
  pacerGuardMs?: number;
  /** Consecutive failed calls that open the circuit breaker (0 = no breaker). Default DEFAULT_UPSTREAM_SETTINGS'. */
  circuitFailures?: number;
  /** Seconds an open circuit waits before letting one probe through. Default DEFAULT_UPSTREAM_SETTINGS'. */
  circuitResetSeconds?: number;
  /**
   * Most calls one client (an API key or an address) may have waiting for a start; more are refused at once
   * (UpstreamQueueFullError). Default DEFAULT_UPSTREAM_SETTINGS'.
   */
  maxQueuedPerClient?: number;
}

/** Every setting filled in: what the call pipeline runs on. */
export type ResolvedUpstreamSettings = Required<UpstreamSettings>;

export const DEFAULT_UPSTREAM_SETTINGS: Readonly<ResolvedUpstreamSettings> = Object.freeze({
  /** A polite rate for a public API; an adapter whose upstream publishes another sets its own. */
  rateLimit: 5,
  maxConcurrency: 4,
  timeoutMs: 10_000,
  maxRetries: 3,
  /**
   * Measured: with 20 ms, a loaded event loop let 11–14 requests arrive within one second at a limit of 10 (soak) and
   * a six-request span of 1,009 ms (bench).
   */
  pacerGuardMs: 100,
  circuitFailures: 5,
  circuitResetSeconds: 30,
  /**
   * 300 = what 5 calls a second serve in the 60 s request deadline (REQUEST_DEADLINE_MS): a call queued behind 300 of
   * its own client's would time out anyway, so it is refused at once instead.
   */
  maxQueuedPerClient: 300,
});

/** `settings` with every optional setting it leaves out (or sets to undefined) taken from DEFAULT_UPSTREAM_SETTINGS. */
export function resolveUpstreamSettings(settings: UpstreamSettings): ResolvedUpstreamSettings {
  const d = DEFAULT_UPSTREAM_SETTINGS;
  return {
    rateLimit: settings.rateLimit,
    maxConcurrency: settings.maxConcurrency,
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    pacerGuardMs: settings.pacerGuardMs ?? d.pacerGuardMs,
    circuitFailures: settings.circuitFailures ?? d.circuitFailures,
    circuitResetSeconds: settings.circuitResetSeconds ?? d.circuitResetSeconds,
    maxQueuedPerClient: settings.maxQueuedPerClient ?? d.maxQueuedPerClient,
  };
}

/** Several replicas sharing one upstream budget through Redis (REDIS_URL); off (one process, as ever) without a URL. */
export interface SharedStateSettings {
  /** redis:// or rediss:// URL of the Redis every replica shares, or '' for none (REDIS_URL). */
  redisUrl: string;
  /**
   * How many replicas run (REPLICAS_EXPECTED): while Redis cannot be reached, each falls back to its own pacer at
   * rateLimit ÷ this, so together they still stay under the limit.
   */
  replicasExpected: number;
}

export const DEFAULT_SHARED_STATE_SETTINGS: Readonly<SharedStateSettings> = Object.freeze({
  redisUrl: '',
  /** "Several" is at least two; set it to the real count (a third replica at ÷2 would overshoot while Redis is down). */
  replicasExpected: 2,
});

/** The rate one replica keeps to alone while the shared pacer is unreachable: its share, at least one a second. */
export function fallbackRate(rateLimit: number, replicasExpected: number): number {
  return Math.max(1, Math.floor(rateLimit / Math.max(1, replicasExpected)));
}
