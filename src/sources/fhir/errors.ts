// Typed outcomes of an ODT error response: HAPI, Ontoserver and the APIM proxy all answer with an OperationOutcome.
// Each class extends the source-level vocabulary (src/sources/errors.ts), so layers above switch on meaning, not FHIR.

import type { RetryPolicy } from '../../upstream/retry.js';
import { SourceError, SourceInvalidArgumentError, SourceRejectedError, SourceUnavailableError } from '../errors.js';
import type { OperationOutcome } from './types.js';

/** Which ODT interaction a request was for (the adapter's counters and logs key on it). */
export type FhirEndpoint = 'organization' | 'organization-search' | 'affiliation-search' | 'lookup' | 'expand' | 'list';

export const FHIR_ENDPOINTS: readonly FhirEndpoint[] = [
  'organization',
  'organization-search',
  'affiliation-search',
  'lookup',
  'expand',
  'list',
];

/**
 * How ODT failed: `unauthorized` (401/403: a missing or wrong `apikey`, a deployment fault rather than the caller's),
 * `rate_limited` (429 after every retry), `http_status` (5xx or an unexpected status), `html` (an HTML page where FHIR
 * JSON was expected), `malformed` (unparseable, cut short, or not the shape the profiles promise), `timeout`,
 * `network`, and `circuit_open` (not sent: ODT failed repeatedly, src/upstream/circuit.ts).
 */
export type FhirUpstreamErrorKind =
  'unauthorized' | 'rate_limited' | 'http_status' | 'html' | 'malformed' | 'timeout' | 'network' | 'circuit_open';

export const FHIR_UPSTREAM_ERROR_KINDS: readonly FhirUpstreamErrorKind[] = [
  'unauthorized',
  'rate_limited',
  'http_status',
  'html',
  'malformed',
  'timeout',
  'network',
  'circuit_open',
];

