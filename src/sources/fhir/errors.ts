// Typed outcomes of an ODT error response: HAPI, Ontoserver and the APIM proxy all answer with an OperationOutcome.
// Each class extends the source-level vocabulary (src/sources/errors.ts), so layers above switch on meaning, not FHIR.

import { SourceError, SourceRejectedError, SourceUnavailableError } from '../errors.js';
import type { OperationOutcome } from './types.js';

/** Which ODT interaction a request was for (the adapter's counters and logs key on it). */
export type FhirEndpoint = 'organization' | 'organization-search' | 'affiliation-search' | 'lookup' | 'expand' | 'list';

/**
 * How ODT failed: `unauthorized` (401/403: a missing or wrong `apikey`, a deployment fault rather than the caller's),
 * `rate_limited` (429), `http_status` (5xx or an unexpected status), `malformed` (a body that is not what FHIR promises).
 */
export type FhirUpstreamErrorKind = 'unauthorized' | 'rate_limited' | 'http_status' | 'malformed';

export class FhirUpstreamError extends SourceUnavailableError {
  declare readonly kind: FhirUpstreamErrorKind;
  /** The OperationOutcome's own text, when there was one. */
  readonly outcomeText: string | null;
  constructor(
    kind: FhirUpstreamErrorKind,
    message: string,
    options: { endpoint?: FhirEndpoint | null; status?: number | null; outcomeText?: string | null } = {},
  ) {
    super(kind, message, options);
    this.outcomeText = options.outcomeText ?? null;
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
    });
  if (status >= 400 && status < 500)
    return new FhirRejectedError(status, text ?? `HTTP ${status}`, issueCode, endpoint);
  return new FhirUpstreamError('http_status', `ODT answered HTTP ${status}${text === null ? '' : `: ${text}`}`, {
    endpoint,
    status,
    outcomeText: text,
  });
}
