// The ODT wire client: ODT's interactions (docs/odt-wire.md), each a checked URL (query.ts) sent through the upstream
// call policy (circuit, budget, retries, gate: src/upstream/call.ts) over one exchange (transport.ts), returning FHIR JSON.

import type { CircuitBreaker } from '../../upstream/circuit.js';
import { UpstreamCaller } from '../../upstream/call.js';
import { UpstreamCounters, type CounterSnapshot } from '../../upstream/counters.js';
import type { UpstreamGate } from '../../upstream/gate.js';
import { isObject } from '../../upstream/http.js';
import type { Pacer } from '../../upstream/pacer.js';
import type { RetryInfo } from '../../upstream/retry.js';
import {
  FHIR_ENDPOINTS,
  FHIR_UPSTREAM_ERROR_KINDS,
  FhirInvalidArgumentError,
  FhirMalformedError,
  FhirRejectedError,
  FhirUpstreamError,
  fhirRetryPolicy,
  type FhirEndpoint,
  type FhirUpstreamErrorKind,
} from './errors.js';
import { ODS_CODE_SYSTEM } from './map.js';
import { checkCode, nextPagePath, queryString, resolveUnder, type FhirParam } from './query.js';
import { fhirRequestHeaders, type FhirClientSettings } from './settings.js';
import { FhirTransport } from './transport.js';
import type { Bundle, BundleEntry, List, Organization, Parameters, Resource, ValueSet } from './types.js';

/** Like the ORD client's outcomes: `attempts` sent, then one per call, `retried` per retry wait. */
export type FhirOutcome =
  | 'attempts'
  | 'ok'
  | 'not_found'
  | 'rejected'
  | 'invalid_argument'
  | 'upstream_error'
  | 'retried'
  | `upstream_${FhirUpstreamErrorKind}`;

const FHIR_OUTCOMES: readonly FhirOutcome[] = [
  'attempts',
  'ok',
  'not_found',
  'rejected',
  'invalid_argument',
  'upstream_error',
  'retried',
  ...FHIR_UPSTREAM_ERROR_KINDS.map((k) => `upstream_${k}` as const),
];

export type FhirCounterSnapshot = CounterSnapshot<FhirEndpoint, FhirOutcome>;

export interface FhirClientOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  pacerGuardMs?: number;
  /** A rate limiter to share (see UpstreamCallerOptions.pacer); default one of the client's own. */
  pacer?: Pacer;
  onRetry?: (info: RetryInfo<FhirUpstreamError> & { endpoint: FhirEndpoint }) => void;
  userAgent?: string;
  onCircuitChange?: (from: string, to: string) => void;
}

/** Every page of one search: the matches and the `_include`d resources, in answer order, and how many calls it took. */
export interface FhirSearchResult {
  matches: Resource[];
  included: Resource[];
  pages: number;
}

function entriesOf(bundle: Bundle, mode: 'match' | 'include'): Resource[] {
  return (bundle.entry ?? [])
    .filter((e: BundleEntry) => (e.search?.mode ?? 'match') === mode)
    .map((e) => e.resource)
    .filter((r): r is Resource => r !== undefined);
}

export class FhirClient {
  readonly settings: Readonly<FhirClientSettings>;
  readonly counters = new UpstreamCounters(FHIR_ENDPOINTS, FHIR_OUTCOMES);
  readonly pacer: Pacer;
  readonly gate: UpstreamGate;
  readonly circuit: CircuitBreaker;
  private readonly base: URL;
  private readonly caller: UpstreamCaller<FhirEndpoint, FhirOutcome, FhirUpstreamError>;
  private readonly transport: FhirTransport;

