// The one gate every upstream request passes: a concurrency cap and the rate pacer, served by priority, then by client.
// People before bulk (`interactivePerBulk` interactive starts per bulk start); inside each lane, clients take turns.

import { UpstreamQueueFullError } from './errors.js';
import type { Pacer } from './pacer.js';
import { UNATTRIBUTED_CLIENT, type UpstreamPriority } from './scope.js';

interface Waiter {
  client: string;
  /** Lets the waiter start, with its pacer start's timestamp. */
  grant: (start: number) => void;
  fail: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * One priority lane: a FIFO per client, and the clients in turn. The Map's insertion order is the rotation: the client
 * served goes to the back (deleted and set again) while it still has waiters, so each of K waiting clients gets one
 * start in every K, however many calls any one of them queued.
 */
class FairLane {
  private readonly queues = new Map<string, Waiter[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get clients(): number {
    return this.queues.size;
  }

  queuedBy(client: string): number {
    return this.queues.get(client)?.length ?? 0;
  }

  push(waiter: Waiter): void {
    const queue = this.queues.get(waiter.client);
    if (queue) queue.push(waiter);
    else this.queues.set(waiter.client, [waiter]);
    this.count++;
  }

  /** The first waiter of the client whose turn it is; that client moves to the back of the rotation. */
  shift(): Waiter | undefined {
    for (const [client, queue] of this.queues) {
      const waiter = queue.shift();
      this.queues.delete(client);
      if (queue.length > 0) this.queues.set(client, queue);
      if (waiter) {
        this.count--;
        return waiter;
      }
    }
    return undefined;
  }

  /** Takes `waiter` out wherever it is (its signal aborted); false when it had already left. */
  remove(waiter: Waiter): boolean {
    const queue = this.queues.get(waiter.client);
    const at = queue ? queue.indexOf(waiter) : -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(waiter.client);
    this.count--;
    return true;
  }
}

export interface UpstreamGateOptions {
  pacer: Pacer;
  maxConcurrency: number;
  /**
   * While both lanes wait, how many interactive starts come before one bulk start (default 4: at 5/s, a bulk walk
   * keeps 1 call a second and people get the other 4; when either lane is idle the other gets all 5).
   */
  interactivePerBulk?: number;
  /**
   * Most calls one client may have waiting (both lanes together); one more is refused at once with
   * UpstreamQueueFullError. Default unlimited (UpstreamSettings.maxQueuedPerClient sets it for the ORD client).
   */
  maxQueuedPerClient?: number;
  /** Builds the error a waiter gets when its signal aborts before it starts. */
  abortError?: (signal: AbortSignal) => unknown;
}

export interface GateStats {
  inFlight: number;
  waiting: Record<UpstreamPriority, number>;
  /** Distinct clients with calls waiting, per lane. */
  waitingClients: Record<UpstreamPriority, number>;
  started: Record<UpstreamPriority, number>;
}

/**
 * How an upstream's calls a second are shared (here at a rate of 5). Every attempt (retries too) needs a concurrency
 * slot (UpstreamSettings.maxConcurrency) and then a start from the pacer (UpstreamSettings.rateLimit per second). The
 * gate takes each pacer start *before* choosing who gets it, so the choice is made when the slot opens, not when a
 * request arrived:
 * - only interactive operations waiting, or only bulk ones: that lane gets all 5 starts a second;
 * - both waiting: 4 interactive starts, then 1 bulk, repeating; so people get 4 calls a second and a bulk walk
 *   (an operation whose estimate exceeds UPSTREAM_BULK_THRESHOLD, or the change-feed poller) keeps 1 and never starves;
 * - inside a lane, clients (UpstreamScope.client: an API key or an address) take turns, one start each, and each
 *   client's own calls go in arrival order: a client with 300 calls queued delays another client's single call by at
 *   most one start of its own, not by 300;
 * - a client with `maxQueuedPerClient` calls waiting is refused more at once (UpstreamQueueFullError), not queued;
 * - a waiter whose operation's deadline passes leaves the queue without taking a start.
 * test/gate.test.ts checks each of these with a fake pacer clock.
 */
export class UpstreamGate {
  private readonly pacer: Pacer;
  private readonly maxConcurrency: number;
  private readonly interactivePerBulk: number;
  private readonly maxQueuedPerClient: number;
  private readonly abortError: (signal: AbortSignal) => unknown;
  private readonly lanes: Record<UpstreamPriority, FairLane> = { interactive: new FairLane(), bulk: new FairLane() };
  private readonly started: Record<UpstreamPriority, number> = { interactive: 0, bulk: 0 };
  private inFlight = 0;
  private interactiveStreak = 0;
  private pumping = false;