export interface FhirUpstreamErrorOptions {
  endpoint?: FhirEndpoint | null;
  status?: number | null;
  /** The OperationOutcome's own text, when there was one. */
  outcomeText?: string | null;
  /** From a Retry-After header on a 429, in ms. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

export class FhirUpstreamError extends SourceUnavailableError {
  declare readonly kind: FhirUpstreamErrorKind;
  /** The OperationOutcome's own text, when there was one. */
  readonly outcomeText: string | null;
  readonly retryAfterMs: number | null;
  /** How many requests were sent for this call (1 + retries). */
  attempts = 1;
  constructor(kind: FhirUpstreamErrorKind, message: string, options: FhirUpstreamErrorOptions = {}) {
    super(kind, message, options);
    this.outcomeText = options.outcomeText ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * A body that does not have the shape the profiles promise (the mapping found it): an upstream fault of kind
 * `malformed`, like ORD's, never a TypeError deep in a resolver.
 */
export class FhirMalformedError extends FhirUpstreamError {
  constructor(what: string, endpoint: FhirEndpoint | null = null) {
    super('malformed', `ODT resource malformed: ${what}`, { endpoint });
  }
}

/**
 * ODT refused the request (400 HAPI-0524/1940, 405, 422). Never retried: the same request gets the same answer.
 * `issueCode` is the OperationOutcome issue code (`processing`, `too-costly`, …). A 422 `too-costly` (the 10 MB APIM
 * limit, or an expansion over 50,000) is a rejection too, not an outage: the caller must ask for less (smaller _count).
 */
export class FhirRejectedError extends SourceRejectedError {
  readonly issueCode: string | null;
  constructor(status: number, text: string, issueCode: string | null, endpoint: FhirEndpoint | null) {
    super(status, text, endpoint);
    this.message = `ODT rejected the request (${status}): ${text}`;
    this.issueCode = issueCode;
  }
  get tooCostly(): boolean {
    return this.issueCode === 'too-costly';
  }
}

/** 404 (HAPI-2001 "Resource … is not known", or `$lookup`'s `not-found`): a read adapter answers null with it. */
export class FhirNotFoundError extends SourceError {
  readonly outcomeText: string;
  constructor(outcomeText: string, endpoint: FhirEndpoint | null) {
    super(`ODT: not found: ${outcomeText}`, endpoint);
    this.outcomeText = outcomeText;
  }
}

function isOutcome(body: unknown): body is OperationOutcome {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'OperationOutcome' &&
    Array.isArray((body as { issue?: unknown }).issue)
  );
}

/** The most specific human text of an OperationOutcome: diagnostics, else details text, else a coding display. */
export function outcomeText(body: unknown): string | null {
  if (!isOutcome(body)) return null;
  const issue = body.issue[0];
  if (issue === undefined) return null;
  return (
    issue.diagnostics ??
    issue.details?.text ??
    issue.details?.coding?.[0]?.display ??
    issue.details?.coding?.[0]?.code ??
    issue.code
  );
}

/**
 * The typed error for a non-2xx ODT response. `body` is the parsed JSON (or undefined when it was not JSON); the
 * status decides the class, the OperationOutcome only supplies text and issue code, since the bodies are not
 * uniform (HAPI says `processing` for a 404; the guide's `not-found` appears only in Ontoserver bodies).
 */
export function fhirErrorFromResponse(
  status: number,
  body: unknown,
  endpoint: FhirEndpoint | null = null,
  retryAfterMs: number | null = null,
): FhirRejectedError | FhirNotFoundError | FhirUpstreamError {
  const text = outcomeText(body);
  const issueCode = isOutcome(body) ? (body.issue[0]?.code ?? null) : null;
  if (status === 404) return new FhirNotFoundError(text ?? 'HTTP 404', endpoint);
  if (status === 401 || status === 403)
    return new FhirUpstreamError('unauthorized', `ODT refused the API key (${status}): ${text ?? 'no body'}`, {
      endpoint,
      status,
      outcomeText: text,
    });
  if (status === 429)
    // The 429 body comes from APIM's shared flow and is not recorded; only the status is relied on.
    return new FhirUpstreamError('rate_limited', `ODT rate limit exceeded (429)`, {
      endpoint,
      status,
      outcomeText: text,
      retryAfterMs,
    });
  if (status >= 400 && status < 500)
    return new FhirRejectedError(status, text ?? `HTTP ${status}`, issueCode, endpoint);
  return new FhirUpstreamError('http_status', `ODT answered HTTP ${status}${text === null ? '' : `: ${text}`}`, {
    endpoint,
    status,
    outcomeText: text,
  });
}

/** Refused before anything was sent: e.g. an ODS code that could escape the URL path. */
export class FhirInvalidArgumentError extends SourceInvalidArgumentError {
  constructor(argument: string, value: unknown, reason: string, endpoint: FhirEndpoint | null = null) {
    super(argument, value, reason, endpoint);
  }
}

/**
 * Every ODT call is a safe read (GETs, and `$expand`, a POST that changes nothing), so transient failures are retried:
 * network errors, timeouts, malformed or cut-short bodies, 5xx and 429 (honouring Retry-After). Not retried: 401 (the
 * key will not fix itself), 404, 400/422 rejections, and anything that is not a FhirUpstreamError.
 */
export function isRetryable(error: unknown): error is FhirUpstreamError {
  if (!(error instanceof FhirUpstreamError)) return false;
  if (error.kind === 'unauthorized' || error.kind === 'circuit_open') return false;
  if ((error.kind === 'http_status' || error.kind === 'html') && error.status !== null && error.status < 500)
    return false;
  return true;
}

export const fhirRetryPolicy: RetryPolicy<FhirUpstreamError> = {
  isRetryable,
  retryAfterMs: (error) => error.retryAfterMs,
  noteAttempts: (error, attempts) => {
    if (error instanceof FhirUpstreamError) error.attempts = attempts;
  },
};
