// One HTTP exchange with ORD (over src/upstream/http.ts): a GET in, a parsed answer (or null for a 404) out.
// Every other outcome becomes a typed OrdUpstreamError or OrdRejectedError here, which the retry policy then reads.

import { HttpWire, WireFailure, header, isObject, looksLikeHtml, type Headers } from '../../upstream/http.js';
import { parseRetryAfter } from '../../upstream/retry.js';
import { OrdRejectedError, OrdUpstreamError, type OrdEndpoint } from './errors.js';

export interface OrdAnswer {
  status: number;
  headers: Headers;
  /** The parsed body: parsing happens inside the attempt, so a malformed body is retried like any transient failure. */
  json: unknown;
}

export interface OrdTransportOptions {
  /** ORD's base URL (ending in a slash): the Pool connects to its origin. */
  base: URL;
  /** Connections kept to ORD: the most requests in flight. */
  connections: number;
  /** Timeout for connect, response headers and body, each, in ms. */
  timeoutMs: number;
  /** Sent as User-Agent (default "ods-graphql"). */
  userAgent?: string;
  /** Clock for Retry-After dates. */
  now: () => number;
}

/** ORD's `errorText` from an error body, or a short excerpt when the body is not ORD's JSON. */
function errorText(text: string): string {
  try {
    const json: unknown = JSON.parse(text);
    if (isObject(json) && typeof json.errorText === 'string') return json.errorText;
  } catch {
    // not JSON: fall through to the excerpt
  }
  const excerpt = text.trim().slice(0, 200);
  return excerpt === '' ? '(empty body)' : excerpt;
}

export class OrdTransport {
  private readonly wire: HttpWire;

  constructor(private readonly options: OrdTransportOptions) {
    this.wire = new HttpWire({
      origin: options.base.origin,
      upstreamName: 'ORD',
      connections: options.connections,
      timeoutMs: options.timeoutMs,
    });
  }

  /** One request on the wire. Returns the answer for 200 (and null for an allowed 404); throws typed errors otherwise. */
  async exchange(
    endpoint: OrdEndpoint,
    url: URL,
    allowNotFound: boolean,
    callerSignal?: AbortSignal,
  ): Promise<OrdAnswer | null> {
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      ({ status, headers, text } = await this.wire.exchange({
        method: 'GET',
        path: url.pathname + url.search,
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent ?? 'ods-graphql' },
        ...(callerSignal ? { signal: callerSignal } : {}),
      }));
    } catch (error) {
      if (!(error instanceof WireFailure)) throw error;
      throw new OrdUpstreamError(error.kind, error.message, { endpoint, status: error.status, cause: error.cause });
    }
    const contentType = header(headers, 'content-type');

    if (status === 200) {
      if (looksLikeHtml(contentType, text)) {
        throw new OrdUpstreamError('html', 'ORD answered 200 with an HTML page instead of JSON', { endpoint, status });
      }
      try {
        return { status, headers, json: JSON.parse(text) as unknown };
      } catch (error) {
        throw new OrdUpstreamError('malformed', `ORD ${endpoint}: unparseable JSON (${text.length} chars)`, {
          endpoint,
          status,
          cause: error,
        });
      }
    }
    if (status === 404 && allowNotFound) return null;
    if (status === 406) {
      throw new OrdRejectedError(status, errorText(text), endpoint);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headers['retry-after'], this.options.now());
      throw new OrdUpstreamError('rate_limited', 'ORD answered 429 Too Many Requests', {
        endpoint,
        status,
        retryAfterMs,
      });
    }
    const kind = looksLikeHtml(contentType, text) ? 'html' : 'http_status';
    const detail = kind === 'html' ? 'an HTML error page' : errorText(text);
    throw new OrdUpstreamError(kind, `ORD answered ${status}: ${detail}`, { endpoint, status });
  }

  /** Lets in-flight requests finish (each bounded by the timeouts), then closes the keep-alive connections. */
  close(): Promise<void> {
    return this.wire.close();
  }
}