  constructor(options: UpstreamGateOptions) {
    this.pacer = options.pacer;
    this.maxConcurrency = options.maxConcurrency;
    this.interactivePerBulk = options.interactivePerBulk ?? 4;
    this.maxQueuedPerClient = options.maxQueuedPerClient ?? Number.POSITIVE_INFINITY;
    this.abortError = options.abortError ?? ((signal) => signal.reason);
  }

  /**
   * Runs `task` once a concurrency slot and a rate slot are free and it is this lane's and this client's turn.
   * `client` is whose call it is (default: one shared client, as for calls made outside any operation).
   */
  async run<T>(
    priority: UpstreamPriority,
    task: () => Promise<T>,
    signal?: AbortSignal,
    client: string = UNATTRIBUTED_CLIENT,
  ): Promise<T> {
    const start = await this.admit(priority, client, signal);
    // The start counts against the rate until the attempt is over: upstream may see the request late (pacer.ts).
    this.pacer.hold(start);
    try {
      return await task();
    } finally {
      this.pacer.release(start);
      this.inFlight--;
      void this.pump();
    }
  }

  stats(): GateStats {
    const { interactive, bulk } = this.lanes;
    return {
      inFlight: this.inFlight,
      waiting: { interactive: interactive.size, bulk: bulk.size },
      waitingClients: { interactive: interactive.clients, bulk: bulk.clients },
      started: { ...this.started },
    };
  }

  /** Calls `client` has waiting, both lanes together. */
  queuedBy(client: string): number {
    return this.lanes.interactive.queuedBy(client) + this.lanes.bulk.queuedBy(client);
  }

  private admit(priority: UpstreamPriority, client: string, signal: AbortSignal | undefined): Promise<number> {
    if (signal?.aborted) return Promise.reject(this.abortError(signal));
    if (this.queuedBy(client) >= this.maxQueuedPerClient) {
      return Promise.reject(new UpstreamQueueFullError(this.maxQueuedPerClient));
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { client, grant: resolve, fail: reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          if (this.lanes[priority].remove(waiter)) reject(this.abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.lanes[priority].push(waiter);
      void this.pump();
    });
  }

  /** Hands out starts one at a time: wait for a concurrency slot, then a rate slot, then pick whose turn it is. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting() > 0 && this.inFlight < this.maxConcurrency) {
        // Reserve the rate slot first, then choose: whoever is most deserving *when the slot opens* gets it.
        const start = await this.pacer.acquire();
        const lane = this.nextLane();
        const waiter = lane ? this.lanes[lane].shift() : undefined;
        if (!lane || !waiter) break; // everyone waiting gave up meanwhile; the reserved slot goes unused
        if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
        this.inFlight++;
        this.started[lane]++;
        waiter.grant(start);
      }
    } finally {
      this.pumping = false;
    }
    // A waiter may have arrived while the last acquire was pending after the loop condition was checked.
    if (this.waiting() > 0 && this.inFlight < this.maxConcurrency) void this.pump();
  }

  private nextLane(): UpstreamPriority | undefined {
    const interactive = this.lanes.interactive.size > 0;
    const bulk = this.lanes.bulk.size > 0;
    if (interactive && (!bulk || this.interactiveStreak < this.interactivePerBulk)) {
      this.interactiveStreak++;
      return 'interactive';
    }
    if (bulk) {
      this.interactiveStreak = 0;
      return 'bulk';
    }
    return undefined;
  }

  private waiting(): number {
    return this.lanes.interactive.size + this.lanes.bulk.size;
  }
}
