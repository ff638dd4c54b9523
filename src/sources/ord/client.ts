// The ORD wire client: ORD's endpoints, each a safe URL (query.ts) sent through the upstream call policy (circuit,
// budget, retries, gate: src/upstream/call.ts) over one HTTP exchange (transport.ts), returning raw ORD JSON.
// Everything that can go wrong surfaces as OrdRejectedError, OrdUpstreamError or OrdInvalidArgumentError (errors.ts).

import type { CircuitBreaker } from '../../upstream/circuit.js';
import { UpstreamCaller } from '../../upstream/call.js';
import { UpstreamCounters, type CounterSnapshot } from '../../upstream/counters.js';
import type { UpstreamGate } from '../../upstream/gate.js';
import type { Pacer } from '../../upstream/pacer.js';
import type { RetryInfo } from '../../upstream/retry.js';
import {
  ORD_ENDPOINTS,
  ORD_UPSTREAM_ERROR_KINDS,
  OrdInvalidArgumentError,
  OrdRejectedError,
  OrdUpstreamError,
  ordRetryPolicy,
  type OrdEndpoint,
  type OrdUpstreamErrorKind,
} from './errors.js';
import { ORD_CODE_PATTERN, checkCode, resolveUnder, searchQuery, syncQuery } from './query.js';
import type { OrdClientSettings } from './settings.js';
import { header, isObject } from '../../upstream/http.js';
import { OrdTransport, type OrdAnswer } from './transport.js';
import type {
  OrdDeletedOrganisation,
  OrdOrganisation,
  OrdRecordClass,
  OrdRelType,
  OrdRoleType,
  OrdSearchParams,
  OrdSummary,
} from './types.js';

/**
 * `attempts`: requests actually sent (retries included). Then one per call: `ok`, `not_found`, `rejected` (406),
 * `invalid_argument` (nothing sent) or `upstream_error` (+ `upstream_<kind>`). `retried`: one per retry wait.
 */
export type OrdOutcome =
  | 'attempts'
  | 'ok'
  | 'not_found'
  | 'rejected'
  | 'invalid_argument'
  | 'upstream_error'
  | 'retried'
  | `upstream_${OrdUpstreamErrorKind}`;

const ORD_OUTCOMES: readonly OrdOutcome[] = [
  'attempts',
  'ok',
  'not_found',
  'rejected',
  'invalid_argument',
  'upstream_error',
  'retried',
  ...ORD_UPSTREAM_ERROR_KINDS.map((k) => `upstream_${k}` as const),
];

export type OrdCounterSnapshot = CounterSnapshot<OrdEndpoint, OrdOutcome>;

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
  /** Overrides settings.pacerGuardMs (whose default is DEFAULT_UPSTREAM_SETTINGS.pacerGuardMs). */
  pacerGuardMs?: number;
  /** A rate limiter to share (see UpstreamCallerOptions.pacer); default one of the client's own. */
  pacer?: Pacer;
  /** Called before each retry wait (logging, tests). */
  onRetry?: (info: RetryInfo<OrdUpstreamError> & { endpoint: OrdEndpoint }) => void;
  userAgent?: string;
  /** Told when the circuit breaker changes state (logging). */
  onCircuitChange?: (from: string, to: string) => void;
}

export interface OrdSearchResult {
  rows: OrdSummary[];
  /** ORD's X-Total-Count: matches for the whole search, not this page. */
  totalCount: number;
}

export class OrdClient {
  readonly settings: Readonly<OrdClientSettings>;
  readonly counters = new UpstreamCounters(ORD_ENDPOINTS, ORD_OUTCOMES);
  readonly pacer: Pacer;
  /** Concurrency cap + pacer, served interactive-first (see gate.ts). */
  readonly gate: UpstreamGate;
  /** Fails calls fast after consecutive upstream failures (see circuit.ts); its state feeds /ready. */
  readonly circuit: CircuitBreaker;
  private readonly base: URL;
  private readonly caller: UpstreamCaller<OrdEndpoint, OrdOutcome, OrdUpstreamError>;
  private readonly transport: OrdTransport;

