// What one caller (one GraphQL operation) may spend upstream, how urgent it is, and when it must give up.
// Carried implicitly with AsyncLocalStorage, so the client enforces it without every layer passing it along.

import { AsyncLocalStorage } from 'node:async_hooks';
import { UpstreamBudgetExceededError } from './errors.js';

/** Interactive callers (people in GraphiQL, apps) go before bulk walks; see gate.ts for the share. */
export type UpstreamPriority = 'interactive' | 'bulk';

/** Whose calls those made outside any operation are (the change-feed poller, /ready): one client like any other. */
export const UNATTRIBUTED_CLIENT = 'server';

export interface UpstreamScopeOptions {
  /** Most upstream calls (retries not counted) this scope may reserve; default unlimited. */
  budget?: number;
  priority?: UpstreamPriority;
  /**
   * Aborts waiting and in-flight upstream requests of this scope (e.g. a per-request deadline). Given as a function, it is
   * made the first time something asks for it, so an operation that never goes upstream never pays for one.
   */
  signal?: AbortSignal | (() => AbortSignal);
  /** For logs: the request this scope belongs to. */
  requestId?: string;
  /**
   * Who the calls are for (an API key's label or the client's address, src/server/plugins/clientIdentity.ts): the gate
   * queues each client's calls apart and serves clients in turn. Default UNATTRIBUTED_CLIENT.
   */
  client?: string;
}

export class UpstreamScope {
  readonly budget: number;
  readonly priority: UpstreamPriority;
  readonly requestId: string | undefined;
  /** Whose calls these are (the gate serves clients in turn). */
  readonly client: string;
  /** Upstream calls that got past the gate and were sent so far in this scope, per endpoint (retries not counted). */
  readonly startedByEndpoint = new Map<string, number>();
  /** Cached answers served past their TTL because upstream failed: the response says so (`extensions.stale`). */
  readonly staleNotices: StaleNoticeEntry[] = [];
  private spentTotal = 0;
  private startedTotal = 0;
  private signalOrMaker: AbortSignal | (() => AbortSignal) | undefined;

  constructor(options: UpstreamScopeOptions = {}) {
    this.budget = options.budget ?? Number.POSITIVE_INFINITY;
    this.priority = options.priority ?? 'interactive';
    this.signalOrMaker = options.signal;
    this.requestId = options.requestId;
    this.client = options.client ?? UNATTRIBUTED_CLIENT;
  }

  get signal(): AbortSignal | undefined {
    if (typeof this.signalOrMaker === 'function') this.signalOrMaker = this.signalOrMaker();
    return this.signalOrMaker;
  }

  /** Calls reserved against the budget: started, waiting at the gate, or abandoned there (e.g. at the deadline). */
  get spent(): number {
    return this.spentTotal;
  }

  /** Calls actually sent upstream (what `extensions.upstream.calls` reports): a call abandoned while queued is not one. */
  get started(): number {
    return this.startedTotal;
  }

  /**
   * Reserves one upstream call before it queues; refuses it (nothing is sent) once the budget is used up. The
   * reservation is kept even if the call never starts, so the budget bounds what an operation can put in the queue.
   */
  spend(endpoint: string): void {
    if (this.spentTotal >= this.budget) throw new UpstreamBudgetExceededError(this.budget, this.spentTotal, endpoint);
    this.spentTotal++;
  }

  /** Records that a reserved call got its start from the gate and is being sent (once per call, not per retry). */
  noteStarted(endpoint: string): void {
    this.startedTotal++;
    this.startedByEndpoint.set(endpoint, (this.startedByEndpoint.get(endpoint) ?? 0) + 1);
  }

  /** Records that stale data went into this scope's answer (once per key: the oldest age wins). */
  noteStale(key: string, ageMs: number): void {
    const ageSeconds = Math.max(0, Math.round(ageMs / 1000));
    const known = this.staleNotices.find((n) => n.key === key);
    if (known) known.ageSeconds = Math.max(known.ageSeconds, ageSeconds);
    else this.staleNotices.push({ key, ageSeconds });
  }
}

/** One entry of `extensions.stale`: which data (e.g. "organisation RWR") and how old it is. */
export interface StaleNoticeEntry {
  key: string;
  ageSeconds: number;
}

const storage = new AsyncLocalStorage<UpstreamScope>();

/** Runs `fn` (and everything it starts asynchronously) inside `scope`. */
export function runInUpstreamScope<T>(scope: UpstreamScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the current async context, if any (none: unlimited, interactive). */
export function currentUpstreamScope(): UpstreamScope | undefined {
  return storage.getStore();
}
