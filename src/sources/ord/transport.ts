// One HTTP exchange with ORD over a keep-alive undici Pool: a GET in, a parsed answer (or null for a 404) out.
// Every other outcome becomes a typed OrdUpstreamError or OrdRejectedError here, which the retry policy then reads.

import { Pool } from 'undici';
import { parseRetryAfter } from '../../upstream/retry.js';
import { OrdRejectedError, OrdUpstreamError, type OrdEndpoint } from './errors.js';

/** Largest body we read (sync lists over 185 days are a few MB); beyond this the answer is treated as malformed. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'AbortError',
  'TimeoutError',
  'ETIMEDOUT',
]);

export interface OrdAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
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

export function header(headers: OrdAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeHtml(contentType: string | undefined, text: string): boolean {
  if (contentType !== undefined && /text\/html/i.test(contentType)) return true;
  const start = text.trimStart().slice(0, 15).toLowerCase();
  return start.startsWith('<!doctype') || start.startsWith('<html');
}

function errorCode(error: unknown): string {
  if (isObject(error) || error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
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

function transportError(endpoint: OrdEndpoint, error: unknown, when: string): OrdUpstreamError {
  if (error instanceof OrdUpstreamError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (TIMEOUT_CODES.has(code)) {
    return new OrdUpstreamError('timeout', `ORD timed out ${when} (${code})`, { endpoint, cause: error });
  }
  if (code.startsWith('HPE_')) {
    return new OrdUpstreamError('malformed', `ORD spoke broken HTTP ${when} (${code})`, { endpoint, cause: error });
  }
  return new OrdUpstreamError('network', `network failure ${when} (${code}: ${message})`, { endpoint, cause: error });
}

export class OrdTransport {
  private readonly pool: Pool;

  constructor(private readonly options: OrdTransportOptions) {
    this.pool = new Pool(options.base.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** One request on the wire. Returns the answer for 200 (and null for an allowed 404); throws typed errors otherwise. */
  async exchange(
    endpoint: OrdEndpoint,
    url: URL,
    allowNotFound: boolean,
    callerSignal?: AbortSignal,
  ): Promise<OrdAnswer | null> {
    // Overall deadline for one attempt: headers and body each get timeoutMs from undici; this caps the sum.
    const timeout = AbortSignal.timeout(this.options.timeoutMs * 2);
    const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        path: url.pathname + url.search,
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent ?? 'ods-graphql' },
        signal,
      });
    } catch (error) {
      throw transportError(endpoint, error, 'before the answer');
    }
    const { statusCode: status, headers } = response;
    const text = await this.readBody(endpoint, response, status);
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
    return this.pool.close();
  }

  /** Reads the whole body; a cut connection or a Content-Length mismatch is a malformed answer, a stall a timeout. */
  private async readBody(
    endpoint: OrdEndpoint,
    response: Awaited<ReturnType<Pool['request']>>,
    status: number,
  ): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        size += buffer.length;
        if (size > MAX_BODY_BYTES) {
          response.body.destroy();
          throw new OrdUpstreamError('malformed', `answer larger than ${MAX_BODY_BYTES} bytes`, { endpoint, status });
        }
        chunks.push(buffer);
      }
    } catch (error) {
      if (error instanceof OrdUpstreamError) throw error;
      const code = errorCode(error);
      if (TIMEOUT_CODES.has(code)) throw transportError(endpoint, error, 'while reading the body');
      throw new OrdUpstreamError('malformed', `answer cut short after ${size} bytes (${code})`, {
        endpoint,
        status,
        cause: error,
      });
    }
    const declared = header(response.headers, 'content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) !== size) {
      throw new OrdUpstreamError('malformed', `Content-Length ${declared} but ${size} bytes arrived`, {
        endpoint,
        status,
      });
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }
}
