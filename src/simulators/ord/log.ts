// The ORD simulator's request log and counters: one entry per ORD request (control paths excluded).
// Tests count upstream calls through this, so every answered, faulted or dropped request is recorded exactly once.

import type { FaultMode, RequestLogEntry, SimulatorCounters } from './types.js';

/** Oldest entries are dropped beyond this, so a simulator left running in CI cannot grow without bound; counters keep counting. */
export const DEFAULT_LOG_LIMIT = 100_000;

interface LogInput {
  at: number;
  method: string;
  path: string;
  endpoint: string;
  status: number;
  /** A fault mode, or "rateLimit" for the hard rate limit (logged as fault "rate429"). */
  fault: FaultMode | 'rateLimit' | null;
  durationMs: number;
}

function emptyCounters(): SimulatorCounters {
  return { total: 0, byEndpoint: {}, byStatus: {}, byEndpointStatus: {}, byFault: {} };
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private head = 0; // index of the oldest live entry; a cheap ring without shifting
  private seq = 0;
  private count: SimulatorCounters = emptyCounters();

  constructor(private readonly limit = DEFAULT_LOG_LIMIT) {}

  add(e: LogInput): RequestLogEntry {
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      at: e.at,
      method: e.method,
      path: e.path,
      endpoint: e.endpoint,
      status: e.status,
      fault: e.fault === 'rateLimit' ? 'rate429' : e.fault,
      durationMs: e.durationMs,
    };
    this.entries.push(entry);
    if (this.entries.length - this.head > this.limit) {
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
    }
    const c = this.count;
    const status = String(e.status);
    c.total++;
    c.byEndpoint[e.endpoint] = (c.byEndpoint[e.endpoint] ?? 0) + 1;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    const perEndpoint = (c.byEndpointStatus[e.endpoint] ??= {});
    perEndpoint[status] = (perEndpoint[status] ?? 0) + 1;
    if (e.fault) c.byFault[e.fault] = (c.byFault[e.fault] ?? 0) + 1;
    return entry;
  }

  requests(): RequestLogEntry[] {
    return this.entries.slice(this.head).map((e) => ({ ...e }));
  }

  counters(): SimulatorCounters {
    return structuredClone(this.count);
  }

  /** Empties the log and resets the counters; `seq` keeps rising so entries stay unique across clears. */
  clear(): void {
    this.entries = [];
    this.head = 0;
    this.count = emptyCounters();
  }
}