  constructor(settings: FhirClientSettings, options: FhirClientOptions = {}) {
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
          if (error instanceof FhirRejectedError) return ['rejected'];
          if (error instanceof FhirUpstreamError) return ['upstream_error', `upstream_${error.kind}`];
          return [];
        },
      },
      retryPolicy: fhirRetryPolicy,
      // Rejections and not-founds are ODT's answers; only its own failures count against it.
      isAnswer: (error) => error instanceof FhirRejectedError,
      isFailure: (error) =>
        error instanceof FhirUpstreamError && error.kind !== 'circuit_open' && error.kind !== 'unauthorized',
      circuitOpenError: (endpoint) =>
        new FhirUpstreamError('circuit_open', 'ODT has failed repeatedly; calls are refused until the circuit resets', {
          endpoint,
        }),
      closedError: (endpoint) => new FhirUpstreamError('network', 'ODT client is closed', { endpoint }),
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
    this.transport = new FhirTransport({
      base: this.base,
      connections: settings.maxConcurrency,
      timeoutMs: settings.timeoutMs,
      headers: fhirRequestHeaders(settings),
      userAgent: options.userAgent,
      now,
    });
  }

  // ---------------------------------------------------------------------------------------------- interactions

  /** `GET Organization/{code}`; null when ODT answers 404. */
  async readOrganization(code: string): Promise<Organization | null> {
    const endpoint: FhirEndpoint = 'organization';
    const json = await this.get(endpoint, () => `Organization/${checkCode('code', code, endpoint)}`, true);
    if (json === null) return null;
    return this.ok(endpoint, this.resource<Organization>(endpoint, json, 'Organization'));
  }

  /**
   * Every page of a search (`Organization` or `OrganizationAffiliation`), following `next` links, at most `maxPages`
   * pages: a search still going after that is refused (FhirRejectedError too-costly) rather than silently cut short.
   */
  async searchAll(
    endpoint: 'organization-search' | 'affiliation-search',
    resourceType: 'Organization' | 'OrganizationAffiliation',
    params: readonly FhirParam[],
    maxPages: number,
  ): Promise<FhirSearchResult> {
    const result: FhirSearchResult = { matches: [], included: [], pages: 0 };
    let path: string | null = `${resourceType}?${queryString(params)}`;
    while (path !== null) {
      if (result.pages === maxPages) {
        throw new FhirRejectedError(
          422,
          `the search needs more than ${maxPages} pages of ${resourceType} (FHIR_MAX_SEARCH_PAGES); narrow it, or serve from the local mirror (SOURCE=mirror)`,
          'too-costly',
          endpoint,
        );
      }
      const page = await this.searchPage(endpoint, resourceType, path);
      result.pages++;
      result.matches.push(...page.matches);
      result.included.push(...page.included);
      path = page.next;
    }
    return result;
  }

  /**
   * One page of a search: `path` is `{resourceType}?{query}` (a first page, or a `next` link re-rooted by
   * nextPagePath). `next` is the following page's path, null on the last page.
   */
  async searchPage(
    endpoint: 'organization-search' | 'affiliation-search',
    resourceType: 'Organization' | 'OrganizationAffiliation',
    path: string,
  ): Promise<{ matches: Resource[]; included: Resource[]; total: number | null; next: string | null }> {
    if (!path.startsWith(`${resourceType}?`))
      throw new FhirInvalidArgumentError('page', path, `is not a ${resourceType} search`, endpoint);
    const json = await this.get(endpoint, () => path, false);
    const bundle = this.resource<Bundle>(endpoint, json, 'Bundle');
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    this.counters.increment(endpoint, 'ok');
    return {
      matches: entriesOf(bundle, 'match'),
      included: entriesOf(bundle, 'include'),
      total: bundle.total ?? null,
      next: next === undefined ? null : nextPagePath(next, resourceType, endpoint),
    };
  }

  /** `GET CodeSystem/$lookup` of one ODS code (`property=*`); null when the code system does not hold it. */
  async lookupOrganisationCode(code: string): Promise<Parameters | null> {
    const endpoint: FhirEndpoint = 'lookup';
    const json = await this.get(
      endpoint,
      () =>
        `CodeSystem/$lookup?${queryString([
          ['system', ODS_CODE_SYSTEM],
          ['code', checkCode('code', code, endpoint)],
          ['property', '*'],
        ])}`,
      true,
    );
    if (json === null) return null;
    return this.ok(endpoint, this.resource<Parameters>(endpoint, json, 'Parameters'));
  }

  /** `POST ValueSet/$expand` with a Parameters body (docs/odt-wire.md). */
  async expand(parameters: Parameters): Promise<ValueSet> {
    const endpoint: FhirEndpoint = 'expand';
    const json = await this.send(endpoint, 'POST', () => 'ValueSet/$expand', parameters, false);
    return this.ok(endpoint, this.resource<ValueSet>(endpoint, json, 'ValueSet'));
  }

  /** `GET List/{id}` (a deletion list); null when ODT has no such list. */
  async readList(id: string): Promise<List | null> {
    const endpoint: FhirEndpoint = 'list';
    if (!/^[A-Za-z-]{1,64}$/.test(id)) throw new FhirInvalidArgumentError('id', id, 'must be a List id', endpoint);
    const json = await this.get(endpoint, () => `List/${id}`, true);
    if (json === null) return null;
    return this.ok(endpoint, this.resource<List>(endpoint, json, 'List'));
  }

  snapshot(): FhirCounterSnapshot {
    return this.counters.snapshot();
  }

  async close(): Promise<void> {
    if (this.caller.closed) return;
    this.caller.close();
    await this.transport.close();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private ok<T>(endpoint: FhirEndpoint, value: T): T {
    this.counters.increment(endpoint, 'ok');
    return value;
  }

  /** The JSON as a resource of `resourceType`, or a malformed-answer failure (counted, not retried). */
  private resource<T>(endpoint: FhirEndpoint, json: unknown, resourceType: string): T {
    if (!isObject(json) || json.resourceType !== resourceType) {
      this.counters.increment(endpoint, 'upstream_error');
      this.counters.increment(endpoint, 'upstream_malformed');
      const got = isObject(json) ? String(json.resourceType) : typeof json;
      throw new FhirMalformedError(`expected a ${resourceType}, got ${got}`, endpoint);
    }
    return json as T;
  }

  private get(endpoint: FhirEndpoint, relative: () => string, allowNotFound: boolean): Promise<unknown> {
    return this.send(endpoint, 'GET', relative, undefined, allowNotFound);
  }

  /** The one path every request takes: check the URL (a refusal is counted and sent nowhere), then the pipeline. */
  private async send(
    endpoint: FhirEndpoint,
    method: 'GET' | 'POST',
    relative: () => string,
    body: unknown,
    allowNotFound: boolean,
  ): Promise<unknown> {
    let url: URL;
    try {
      url = resolveUnder(this.base, relative(), endpoint);
    } catch (error) {
      if (error instanceof FhirInvalidArgumentError) this.counters.increment(endpoint, 'invalid_argument');
      throw error;
    }
    const answer = await this.caller.call(endpoint, (signal) =>
      this.transport.exchange(endpoint, {
        method,
        url,
        ...(body !== undefined ? { body } : {}),
        allowNotFound,
        ...(signal ? { signal } : {}),
      }),
    );
    if (answer === null) {
      this.counters.increment(endpoint, 'not_found');
      return null;
    }
    return answer.json;
  }
}
