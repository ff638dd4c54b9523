// One HTTP exchange over a keep-alive undici Pool, for any wire adapter: a request in, status + headers + text out.
// Transport failures become a WireFailure (timeout, network, malformed); each adapter's transport turns it into its own error.

import { Pool } from 'undici';

/** Largest body read (ORD's 185-day sync list is a few MB, an ODT page of 1000 records ~4 MB); beyond it, malformed. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'AbortError',
  'TimeoutError',
  'ETIMEDOUT',
]);

export type Headers = Record<string, string | string[] | undefined>;

/** What came back, whatever the status: the adapter decides what a status means. */
export interface WireAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export type WireFailureKind = 'timeout' | 'network' | 'malformed';

/** The exchange itself failed: no usable answer arrived. `message` is written for the adapter to put in its error. */
export class WireFailure extends Error {
  constructor(
    readonly kind: WireFailureKind,
    message: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WireFailure';
  }
}

export interface HttpWireOptions {
  /** The upstream's origin (scheme, host, port): the Pool connects there. */
  origin: string;
  /** Who is spoken to, in messages ("ORD", "ODT"). */
  upstreamName: string;
  /** Connections kept: the most requests in flight. */
  connections: number;
  /** Timeout for connect, response headers and body, each, in ms; twice this caps one whole exchange. */
  timeoutMs: number;
}

export interface WireRequest {
  method: 'GET' | 'POST';
  /** Path and query, already checked and encoded by the adapter. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function looksLikeHtml(contentType: string | undefined, text: string): boolean {
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

export class HttpWire {
  private readonly pool: Pool;

  constructor(private readonly options: HttpWireOptions) {
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** One request on the wire; resolves with any status, rejects only with a WireFailure. */
  async exchange(request: WireRequest): Promise<WireAnswer> {
    // Overall deadline for one attempt: headers and body each get timeoutMs from undici; this caps the sum.
    const timeout = AbortSignal.timeout(this.options.timeoutMs * 2);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        path: request.path,
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal,
      });
    } catch (error) {
      throw this.failure(error, 'before the answer');
    }
    const text = await this.readBody(response);
    return { status: response.statusCode, headers: response.headers, text };
  }

  /** Lets in-flight requests finish (each bounded by the timeouts), then closes the keep-alive connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private failure(error: unknown, when: string): WireFailure {
    if (error instanceof WireFailure) return error;
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    const name = this.options.upstreamName;
    if (TIMEOUT_CODES.has(code))
      return new WireFailure('timeout', `${name} timed out ${when} (${code})`, null, { cause: error });
    if (code.startsWith('HPE_'))
      return new WireFailure('malformed', `${name} spoke broken HTTP ${when} (${code})`, null, { cause: error });
    return new WireFailure('network', `network failure ${when} (${code}: ${message})`, null, { cause: error });
  }

  /** Reads the whole body; a cut connection or a Content-Length mismatch is a malformed answer, a stall a timeout. */
  private async readBody(response: Awaited<ReturnType<Pool['request']>>): Promise<string> {
    const status = response.statusCode;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        size += buffer.length;
        if (size > MAX_BODY_BYTES) {
          response.body.destroy();
          throw new WireFailure('malformed', `answer larger than ${MAX_BODY_BYTES} bytes`, status);
        }
        chunks.push(buffer);
      }
    } catch (error) {
      if (error instanceof WireFailure) throw error;
      const code = errorCode(error);
      if (TIMEOUT_CODES.has(code)) throw this.failure(error, 'while reading the body');
      throw new WireFailure('malformed', `answer cut short after ${size} bytes (${code})`, status, { cause: error });
    }
    const declared = header(response.headers, 'content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) !== size) {
      throw new WireFailure('malformed', `Content-Length ${declared} but ${size} bytes arrived`, status);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }
}
