// The retry policy for ORD GETs, in one place: which failures are retried, how long to wait, when to give up.
// All ORD calls are idempotent GETs, so any transient-looking failure may be retried; client mistakes (404, 406) never are.

import { OrdUpstreamError, type OrdUpstreamErrorKind } from '../sources/ord/errors.js';

/**
 * Retried: network errors (reset/refused), timeouts, 5xx (JSON or HTML page), malformed or truncated bodies
 * (a cut connection or a broken proxy; the GET is safe to repeat), and 429 (honouring Retry-After).
 * Not retried: 404 (an answer, not a failure), 406 (ORD refuses the same parameters every time), other 4xx, and
 * anything that is not an OrdUpstreamError (argument errors, bugs).
 */
export function isRetryable(error: unknown): error is OrdUpstreamError {
  if (!(error instanceof OrdUpstreamError)) return false;
  const retriedKinds: readonly OrdUpstreamErrorKind[] = ['network', 'timeout', 'malformed', 'rate_limited', 'html', 'http_status'];
  if (!retriedKinds.includes(error.kind)) return false;
  // An unexpected 4xx (400, 401, 403...) will not change on a second try; 5xx and transport failures may.
  if ((error.kind === 'http_status' || error.kind === 'html') && error.status !== null && error.status < 500) return false;
  return true;
}

/** "Full jitter" exponential backoff (AWS architecture blog): uniform in [0, min(cap, base * 2^retry)). */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as ms from `nowMs`: either delay-seconds ("3") or an HTTP date. Null when absent or unreadable.
 * A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | string[] | undefined | null, nowMs: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) return null;
  const text = raw.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export interface RetryInfo {
  /** 1-based number of the retry about to happen. */
  retry: number;
  delayMs: number;
  error: OrdUpstreamError;
  /** True when the delay came from Retry-After rather than backoff. */
  fromRetryAfter: boolean;
}

export interface RetryOptions {
  maxRetries: number;
  /** First backoff ceiling (default 250 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Backoff ceiling (default 8 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this (default 30 s) is not waited for: we fail fast rather than hold a caller. */
  maxRetryAfterMs?: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Called before each wait; the client uses it to count retries and pause the pacer on Retry-After. */
  onRetry?: (info: RetryInfo) => void;
}

/** Runs `attempt` until it succeeds, fails with something not retryable, or retries run out. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 8000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 30_000;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (error instanceof OrdUpstreamError) error.attempts = n;
      if (!isRetryable(error) || n > options.maxRetries) throw error;
      const fromRetryAfter = error.retryAfterMs !== null;
      if (fromRetryAfter && (error.retryAfterMs as number) > maxRetryAfter) throw error;
      const delayMs = fromRetryAfter ? (error.retryAfterMs as number) : backoffDelay(n - 1, base, cap, options.random);
      options.onRetry?.({ retry: n, delayMs, error, fromRetryAfter });
      await options.sleep(delayMs);
    }
  }
}