  constructor(settings: OrdClientSettings, options: OrdClientOptions = {}) {
    const baseUrl = settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`;
    this.settings = Object.freeze({ ...settings, baseUrl });
    this.base = new URL(baseUrl);
    const now = options.now ?? (() => Date.now());
    this.caller = new UpstreamCaller({
      settings: { ...settings, pacerGuardMs: options.pacerGuardMs ?? settings.pacerGuardMs },
      ...(options.pacer ? { pacer: options.pacer } : {}),
      counters: this.counters,
      outcomes: {
        attempt: 'attempts',
        retried: 'retried',
        failure: (error) => {
          if (error instanceof OrdRejectedError) return ['rejected'];
          if (error instanceof OrdUpstreamError) return ['upstream_error', `upstream_${error.kind}`];
          return [];
        },
      },
      retryPolicy: ordRetryPolicy,
      // 404/406 are answers; only ORD's own failures count against it, not the caller giving up or the circuit itself.
      isAnswer: (error) => error instanceof OrdRejectedError,
      isFailure: (error) => error instanceof OrdUpstreamError && error.kind !== 'circuit_open',
      circuitOpenError: (endpoint) =>
        new OrdUpstreamError('circuit_open', 'ORD has failed repeatedly; calls are refused until the circuit resets', {
          endpoint,
        }),
      closedError: (endpoint) => new OrdUpstreamError('network', 'ORD client is closed', { endpoint }),
      now,
      sleep: options.sleep,
      random: options.random,
      backoff: {
        baseDelayMs: options.baseDelayMs,
        maxDelayMs: options.maxDelayMs,
        maxRetryAfterMs: options.maxRetryAfterMs,
      },
      onRetry: options.onRetry,
      onCircuitChange: options.onCircuitChange,
    });
    this.pacer = this.caller.pacer;
    this.gate = this.caller.gate;
    this.circuit = this.caller.circuit;
    this.transport = new OrdTransport({
      base: this.base,
      connections: settings.maxConcurrency,
      timeoutMs: settings.timeoutMs,
      userAgent: options.userAgent,
      now,
    });
  }

  // ---------------------------------------------------------------------------------------------- endpoints

  /** `GET organisations/{code}`; null when ORD answers 404. */
  async fetchOrganisation(code: string): Promise<OrdOrganisation | null> {
    const endpoint: OrdEndpoint = 'organisation';
    const answer = await this.call(endpoint, () => `organisations/${checkCode('code', code, endpoint)}`, true);
    if (answer === null) return null;
    const org = isObject(answer.json) ? answer.json.Organisation : undefined;
    if (!isObject(org)) throw this.malformed(endpoint, 'no "Organisation" object in the answer');
    this.counters.increment(endpoint, 'ok');
    return org as unknown as OrdOrganisation;
  }

  /** One page of `GET organisations?…`. Sends Limit always (ORD_DEFAULT_LIMIT when not given); Offset 0 is omitted. */
  async searchOrganisations(params: OrdSearchParams): Promise<OrdSearchResult> {
    const endpoint: OrdEndpoint = 'search';
    const path = () => `organisations?${searchQuery(params, endpoint)}`;
    const answer = (await this.call(endpoint, path, false)) as OrdAnswer;
    const rows = isObject(answer.json) ? answer.json.Organisations : undefined;
    if (!Array.isArray(rows) || !rows.every(isObject))
      throw this.malformed(endpoint, 'no "Organisations" list in the answer');
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
    const path = () => `sync?${syncQuery(lastChangeDate, endpoint)}`;
    const answer = (await this.call(endpoint, path, false)) as OrdAnswer;
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

  /**
   * `GET notifications` (no parameters): the organisations ORD deleted from publication in the last 185 days, as
   * ORD sends them (the shapes are checked by map.ts's toDeletedOrganisation).
   */
  async fetchNotifications(): Promise<OrdDeletedOrganisation[]> {
    const endpoint: OrdEndpoint = 'notifications';
    const answer = (await this.call(endpoint, () => 'notifications', false)) as OrdAnswer;
    const items = isObject(answer.json) ? answer.json.DeletedOrganisations : undefined;
    if (!Array.isArray(items) || !items.every(isObject))
      throw this.malformed(endpoint, 'no "DeletedOrganisations" list in the answer');
    this.counters.increment(endpoint, 'ok');
    return items as unknown as OrdDeletedOrganisation[];
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
    if (this.caller.closed) return;
    this.caller.close();
    await this.transport.close();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private async codeList<T>(endpoint: OrdEndpoint, key: string, path: string): Promise<T[]> {
    const answer = (await this.call(endpoint, () => path, false)) as OrdAnswer;
    const items = isObject(answer.json) ? answer.json[key] : undefined;
    if (!Array.isArray(items) || !items.every(isObject))
      throw this.malformed(endpoint, `no "${key}" list in the answer`);
    this.counters.increment(endpoint, 'ok');
    return items as T[];
  }

  private async codeOne<T>(endpoint: OrdEndpoint, key: string, id: string): Promise<T | null> {
    const answer = await this.call(endpoint, () => `${endpoint}/${checkCode('id', id, endpoint)}`, true);
    if (answer === null) return null;
    const items = isObject(answer.json) ? answer.json[key] : undefined;
    if (!Array.isArray(items) || !items.every(isObject))
      throw this.malformed(endpoint, `no "${key}" list in the answer`);
    this.counters.increment(endpoint, 'ok');
    return (items[0] as T | undefined) ?? null;
  }

  /**
   * The one path every request takes: build and check the URL (a refused argument is counted and sent nowhere),
   * then the call pipeline around one exchange. Counts `not_found`; the caller counts `ok` after its shape checks.
   */
  private async call(endpoint: OrdEndpoint, relative: () => string, allowNotFound: boolean): Promise<OrdAnswer | null> {
    let url: URL;
    try {
      url = resolveUnder(this.base, relative(), endpoint);
    } catch (error) {
      if (error instanceof OrdInvalidArgumentError) this.counters.increment(endpoint, 'invalid_argument');
      throw error;
    }
    const exchange = (signal: AbortSignal | undefined) => this.transport.exchange(endpoint, url, allowNotFound, signal);
    const answer = await this.caller.call(endpoint, exchange);
    if (answer === null) this.counters.increment(endpoint, 'not_found');
    return answer;
  }

  /** A 200 whose JSON has the wrong shape: final (not retried: the same bytes would come back), counted here. */
  private malformed(endpoint: OrdEndpoint, message: string): OrdUpstreamError {
    this.counters.increment(endpoint, 'upstream_error');
    this.counters.increment(endpoint, 'upstream_malformed');
    return new OrdUpstreamError('malformed', `ORD ${endpoint}: ${message}`, { endpoint });
  }
}
