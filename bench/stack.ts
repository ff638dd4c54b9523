// Shared benchmark plumbing: one ods-graphql built by the composition root (src/app.ts) and served on loopback HTTP,
// posts GraphQL over keep-alive HTTP, and offers small helpers (free ports, pauses, percentiles, the paced settings).

import { spawn, type ChildProcess } from 'node:child_process';
import type { RequestListener } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { appSettingsFromEnv, createApp, type App, type AppSettings } from '../src/app.js';
import { FHIR_DEFAULT_SETTINGS } from '../src/sources/fhir/settings.js';
import { exampleOperations } from '../src/server/examples.js';
import { serve, type ServedApp } from '../src/server/serve.js';
import { GRAPHQL_PATH } from '../src/server/yoga.js';
import type { StartOptions } from '../src/simulators/ord/server.js';
import type { RequestLogEntry } from '../src/simulators/ord/types.js';
import type { CachedOrganisationSource } from '../src/cache/cachedSource.js';

/** ORD's published guidance: about five requests a second. Every paced suite holds ods-graphql to it. */
export const ORD_RATE_LIMIT = 5;
/** Per-call latency the paced suites add in the simulator, roughly what ORD shows from a UK network. */
export const ORD_LATENCY_MS = 150;

export interface StackOptions {
  ordBaseUrl: string;
  /** Serve SOURCE=fhir from the ODT (simulator) at this base URL, paced and bounded like ORD; ORD when omitted. */
  fhirBaseUrl?: string;
  rateLimit?: number;
  maxConcurrency?: number;
  /** MAX_UPSTREAM_CALLS_PER_OPERATION; the project default when omitted. */
  maxUpstreamCallsPerOperation?: number;
}

export interface BenchStack {
  app: App;
  /** The shared cache (the bench always runs with it on). */
  cache: CachedOrganisationSource;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** POSTs one GraphQL operation; throws when the answer is not 200 or carries errors. */
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Like graphql, with the response's `extensions` (e.g. `upstream: { estimate, calls, budget, priority }`). */
  graphqlWithExtensions<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer<T>>;
  close(): Promise<void>;
}

export interface GraphqlAnswer<T> {
  data: T;
  extensions: Record<string, unknown> | undefined;
}

/** The settings the bench runs ods-graphql with: the project's defaults (not this shell's environment) with ORD (or ODT) pointed at a simulator. */
export function benchSettings(options: StackOptions): AppSettings {
  const defaults = appSettingsFromEnv({});
  const policy = {
    rateLimit: options.rateLimit ?? ORD_RATE_LIMIT,
    ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
  };
  return {
    ord: { ...defaults.ord, baseUrl: options.ordBaseUrl, ...policy },
    ...(options.fhirBaseUrl !== undefined
      ? { source: 'fhir' as const, fhir: { ...FHIR_DEFAULT_SETTINGS, baseUrl: options.fhirBaseUrl, ...policy } }
      : {}),
    cache: defaults.cache,
    changeFeed: defaults.changeFeed,
    budget: {
      ...defaults.budget,
      ...(options.maxUpstreamCallsPerOperation !== undefined ? { limit: options.maxUpstreamCallsPerOperation } : {}),
    },
    // Off: every suite drives the server from one loopback client, as fast as it can (bench/fairness.ts turns them on).
    rateLimit: { requestsPerMinute: 0, upstreamCallsPerMinute: 0 },
  };
}

/** One ods-graphql as production composes it (src/app.ts createApp: client, ORD source, cache, budget), on loopback HTTP. */
export async function startStack(options: StackOptions): Promise<BenchStack> {
  const app = createApp(benchSettings(options), { exampleTabs: false });
  if (!app.cache) throw new Error('the bench needs the shared cache on');
  const served = await serveOnLoopback(app.yoga);
  const pool = new Pool(served.origin, { connections: 128, pipelining: 1 });
  return {
    app,
    cache: app.cache,
    url: served.url,
    graphql: async (query, variables) => (await postGraphql(pool, GRAPHQL_PATH, query, variables)).data as never,
    graphqlWithExtensions: (query, variables) => postGraphql(pool, GRAPHQL_PATH, query, variables),
    close: async () => {
      await pool.close();
      await served.close();
      await app.close();
    },
  };
}

/** Serves `handler` on a free loopback port, keeping idle connections 30 s (Node's default is 5 s) for the pools. */
export async function serveOnLoopback(handler: RequestListener): Promise<ServedApp> {
  const served = await serve(handler, { host: '127.0.0.1', port: 0 });
  served.server.keepAliveTimeout = 30_000;
  return served;
}

/** A free loopback port (closed again at once), for a simulator that must know its own URL before it starts. */
export async function freePort(): Promise<number> {
  const { port, close } = await serve(() => undefined, { host: '127.0.0.1', port: 0 });
  await close();
  return port;
}

export async function postGraphql<T>(
  pool: Pool,
  path: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlAnswer<T>> {
  const res = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables: variables ?? {} }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GraphQL answered HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { data?: T; errors?: { message: string }[]; extensions?: Record<string, unknown> };
  if (body.errors?.length)
    throw new Error(
      `GraphQL errors: ${body.errors
        .map((e) => e.message)
        .join('; ')
        .slice(0, 500)}`,
    );
  return { data: body.data as T, extensions: body.extensions };
}

/** The text of an example operation in schema/operations/ (the documents users run in GraphiQL). */
export function exampleOperation(name: string): string {
  const found = exampleOperations().find((op) => op.name === name);
  if (!found) throw new Error(`No example operation ${name} in schema/operations/`);
  return found.query;
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Node with the same loader flags this process runs under (tsx), so children can be TypeScript. */
export function spawnTs(file: string, arg: unknown, extraFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, ...extraFlags, file, JSON.stringify(arg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The first stdout line of a child, parsed as JSON; rejects if the child exits first or takes longer than `timeoutMs`. */
export function firstJsonLine<T>(proc: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`child gave no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before answering`));
    });
  });
}

/** Ends a child started by spawnTs: closes its stdin (children exit on that), killed after 10 s if it has not. */
export async function stopChild(proc: ChildProcess): Promise<void> {
  proc.stdin?.end();
  await new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      proc.kill();
      resolve();
    }, 10_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A simulator running in a child process, driven through its /__sim control paths. */
export interface RemoteSimulator {
  baseUrl: string;
  port: number;
  requests(): Promise<RequestLogEntry[]>;
  clearLog(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `bench/children/simulator.ts` with these startOrdSimulator options (JSON-safe ones only: no `dataset`). */
export async function startRemoteSimulator(options: Omit<StartOptions, 'dataset'>): Promise<RemoteSimulator> {
  const proc = spawnTs(fileURLToPath(new URL('./children/simulator.ts', import.meta.url)), options);
  const { baseUrl, port } = await firstJsonLine<{ baseUrl: string; port: number }>(proc, 120_000);
  const control = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  const call = async (method: 'GET' | 'DELETE', path: string): Promise<unknown> => {
    const res = await control.request({ method, path });
    const text = await res.body.text();
    if (res.statusCode !== 200)
      throw new Error(`simulator ${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  };
  return {
    baseUrl,
    port,
    requests: async () => ((await call('GET', '/__sim/log')) as { requests: RequestLogEntry[] }).requests,
    clearLog: async () => {
      await call('DELETE', '/__sim/log');
    },
    close: async () => {
      await control.close();
      await stopChild(proc);
    },
  };
}
