// The retry loop for idempotent upstream calls, in one place: how long to wait between attempts and when to give up.
// Which failures are worth another try, and what Retry-After a failure carries, is the wire adapter's RetryPolicy.

/** What only the wire adapter knows about its failures; it hands this to the call pipeline (see call.ts). */
export interface RetryPolicy<E> {
  /** True for a transient failure that may be retried; anything else (a refusal, a bug) is thrown at once. */
  isRetryable(error: unknown): error is E;
  /** How long upstream asked us to wait (its Retry-After), in ms; null when it did not say: backoff applies. */
  retryAfterMs(error: E): number | null;
  /** Told after every failed attempt, retried or not, how many attempts the call has made (1-based). */
  noteAttempts?(error: unknown, attempts: number): void;
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

export interface RetryInfo<E> {
  /** 1-based number of the retry about to happen. */
  retry: number;
  delayMs: number;
  error: E;
  /** True when the delay came from Retry-After rather than backoff. */
  fromRetryAfter: boolean;
}

export interface RetryOptions<E> {
  policy: RetryPolicy<E>;
  maxRetries: number;
  /** First backoff ceiling (default 250 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Backoff ceiling (default 8 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this (default 30 s) is not waited for: we fail fast rather than hold a caller. */
  maxRetryAfterMs?: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Called before each wait; the call pipeline uses it to count retries and pause the pacer on Retry-After. */
  onRetry?: (info: RetryInfo<E>) => void;
}

/** Runs `attempt` until it succeeds, fails with something not retryable, or retries run out. */
export async function withRetries<T, E>(attempt: (n: number) => Promise<T>, options: RetryOptions<E>): Promise<T> {
  const { policy } = options;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 8000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 30_000;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      policy.noteAttempts?.(error, n);
      if (!policy.isRetryable(error) || n > options.maxRetries) throw error;
      const retryAfterMs = policy.retryAfterMs(error);
      const fromRetryAfter = retryAfterMs !== null;
      if (retryAfterMs !== null && retryAfterMs > maxRetryAfter) throw error;
      const delayMs = retryAfterMs ?? backoffDelay(n - 1, base, cap, options.random);
      options.onRetry?.({ retry: n, delayMs, error, fromRetryAfter });
      await options.sleep(delayMs);
    }
  }
}
