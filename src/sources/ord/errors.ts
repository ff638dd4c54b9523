// Typed outcomes of talking to ORD: every failure a caller can see is one of these three classes; which are retried.
// Each extends the source-level vocabulary (src/sources/errors.ts), so layers above switch on meaning, not on ORD.

import type { RetryPolicy } from '../../upstream/retry.js';
import { SourceInvalidArgumentError, SourceRejectedError, SourceUnavailableError } from '../errors.js';

/** Which ORD endpoint a request was for; also the key of the client's counters. */
export type OrdEndpoint = 'organisation' | 'search' | 'sync' | 'notifications' | 'roles' | 'rels' | 'recordclasses';

export const ORD_ENDPOINTS: readonly OrdEndpoint[] = [
  'organisation',
  'search',
  'sync',
  'notifications',
  'roles',
  'rels',
  'recordclasses',
];

/** ORD answered 406: it refused the request's parameters. Never retried: asking again gets the same answer. */
export class OrdRejectedError extends SourceRejectedError {
  /** ORD's own `errorText`, verbatim (e.g. "Invalid date format."); a placeholder when the body was unreadable. */
  readonly errorText: string;
  declare readonly endpoint: OrdEndpoint | null;
  constructor(status: number, errorText: string, endpoint: OrdEndpoint | null) {
    super(status, errorText, endpoint);
    this.message = `ORD rejected the request (${status}): ${errorText}`;
    this.errorText = errorText;
  }
}

/**
 * What went wrong upstream:
 * - `http_status`: a 5xx (after retries) or another unexpected status;
 * - `html`: an HTML error page (Werkzeug's 500, a proxy's 502) where JSON was expected;
 * - `malformed`: unparseable, truncated or wrongly shaped JSON;
 * - `timeout`: connect, headers, body or overall deadline passed;
 * - `network`: connection refused/reset and other socket failures;
 * - `rate_limited`: still 429 after every retry;
 * - `circuit_open`: not sent at all, because ORD failed repeatedly and the circuit breaker is open
 *   (src/upstream/circuit.ts).
 */
export type OrdUpstreamErrorKind =
  'http_status' | 'html' | 'malformed' | 'timeout' | 'network' | 'rate_limited' | 'circuit_open';

export const ORD_UPSTREAM_ERROR_KINDS: readonly OrdUpstreamErrorKind[] = [
  'http_status',
  'html',
  'malformed',
  'timeout',
  'network',
  'rate_limited',
  'circuit_open',
];

export interface OrdUpstreamErrorOptions {
  endpoint?: OrdEndpoint | null;
  /** HTTP status when one was received. */
  status?: number | null;
  /** How many requests were sent for this call (1 + retries). */
  attempts?: number;
  /** Seconds from a Retry-After header, when one came with the final answer. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** ORD (or the network in between) failed us; the request itself was fine. */
export class OrdUpstreamError extends SourceUnavailableError {
  declare readonly kind: OrdUpstreamErrorKind;
  declare readonly endpoint: OrdEndpoint | null;
  attempts: number;
  readonly retryAfterMs: number | null;
  constructor(kind: OrdUpstreamErrorKind, message: string, options: OrdUpstreamErrorOptions = {}) {
    super(kind, message, options);
    this.attempts = options.attempts ?? 1;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** Refused before anything was sent: e.g. an ODS code that could escape the URL path, or a bad Limit. */
export class OrdInvalidArgumentError extends SourceInvalidArgumentError {
  declare readonly endpoint: OrdEndpoint | null;
  constructor(argument: string, value: unknown, reason: string, endpoint: OrdEndpoint | null = null) {
    super(argument, value, reason, endpoint);
  }
}

/**
 * All ORD calls are idempotent GETs, so any transient-looking failure may be retried; client mistakes never are.
 * Retried: network errors (reset/refused), timeouts, 5xx (JSON or HTML page), malformed or truncated bodies
 * (a cut connection or a broken proxy; the GET is safe to repeat), and 429 (honouring Retry-After).
 * Not retried: 404 (an answer, not a failure), 406 (ORD refuses the same parameters every time), other 4xx, and
 * anything that is not an OrdUpstreamError (argument errors, bugs).
 */
export function isRetryable(error: unknown): error is OrdUpstreamError {
  if (!(error instanceof OrdUpstreamError)) return false;
  const retriedKinds: readonly OrdUpstreamErrorKind[] = [
    'network',
    'timeout',
    'malformed',
    'rate_limited',
    'html',
    'http_status',
  ];
  if (!retriedKinds.includes(error.kind)) return false;
  // An unexpected 4xx (400, 401, 403...) will not change on a second try; 5xx and transport failures may.
  if ((error.kind === 'http_status' || error.kind === 'html') && error.status !== null && error.status < 500)
    return false;
  return true;
}

/** ORD's retry policy for the call pipeline (src/upstream/retry.ts): its failures carry Retry-After and attempts. */
export const ordRetryPolicy: RetryPolicy<OrdUpstreamError> = {
  isRetryable,
  retryAfterMs: (error) => error.retryAfterMs,
  noteAttempts: (error, attempts) => {
    if (error instanceof OrdUpstreamError) error.attempts = attempts;
  },
};
