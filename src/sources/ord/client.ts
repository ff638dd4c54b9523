// The ORD wire client: builds safe URLs, sends paced/limited/retried GETs over a keep-alive undici Pool, returns raw ORD JSON.
// Everything that can go wrong surfaces as OrdRejectedError, OrdUpstreamError or OrdInvalidArgumentError (src/ord/errors.ts).

import { Pool } from 'undici';
import type { OrdClientSettings } from '../../config.js';
import { UpstreamAbortedError, abortReason } from '../../upstream/errors.js';
import { currentUpstreamScope } from '../../upstream/scope.js';
import {
  OrdInvalidArgumentError,
  OrdRejectedError,
  OrdUpstreamError,
  type OrdEndpoint,
} from './errors.js';
import { CircuitBreaker } from '../../upstream/circuit.js';
import { OrdCounters, type OrdCounterSnapshot } from '../../upstream/counters.js';
import { UpstreamGate } from '../../upstream/gate.js';
import { SlidingWindowPacer } from '../../upstream/pacer.js';
import { parseRetryAfter, withRetries, type RetryInfo } from '../../upstream/retry.js';
import type {
  OrdOrganisation,
  OrdRecordClass,
  OrdRelType,
  OrdRoleType,
  OrdSearchParams,
  OrdSummary,
} from './types.js';

/** ODS codes and code-system ids: plain ASCII alphanumerics, so they can never alter the URL path. */
export const ORD_CODE_PATTERN = /^[A-Za-z0-9]{1,12}$/;
/** ORD's own page-size ceiling. */
export const ORD_MAX_LIMIT = 1000;
/** Sent when a search caller gives no Limit: ORD's silent default of 20 is never relied upon. */
export const ORD_DEFAULT_LIMIT = ORD_MAX_LIMIT;
/** Largest body we read (sync lists over 185 days are a few MB); beyond this the answer is treated as malformed. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface OrdClientOptions {
  /** Clock for the pacer and Retry-After dates (default Date.now). */
  now?: () => number;
  /** Waits for pacing and retry backoff (default setTimeout). Tests inject one that records the waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0,1) (default Math.random). */
  random?: () => number;
  /** First backoff ceiling in ms (default 250), doubling per retry up to maxDelayMs (default 8000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Retry-After beyond this is not waited for (default 30000 ms). */
  maxRetryAfterMs?: number;
  /** Extra ms added to the pacer's one-second window to absorb arrival jitter (default 20). */
  pacerGuardMs?: number;
  /** Called before each retry wait (logging, tests). */
  onRetry?: (info: RetryInfo & { endpoint: OrdEndpoint }) => void;
  userAgent?: string;
  /** Told when the circuit breaker changes state (logging). */
  onCircuitChange?: (from: string, to: string) => void;
}

export interface OrdSearchResult {
  rows: OrdSummary[];
  /** ORD's X-Total-Count: matches for the whole search, not this page. */
  totalCount: number;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body: parsing happens inside the attempt, so a malformed body is retried like any transient failure. */
  json: unknown;
}

const SEARCH_PARAM_ORDER = [
  'Name',
  'PostCode',
  'LastChangeDate',
  'Status',
  'PrimaryRoleId',
  'NonPrimaryRoleId',
  'Roles',
  'OrgRecordClass',
  'RelTypeId',
  'TargetOrgId',
  'RelStatus',
] as const satisfies readonly (keyof OrdSearchParams)[];

function header(headers: Answer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
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

/**
 * Margin added to the rate window when no setting says otherwise. Measured: with 20 ms, a loaded event loop let 11–14
 * requests arrive within one second at a limit of 10 (soak) and a six-request span of 1,009 ms (bench).
 */
export const DEFAULT_PACER_GUARD_MS = 100;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'AbortError',
  'TimeoutError',
  'ETIMEDOUT',
]);

