// The whole stack for GraphQL tests, over real HTTP: a simulator (ORD's, or ODT's for SOURCE=fhir) → createApp (client,
// source, optional cache, budget) → node:http. Tests post GraphQL to it and count upstream calls from the simulator's log.

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { OrdDataset } from '../../src/dataset/types.js';
import { createApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { BudgetSettings } from '../../src/server/plugins/budget.js';
import type { HardeningSettings } from '../../src/server/plugins/hardening.js';
import type { GraphiqlSettings } from '../../src/server/plugins/graphiql.js';
import type { ClientIdentitySettings } from '../../src/server/plugins/clientIdentity.js';
import type { RateLimitSettings } from '../../src/server/plugins/rateLimit.js';
import type { ResponseBoundsSettings } from '../../src/server/plugins/responseBounds.js';
import type { OrdClientSettings } from '../../src/sources/ord/settings.js';
import { serve } from '../../src/server/serve.js';
import type { OrdClient } from '../../src/sources/ord/client.js';
import { startOrdSimulator } from '../../src/simulators/ord/server.js';
import type { OrdSimulator, RequestLogEntry } from '../../src/simulators/ord/types.js';
import { startOdtSimulator, type OdtSimulator } from '../../src/simulators/odt/server.js';
import type { CachedOrganisationSource } from '../../src/cache/cachedSource.js';
import type { OrganisationSource } from '../../src/sources/types.js';
import { loadDataset } from '../../src/dataset/build.js';
import { MirrorOrganisationSource } from '../../src/sources/mirror/source.js';
import { fillFromDataset, freshMirror, type MirrorEngineUnderTest } from './mirror.js';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; argumentName?: string; [key: string]: unknown };
  }[];
  extensions?: Record<string, any>;
}

export interface Stack {
  /** The ORD simulator (always started; with SOURCE=fhir nothing calls it). */
  sim: OrdSimulator;
  /** The ODT simulator serving the same dataset, with `source: 'fhir'`; else null. */
  odt: OdtSimulator | null;
  client: OrdClient;
  app: App;
  /** What the schema reads: the shared cache when `cache` is on, else the plain ORD source. */
  source: OrganisationSource;
  /** The shared cache (null unless the stack was started with `cache: true`). */
  cache: CachedOrganisationSource | null;
  /** e.g. http://127.0.0.1:PORT/graphql */
  url: string;
  /** Posts one GraphQL operation (a string or a typed document) over HTTP and returns the parsed JSON body. */
  gql<TData = Record<string, any>, TVars = Record<string, unknown>>(
    query: string | TypedDocumentNode<TData, TVars> | DocumentNode,
    variables?: TVars,
  ): Promise<GraphQLResponse<TData>>;
  /** Upstream calls (ORD's, or ODT's with `fhir`) logged since the last clearLog, optionally of one endpoint. */
  calls(endpoint?: string): RequestLogEntry[];
  /** Forgets the upstream calls logged so far (on whichever simulator the source calls). */
  clearLog(): void;
  close(): Promise<void>;
}

/** Which source the stack's server answers from: ORD, ODT (SOURCE=fhir) or a mirror of the same dataset on an engine. */
export type StackSource = 'ord' | 'fhir' | `mirror-${MirrorEngineUnderTest}`;

