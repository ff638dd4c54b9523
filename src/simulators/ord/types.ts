// The public face of the ORD simulator: its options, fault switches and request log.
// Tests, the demo and benchmarks drive the simulator only through these types.

import type { OrdChanges } from './notifications.js';

export type { OrdChanges, OrdOrganisationUpsert, DeletionReasonCode } from './notifications.js';

export type FaultMode =
  | 'none'
  | 'http500' // Werkzeug-style HTML 500 page
  | 'http502' // a proxy's HTML 502 page
  | 'http503' // 503 with JSON body
  | 'rate429' // 429 with Retry-After
  | 'hang' // accept the request, never answer
  | 'reset' // destroy the socket without answering
  | 'truncate' // send headers with the full Content-Length, then half the body, then close
  | 'malformed'; // 200 with a syntactically broken JSON body

export interface FaultConfig {
  /** Extra latency added before every answer, in ms. */
  latencyMs?: number;
  /** Which fault to inject. */
  mode?: FaultMode;
  /** Probability 0..1 that a request gets the fault (default 1). Deterministic: uses a seeded PRNG. */
  rate?: number;
  /** Only the first N matching requests get the fault, then it switches itself off (default: unlimited). */
  count?: number;
  /** Only requests whose path (after the base path) starts with this get the fault, e.g. "organisations/RWR". */
  pathPrefix?: string;
  /** Seconds for Retry-After in rate429 mode (default 1). */
  retryAfterSeconds?: number;
  /** Hard rate limit: beyond this many requests in any rolling one-second window, answer 429 (0 = off). */
  hardRateLimit?: number;
}

export interface SimulatorOptions {
  tier?: 'small' | 'full';
  /** The simulator's "today" (YYYY-MM-DD) for the 185-day /sync and LastChangeDate window. Default: the dataset's asOf. */
  today?: string;
  /** Base URL used in OrgLink / Next-Page links. Default: ORD's public base URL, as the real service emits. */
  linkBaseUrl?: string;
  faults?: FaultConfig;
}

export interface RequestLogEntry {
  seq: number;
  /** ms since epoch when the request arrived. */
  at: number;
  method: string;
  /** Path after `/ORD/2-0-0/`, with the raw query string, e.g. "organisations?Name=nhs". */
  path: string;
  /** "organisation" | "search" | "sync" | "notifications" | "roles" | "rels" | "recordclasses" | "other" */
  endpoint: string;
  status: number;
  /** The fault applied, if any. */
  fault: FaultMode | null;
  durationMs: number;
}

/** Extra fault setting: the seed for the PRNG behind `rate` (default 1). Re-seeded on every setFaults. */
export interface FaultConfigSeed {
  seed?: number;
}

/** Request counts since start (or the last clearLog), ORD requests only; control paths are never counted. */
export interface SimulatorCounters {
  total: number;
  /** e.g. { "organisation": 12, "search": 3 } */
  byEndpoint: Record<string, number>;
  /** e.g. { "200": 14, "406": 1 }; status 0 = no HTTP answer (hang, reset). */
  byStatus: Record<string, number>;
  /** e.g. { "search": { "200": 3 } } */
  byEndpointStatus: Record<string, Record<string, number>>;
  /** Faulted requests by mode, e.g. { "http500": 2 }; the hard rate limit counts as "rateLimit". */
  byFault: Record<string, number>;
}

export interface OrdSimulator {
  /** e.g. http://127.0.0.1:PORT/ORD/2-0-0/ (ends in a slash). */
  baseUrl: string;
  port: number;
  /** Number of organisations served (changes with applyChanges). */
  readonly organisationCount: number;
  /** The simulator's "today" (YYYY-MM-DD); applyChanges may move it. */
  readonly today: string;
  /**
   * Changes the data in process, for tests and benchmarks: a new today, records created or replaced (LastChangeDate =
   * the new today unless given), codes deleted (then 404, and listed by /notifications with time = today).
   */
  applyChanges(changes: OrdChanges): void;
  /** A copy of the request log (oldest first). */
  requests(): RequestLogEntry[];
  /** Empties the request log and resets the counters. */
  clearLog(): void;
  counters(): SimulatorCounters;
  /** Replaces the fault configuration (not a merge). */
  setFaults(f: FaultConfig & FaultConfigSeed): void;
  clearFaults(): void;
  /** The fault configuration now in force (count-limited faults show what is left). */
  faults(): FaultConfig & FaultConfigSeed;
  close(): Promise<void>;
}
