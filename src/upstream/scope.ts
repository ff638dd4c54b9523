// What one caller (one GraphQL operation) may spend upstream, how urgent it is, and when it must give up.
// Carried implicitly with AsyncLocalStorage, so the client enforces it without every layer passing it along.

import { AsyncLocalStorage } from 'node:async_hooks';
import { UpstreamBudgetExceededError } from './errors.js';

/** Interactive callers (people in GraphiQL, apps) go before bulk walks; see gate.ts for the share. */
export type UpstreamPriority = 'interactive' | 'bulk';

/** Whose calls those made outside any operation are (the change-feed poller, /ready): one client like any other. */
export const UNATTRIBUTED_CLIENT = 'server';

export interface UpstreamScopeOptions {
  /** Most upstream requests (retries not counted) this scope may start; default unlimited. */
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
  readonly client: string;
  /** Upstream requests started so far in this scope, per endpoint. */
  readonly spentByEndpoint = new Map<string, number>();
  /** Cached answers served past their TTL because upstream failed: the response says so (`extensions.stale`). */
  readonly staleNotices: StaleNoticeEntry[] = [];
  private spentTotal = 0;
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

  get spent(): number {
    return this.spentTotal;
  }

  /** Records one upstream request about to start; refuses it (nothing is sent) once the budget is used up. */
  spend(endpoint: string): void {
    if (this.spentTotal >= this.budget) throw new UpstreamBudgetExceededError(this.budget, this.spentTotal, endpoint);
    this.spentTotal++;
    this.spentByEndpoint.set(endpoint, (this.spentByEndpoint.get(endpoint) ?? 0) + 1);
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
