// Typed outcomes of talking to ORD: every failure a caller can see is one of these three classes.
// Callers (the ORD source, the GraphQL layer) switch on class and `kind`, never on undici or JSON parser errors.

/** Which ORD endpoint a request was for; also the key of the client's counters. */
export type OrdEndpoint = 'organisation' | 'search' | 'sync' | 'roles' | 'rels' | 'recordclasses';

/** Base class, so a caller can catch "anything ORD-related" in one `instanceof`. */
export class OrdError extends Error {
  readonly endpoint: OrdEndpoint | null;
  constructor(message: string, endpoint: OrdEndpoint | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.endpoint = endpoint;
  }
}

/** ORD answered 406: it refused the request's parameters. Never retried: asking again gets the same answer. */
export class OrdRejectedError extends OrdError {
  readonly status: number;
  /** ORD's own `errorText`, verbatim (e.g. "Invalid date format."); a placeholder when the body was unreadable. */
  readonly errorText: string;
  constructor(status: number, errorText: string, endpoint: OrdEndpoint | null) {
    super(`ORD rejected the request (${status}): ${errorText}`, endpoint);
    this.status = status;
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
 * - `rate_limited`: still 429 after every retry.
 */
export type OrdUpstreamErrorKind = 'http_status' | 'html' | 'malformed' | 'timeout' | 'network' | 'rate_limited';

export const ORD_UPSTREAM_ERROR_KINDS: readonly OrdUpstreamErrorKind[] = [
  'http_status',
  'html',
  'malformed',
  'timeout',
  'network',
  'rate_limited',
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
export class OrdUpstreamError extends OrdError {
  readonly kind: OrdUpstreamErrorKind;
  readonly status: number | null;
  attempts: number;
  readonly retryAfterMs: number | null;
  constructor(kind: OrdUpstreamErrorKind, message: string, options: OrdUpstreamErrorOptions = {}) {
    super(message, options.endpoint ?? null, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status ?? null;
    this.attempts = options.attempts ?? 1;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** Refused before anything was sent: e.g. an ODS code that could escape the URL path, or a bad Limit. */
export class OrdInvalidArgumentError extends OrdError {
  /** The argument's name, e.g. "code", "Limit". */
  readonly argument: string;
  readonly value: unknown;
  constructor(argument: string, value: unknown, reason: string, endpoint: OrdEndpoint | null = null) {
    super(`Invalid ${argument} ${JSON.stringify(String(value)).slice(0, 80)}: ${reason}`, endpoint);
    this.argument = argument;
    this.value = value;
  }
}

/** The caller's upstream-call budget (MAX_UPSTREAM_CALLS_PER_OPERATION) is spent; nothing was sent. */
export class OrdBudgetExceededError extends OrdError {
  readonly budget: number;
  readonly spent: number;
  constructor(budget: number, spent: number, endpoint: OrdEndpoint | null) {
    super(`This operation has used its budget of ${budget} ORD calls (${spent} made); no more are allowed.`, endpoint);
    this.budget = budget;
    this.spent = spent;
  }
}

/** The caller gave up (its deadline passed or it was cancelled) before ORD answered. */
export class OrdAbortedError extends OrdError {
  constructor(endpoint: OrdEndpoint | null, reason: string) {
    super(`ORD request abandoned: ${reason}`, endpoint);
  }
}
