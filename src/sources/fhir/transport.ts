// One HTTP exchange with ODT (over src/upstream/http.ts): a request in, parsed FHIR JSON (or null for a 404) out.
// Every other outcome becomes a typed FhirUpstreamError, FhirRejectedError or FhirNotFoundError, which the retry policy reads.

import { HttpWire, WireFailure, header, looksLikeHtml, type Headers } from '../../upstream/http.js';
import { parseRetryAfter } from '../../upstream/retry.js';
import { FhirNotFoundError, FhirUpstreamError, fhirErrorFromResponse, type FhirEndpoint } from './errors.js';

export interface FhirAnswer {
  status: number;
  headers: Headers;
  /** Parsed inside the attempt, so an unparseable body is retried like any transient failure. */
  json: unknown;
}

export interface FhirTransportOptions {
  /** ODT's base URL (ending in a slash): the Pool connects to its origin. */
  base: URL;
  connections: number;
  timeoutMs: number;
  /** Sent with every request: Accept, and the `apikey` when configured (settings.ts fhirRequestHeaders). */
  headers: Record<string, string>;
  userAgent?: string;
  now: () => number;
}

export interface FhirRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** A FHIR JSON body (POST `$expand`). */
  body?: unknown;
  /** A 404 is an answer (null), not an error: reads of a code that does not exist. */
  allowNotFound: boolean;
  signal?: AbortSignal;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class FhirTransport {
  private readonly wire: HttpWire;

  constructor(private readonly options: FhirTransportOptions) {
    this.wire = new HttpWire({
      origin: options.base.origin,
      upstreamName: 'ODT',
      connections: options.connections,
      timeoutMs: options.timeoutMs,
    });
  }

  async exchange(endpoint: FhirEndpoint, request: FhirRequest): Promise<FhirAnswer | null> {
    const headers: Record<string, string> = {
      ...this.options.headers,
      'user-agent': this.options.userAgent ?? 'ods-graphql',
    };
    if (request.body !== undefined) headers['content-type'] = 'application/fhir+json';
    let answer;
    try {
      answer = await this.wire.exchange({
        method: request.method,
        path: request.url.pathname + request.url.search,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof WireFailure)) throw error;
      throw new FhirUpstreamError(error.kind, error.message, { endpoint, status: error.status, cause: error.cause });
    }
    const { status, headers: responseHeaders, text } = answer;
    const contentType = header(responseHeaders, 'content-type');
    if (looksLikeHtml(contentType, text)) {
      throw new FhirUpstreamError('html', `ODT answered ${status} with an HTML page instead of FHIR JSON`, {
        endpoint,
        status,
      });
    }
    const json = parseJson(text);
    if (status === 200) {
      if (json === undefined)
        throw new FhirUpstreamError('malformed', `ODT ${endpoint}: unparseable JSON (${text.length} chars)`, {
          endpoint,
          status,
        });
      return { status, headers: responseHeaders, json };
    }
    const retryAfterMs = status === 429 ? parseRetryAfter(responseHeaders['retry-after'], this.options.now()) : null;
    const error = fhirErrorFromResponse(status, json, endpoint, retryAfterMs);
    if (error instanceof FhirNotFoundError && request.allowNotFound) return null;
    throw error;
  }

  close(): Promise<void> {
    return this.wire.close();
  }
}
