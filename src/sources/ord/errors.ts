// Typed outcomes of talking to ORD: every failure a caller can see is one of these three classes.
// Each extends the source-level vocabulary (src/source/errors.ts), so layers above switch on meaning, not on ORD.

import { SourceInvalidArgumentError, SourceRejectedError, SourceUnavailableError } from '../errors.js';

/** Which ORD endpoint a request was for; also the key of the client's counters. */
export type OrdEndpoint = 'organisation' | 'search' | 'sync' | 'roles' | 'rels' | 'recordclasses';

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
 * - `circuit_open`: not sent at all, because ORD failed repeatedly and the circuit breaker is open (src/ord/circuit.ts).
 */
export type OrdUpstreamErrorKind = 'http_status' | 'html' | 'malformed' | 'timeout' | 'network' | 'rate_limited' | 'circuit_open';

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