export class OrdClient {
  readonly settings: Readonly<OrdClientSettings>;
  readonly counters = new OrdCounters();
  readonly pacer: SlidingWindowPacer;
  private readonly pool: Pool;
  private readonly base: URL;
  /** Concurrency cap + pacer, served interactive-first (see gate.ts). */
  readonly gate: UpstreamGate;
  /** Fails calls fast after consecutive upstream failures (see circuit.ts); its state feeds /ready. */
  readonly circuit: CircuitBreaker;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly options: OrdClientOptions;
  private closed = false;

  constructor(settings: OrdClientSettings, options: OrdClientOptions = {}) {
    const baseUrl = settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`;
    this.settings = Object.freeze({ ...settings, baseUrl });
    this.base = new URL(baseUrl);
    this.options = options;
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))));
    this.random = options.random ?? Math.random;
    this.pacer = new SlidingWindowPacer({
      limit: settings.rateLimit,
      guardMs: options.pacerGuardMs ?? settings.pacerGuardMs ?? DEFAULT_PACER_GUARD_MS,
      now: this.now,
      sleep: this.sleep,
    });
    this.gate = new UpstreamGate({
      pacer: this.pacer,
      maxConcurrency: settings.maxConcurrency,
      abortError: (signal) => new UpstreamAbortedError(null, abortReason(signal)),
    });
    this.circuit = new CircuitBreaker({
      failureThreshold: settings.circuitFailures ?? 0,
      resetMs: (settings.circuitResetSeconds ?? 30) * 1000,
      now: this.now,
      onStateChange: options.onCircuitChange,
    });
    this.pool = new Pool(this.base.origin, {
      connections: settings.maxConcurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: settings.timeoutMs },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  }

  // ---------------------------------------------------------------------------------------------- endpoints

  /** `GET organisations/{code}`; null when ORD answers 404. */
  async fetchOrganisation(code: string): Promise<OrdOrganisation | null> {
    const endpoint: OrdEndpoint = 'organisation';
    this.checkCode('code', code, endpoint);
    const answer = await this.callRaw(endpoint, `organisations/${code}`, true);
    if (answer === null) return null;
    const org = isObject(answer.json) ? answer.json.Organisation : undefined;
    if (!isObject(org)) throw this.malformed(endpoint, 'no "Organisation" object in the answer');
    this.counters.increment(endpoint, 'ok');
    return org as unknown as OrdOrganisation;
  }

  /** One page of `GET organisations?…`. Sends Limit always (ORD_DEFAULT_LIMIT when not given); Offset 0 is omitted. */
  async searchOrganisations(params: OrdSearchParams): Promise<OrdSearchResult> {
    const endpoint: OrdEndpoint = 'search';
    const query = this.searchQuery(params, endpoint);
    const answer = (await this.callRaw(endpoint, `organisations?${query}`, false)) as Answer;
    const rows = isObject(answer.json) ? answer.json.Organisations : undefined;
    if (!Array.isArray(rows) || !rows.every(isObject)) throw this.malformed(endpoint, 'no "Organisations" list in the answer');
    const totalHeader = header(answer.headers, 'x-total-count');
    let totalCount: number;
    if (totalHeader !== undefined && /^\d+$/.test(totalHeader.trim())) {
      totalCount = Number(totalHeader.trim());
    } else if (totalHeader === undefined) {
      // ORD always sends X-Total-Count; if a proxy drops it, what we can prove is "at least what we've seen".
      totalCount = (params.Offset ?? 0) + rows.length;
    } else {
      throw this.malformed(endpoint, `unreadable X-Total-Count "${totalHeader}"`);
    }
    this.counters.increment(endpoint, 'ok');
    return { rows: rows as unknown as OrdSummary[], totalCount };
  }

  /** `GET sync?LastChangeDate=…`: the ODS codes of records changed on or after the date, in ORD's order. */
  async fetchSync(lastChangeDate: string): Promise<string[]> {
    const endpoint: OrdEndpoint = 'sync';
    if (typeof lastChangeDate !== 'string') {
      this.counters.increment(endpoint, 'invalid_argument');
      throw new OrdInvalidArgumentError('LastChangeDate', lastChangeDate, 'must be a string', endpoint);
    }
    const answer = (await this.callRaw(endpoint, `sync?LastChangeDate=${encodeURIComponent(lastChangeDate)}`, false)) as Answer;
    const items = isObject(answer.json) ? answer.json.Organisations : undefined;
    if (!Array.isArray(items)) throw this.malformed(endpoint, 'no "Organisations" list in the answer');
    const codes = items.map((item) => {
      const link = isObject(item) ? item.OrgLink : undefined;
      const code = typeof link === 'string' ? /\/organisations\/([^/?#]+)(?:[?#].*)?$/.exec(link)?.[1] : undefined;
      if (code === undefined || !ORD_CODE_PATTERN.test(code)) {
        throw this.malformed(endpoint, `unreadable OrgLink ${JSON.stringify(link)}`);
      }
      return code.toUpperCase();
    });
    this.counters.increment(endpoint, 'ok');
    return codes;
  }

  fetchRoleTypes(): Promise<OrdRoleType[]> {
    return this.codeList<OrdRoleType>('roles', 'Roles', 'roles');
  }
  async fetchRoleType(id: string): Promise<OrdRoleType | null> {
    return this.codeOne<OrdRoleType>('roles', 'Roles', id);
  }
  fetchRelationshipTypes(): Promise<OrdRelType[]> {
    return this.codeList<OrdRelType>('rels', 'Relationships', 'rels');
  }
  fetchRelationshipType(id: string): Promise<OrdRelType | null> {
    return this.codeOne<OrdRelType>('rels', 'Relationships', id);
  }
  fetchRecordClasses(): Promise<OrdRecordClass[]> {
    return this.codeList<OrdRecordClass>('recordclasses', 'RecordClasses', 'recordclasses');
  }
  fetchRecordClass(id: string): Promise<OrdRecordClass | null> {
    return this.codeOne<OrdRecordClass>('recordclasses', 'RecordClasses', id);
  }

  /** Counts per endpoint and outcome, as plain data. */
  snapshot(): OrdCounterSnapshot {
    return this.counters.snapshot();
  }

  /** Lets in-flight requests finish (each bounded by the timeouts), then closes the keep-alive connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private async codeList<T>(endpoint: OrdEndpoint, key: string, path: string): Promise<T[]> {
    const answer = (await this.callRaw(endpoint, path, false)) as Answer;
    const items = isObject(answer.json) ? answer.json[key] : undefined;
    if (!Array.isArray(items) || !items.every(isObject)) throw this.malformed(endpoint, `no "${key}" list in the answer`);
    this.counters.increment(endpoint, 'ok');
    return items as T[];
  }

  private async codeOne<T>(endpoint: OrdEndpoint, key: string, id: string): Promise<T | null> {
    this.checkCode('id', id, endpoint);
    const answer = await this.callRaw(endpoint, `${endpoint}/${id}`, true);
    if (answer === null) return null;
    const items = isObject(answer.json) ? answer.json[key] : undefined;
    if (!Array.isArray(items) || !items.every(isObject)) throw this.malformed(endpoint, `no "${key}" list in the answer`);
    this.counters.increment(endpoint, 'ok');
    return (items[0] as T | undefined) ?? null;
  }

  private checkCode(argument: string, value: unknown, endpoint: OrdEndpoint): asserts value is string {
    if (typeof value !== 'string' || !ORD_CODE_PATTERN.test(value)) {
      this.counters.increment(endpoint, 'invalid_argument');
      throw new OrdInvalidArgumentError(argument, value, 'must be 1 to 12 ASCII letters or digits', endpoint);
    }
  }

  private searchQuery(params: OrdSearchParams, endpoint: OrdEndpoint): string {
    const parts: string[] = [];
    const invalid = (argument: string, value: unknown, reason: string): never => {
      this.counters.increment(endpoint, 'invalid_argument');
      throw new OrdInvalidArgumentError(argument, value, reason, endpoint);
    };
    for (const name of SEARCH_PARAM_ORDER) {
      const value = params[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        if (value.length === 0) continue;
        // Items are comma-joined on the wire, so an item must not carry its own comma (or anything but an id).
        for (const item of value) {
          if (typeof item !== 'string' || !ORD_CODE_PATTERN.test(item)) invalid(name, item, 'each item must be an ODS id');
        }
        parts.push(`${name}=${value.map(encodeURIComponent).join(',')}`);
      } else {
        if (typeof value !== 'string') invalid(name, value, 'must be a string');
        parts.push(`${name}=${encodeURIComponent(value as string)}`);
      }
    }
    const limit = params.Limit ?? ORD_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > ORD_MAX_LIMIT) invalid('Limit', limit, `must be 1..${ORD_MAX_LIMIT}`);
    parts.push(`Limit=${limit}`);
    const offset = params.Offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) invalid('Offset', offset, 'must be a whole number >= 0');
    // ORD refuses Offset=0 ("must be greater than 1"); skipping zero rows is the same as sending no Offset.
    if (offset > 0) parts.push(`Offset=${offset}`);
    return parts.join('&');
  }

  /**
   * The one path every request takes: URL check → concurrency slot → pacer → send → classify, with retries around
   * the whole attempt. Counts the final outcome (except `ok`, which the caller counts after its shape checks).
   */
  private async callRaw(endpoint: OrdEndpoint, relative: string, allowNotFound: boolean): Promise<Answer | null> {
    const url = this.resolve(relative, endpoint);
    const scope = currentUpstreamScope();
    let token: { probe: boolean } | null = null;
    const circuitOpen = () =>
      new OrdUpstreamError('circuit_open', 'ORD has failed repeatedly; calls are refused until the circuit resets', { endpoint });
    try {
      // An open circuit refuses before anything is spent or queued.
      token = this.circuit.tryAcquire();
      if (token === null) throw circuitOpen();
      const probe = token.probe;
      // The caller's budget counts calls, not attempts: a retry is our choice, not the caller's spending.
      scope?.spend(endpoint);
      const answer = await withRetries(
        () =>
          this.gate.run(
            scope?.priority ?? 'interactive',
            async () => {
              if (this.closed) throw new OrdUpstreamError('network', 'ORD client is closed', { endpoint });
              // The circuit may have opened while this call queued for a slot: do not add to the pile.
              if (!probe && this.circuit.state === 'open') throw circuitOpen();
              try {
                return await this.attempt(endpoint, url, allowNotFound, scope?.signal);
              } catch (error) {
                // The caller gave up (deadline): not ORD's fault, and not worth a retry.
                if (scope?.signal?.aborted) throw new UpstreamAbortedError(endpoint, abortReason(scope.signal));
                throw error;
              }
            },
            scope?.signal,
          ),
        {
          maxRetries: this.settings.maxRetries,
          baseDelayMs: this.options.baseDelayMs,
          maxDelayMs: this.options.maxDelayMs,
          maxRetryAfterMs: this.options.maxRetryAfterMs,
          random: this.random,
          // A backoff or Retry-After wait must not outlive the caller's deadline either.
          sleep: scope?.signal ? (ms) => this.sleepUnlessAborted(ms, scope.signal!, endpoint) : this.sleep,
          onRetry: (info) => {
            this.counters.increment(endpoint, 'retried');
            // A 429's Retry-After applies to us as a whole, not just this request.
            if (info.fromRetryAfter) this.pacer.pauseUntil(this.now() + info.delayMs);
            this.options.onRetry?.({ ...info, endpoint });
          },
        },
      );
      if (answer === null) this.counters.increment(endpoint, 'not_found');
      this.circuit.success(token);
      return answer;
    } catch (error) {
      if (token !== null) {
        // 404/406 are answers; only ORD's own failures count against it, not the caller giving up or the circuit itself.
        if (error instanceof OrdRejectedError) this.circuit.success(token);
        else if (error instanceof OrdUpstreamError && error.kind !== 'circuit_open') this.circuit.failure(token);
        else this.circuit.release(token);
      }
      if (error instanceof OrdRejectedError) {
        this.counters.increment(endpoint, 'rejected');
      } else if (error instanceof OrdUpstreamError) {
        this.counters.increment(endpoint, 'upstream_error');
        this.counters.increment(endpoint, `upstream_${error.kind}`);
      }
      throw error;
    }
  }

  /** `sleep`, cut short by `signal` (as UpstreamAbortedError, which is not retried). */
  private sleepUnlessAborted(ms: number, signal: AbortSignal, endpoint: OrdEndpoint): Promise<void> {
    const aborted = () => new UpstreamAbortedError(endpoint, abortReason(signal));
    if (signal.aborted) return Promise.reject(aborted());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleep(ms).then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  private resolve(relative: string, endpoint: OrdEndpoint): URL {
    const url = new URL(relative, this.base);
    // Defence in depth: codes are already checked, but nothing may ever leave the base path.
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      this.counters.increment(endpoint, 'invalid_argument');
      throw new OrdInvalidArgumentError('path', relative, 'resolves outside the ORD base URL', endpoint);
    }
    return url;
  }

  /** One request on the wire. Returns the answer for 200 (and null for an allowed 404); throws typed errors otherwise. */
  private async attempt(
    endpoint: OrdEndpoint,
    url: URL,
    allowNotFound: boolean,
    callerSignal?: AbortSignal,
  ): Promise<Answer | null> {
    this.counters.increment(endpoint, 'attempts');
    // Overall deadline for one attempt: headers and body each get timeoutMs from undici; this caps the sum.
    const timeout = AbortSignal.timeout(this.settings.timeoutMs * 2);
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
      throw this.transportError(endpoint, error, 'before the answer');
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
      throw new OrdRejectedError(status, this.errorText(text), endpoint);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headers['retry-after'], this.now());
      throw new OrdUpstreamError('rate_limited', 'ORD answered 429 Too Many Requests', { endpoint, status, retryAfterMs });
    }
    const kind = looksLikeHtml(contentType, text) ? 'html' : 'http_status';
    const detail = kind === 'html' ? 'an HTML error page' : this.errorText(text);
    throw new OrdUpstreamError(kind, `ORD answered ${status}: ${detail}`, { endpoint, status });
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
      if (TIMEOUT_CODES.has(code)) throw this.transportError(endpoint, error, 'while reading the body');
      throw new OrdUpstreamError('malformed', `answer cut short after ${size} bytes (${code})`, {
        endpoint,
        status,
        cause: error,
      });
    }
    const declared = header(response.headers, 'content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) !== size) {
      throw new OrdUpstreamError('malformed', `Content-Length ${declared} but ${size} bytes arrived`, { endpoint, status });
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }

  private transportError(endpoint: OrdEndpoint, error: unknown, when: string): OrdUpstreamError {
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

  /** ORD's `errorText` from an error body, or a short excerpt when the body is not ORD's JSON. */
  private errorText(text: string): string {
    try {
      const json: unknown = JSON.parse(text);
      if (isObject(json) && typeof json.errorText === 'string') return json.errorText;
    } catch {
      // not JSON: fall through to the excerpt
    }
    const excerpt = text.trim().slice(0, 200);
    return excerpt === '' ? '(empty body)' : excerpt;
  }

  /** A 200 whose JSON has the wrong shape: final (not retried: the same bytes would come back), counted here. */
  private malformed(endpoint: OrdEndpoint, message: string): OrdUpstreamError {
    this.counters.increment(endpoint, 'upstream_error');
    this.counters.increment(endpoint, 'upstream_malformed');
    return new OrdUpstreamError('malformed', `ORD ${endpoint}: ${message}`, { endpoint });
  }
}