export interface StackOptions {
  /** Default `ord`. A mirror is filled with the simulator's own dataset, so answers can be compared with ORD's. */
  source?: StackSource;
  /** With a mirror: MIRROR_MAX_AGE_HOURS (default ten years, so the 2026-03-01 dataset stays ready). */
  mirrorMaxAgeHours?: number;
  tier?: 'small' | 'full';
  /** Serve this dataset instead of a tier. */
  dataset?: OrdDataset;
  maxRetries?: number;
  timeoutMs?: number;
  /**
   * A fresh shared cache for this stack (default false: no cache across requests, so every test can count the ORD calls
   * of its own query whatever ran before it).
   */
  cache?: boolean;
  /** Overrides of the per-operation budget (limit, bulk threshold, deadline). */
  budget?: Partial<BudgetSettings>;
  /** ORD calls per second allowed by the client (default 1000: the simulator is local). */
  rateLimit?: number;
  /** The simulator's "today" (default the dataset's asOf). */
  today?: string;
  /** Clock, logger and other createApp overrides. */
  app?: AppOverrides;
  /** Further ORD client settings (e.g. the circuit breaker's ORD_CIRCUIT_FAILURES / ORD_CIRCUIT_RESET_SECONDS). */
  ord?: Partial<OrdClientSettings>;
  /** Hardening settings (limits, CORS); the defaults when omitted. */
  hardening?: Partial<HardeningSettings>;
  /** GraphiQL on or off; on when omitted. */
  graphiql?: Partial<GraphiqlSettings>;
  /** API keys, header, trusted proxies; the defaults (clients told apart by address) when omitted. */
  clientIdentity?: Partial<ClientIdentitySettings>;
  /**
   * Per-client limits. Default off (0): a test file sends everything from one loopback client, so the production
   * defaults would measure the test's pace, not the code under test.
   */
  inboundLimits?: Partial<RateLimitSettings>;
  /** MAX_RESPONSE_BYTES / MAX_RESULT_OBJECTS; the defaults when omitted. */
  responseBounds?: Partial<ResponseBoundsSettings>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startOrdSimulator({
    port: 0,
    ...(options.dataset ? { dataset: options.dataset } : { tier: options.tier ?? 'small' }),
    ...(options.today ? { today: options.today } : {}),
  });
  const defaults = loadConfig({});
  const sourceKind = options.source ?? 'ord';
  const odt =
    sourceKind === 'fhir'
      ? await startOdtSimulator({
          port: 0,
          ...(options.dataset ? { dataset: options.dataset } : { tier: options.tier ?? 'small' }),
          ...(options.today ? { today: options.today } : {}),
        })
      : null;
  let mirror: Awaited<ReturnType<typeof freshMirror>> | undefined;
  let mirrorSource: MirrorOrganisationSource | undefined;
  if (sourceKind.startsWith('mirror-')) {
    mirror = await freshMirror(sourceKind === 'mirror-postgres' ? 'postgres' : 'sqlite');
    await fillFromDataset(mirror.store, options.dataset ?? loadDataset(options.tier ?? 'small'));
    mirrorSource = await MirrorOrganisationSource.open(mirror.store);
  }
  const app = createApp(
    {
      source: sourceKind === 'ord' || sourceKind === 'fhir' ? sourceKind : 'mirror',
      mirror: {
        ...defaults.mirror,
        url: mirror?.url ?? defaults.mirror.url,
        maxAgeHours: options.mirrorMaxAgeHours ?? 24 * 365 * 10,
      },
      ord: {
        baseUrl: sim.baseUrl,
        rateLimit: options.rateLimit ?? 1000,
        maxConcurrency: 16,
        timeoutMs: options.timeoutMs ?? 2_000,
        maxRetries: options.maxRetries ?? 0,
        // Off unless a test asks (options.ord): fault tests expect each failure's own kind, never circuit_open.
        circuitFailures: 0,
        ...options.ord,
      },
      fhir: {
        ...defaults.fhir,
        baseUrl: odt?.baseUrl ?? defaults.fhir.baseUrl,
        rateLimit: options.rateLimit ?? 1000,
        maxConcurrency: 16,
        timeoutMs: options.timeoutMs ?? 2_000,
        maxRetries: options.maxRetries ?? 0,
        circuitFailures: 0,
      },
      cache: { ...defaults.cache, cacheMaxBytes: options.cache ? defaults.cache.cacheMaxBytes : 0 },
      changeFeed: defaults.changeFeed,
      budget: { ...defaults.budget, ...options.budget },
      ...(options.hardening ? { hardening: options.hardening } : {}),
      ...(options.graphiql ? { graphiql: options.graphiql } : {}),
      clientIdentity: { ...defaults.clientIdentity, ...options.clientIdentity },
      rateLimit: { requestsPerMinute: 0, upstreamCallsPerMinute: 0, ...options.inboundLimits },
      ...(options.responseBounds ? { responseBounds: options.responseBounds } : {}),
    },
    {
      clientOptions: { baseDelayMs: 5, maxDelayMs: 20, pacerGuardMs: 0 },
      today: () => (odt ?? sim).today,
      ...(mirror && mirrorSource ? { mirror: { store: mirror.store, source: mirrorSource } } : {}),
      ...options.app,
    },
  );
  const { client, source } = app;
  const served = await serve(app.yoga, { host: '127.0.0.1', port: 0 });
  const { url } = served;

  const gql: Stack['gql'] = async (query, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query as DocumentNode), variables }),
    });
    const body = (await response.json()) as GraphQLResponse<never>;
    return { ...body, status: response.status };
  };

  const log = (): RequestLogEntry[] => (odt ?? sim).requests();
  return {
    sim,
    odt,
    client,
    app,
    source,
    cache: app.cache,
    url,
    gql,
    calls: (endpoint) => log().filter((r) => endpoint === undefined || r.endpoint === endpoint),
    clearLog: () => (odt ?? sim).clearLog(),
    close: async () => {
      await served.close();
      await app.close();
      await mirror?.close();
      await odt?.close();
      await sim.close();
    },
  };
}

/** Calls to ORD for organisation data: full-record fetches plus searches (code systems are memoised per process). */
export function dataCalls(stack: Stack): RequestLogEntry[] {
  return stack.calls().filter((r) => r.endpoint === 'organisation' || r.endpoint === 'search' || r.endpoint === 'sync');
}

/**
 * One stack for the calling test file: started before its first test, closed after its last, and the simulator's log
 * cleared before each test so every test counts only its own ORD calls. The returned object forwards to that stack.
 */
export function useStack(options: StackOptions = {}): Stack {
  let current: Stack | undefined;
  beforeAll(async () => {
    current = await startStack(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    current?.sim.clearLog();
    current?.odt?.clearLog();
  });
  return new Proxy({} as Stack, {
    get(_target, property) {
      if (!current) throw new Error("useStack(): the stack is only there once the file's tests run");
      const value: unknown = Reflect.get(current, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
