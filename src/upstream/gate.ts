// The one gate every upstream request passes: a concurrency cap and the rate pacer, served by priority.
// People before bulk: while both wait, interactive requests get `interactivePerBulk` starts for each bulk start.

import type { Pacer } from './pacer.js';
import type { UpstreamPriority } from './scope.js';

interface Waiter {
  /** Lets the waiter start, with its pacer start's timestamp. */
  grant: (start: number) => void;
  fail: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export interface UpstreamGateOptions {
  pacer: Pacer;
  maxConcurrency: number;
  /**
   * While both lanes wait, how many interactive starts come before one bulk start (default 4: at 5/s, a bulk walk
   * keeps 1 call a second and people get the other 4; when either lane is idle the other gets all 5).
   */
  interactivePerBulk?: number;
  /** Builds the error a waiter gets when its signal aborts before it starts. */
  abortError?: (signal: AbortSignal) => unknown;
}

export interface GateStats {
  inFlight: number;
  waiting: Record<UpstreamPriority, number>;
  started: Record<UpstreamPriority, number>;
}

/**
 * How an upstream's calls a second are shared (here at a rate of 5). Every attempt (retries too) needs a concurrency
 * slot (UpstreamSettings.maxConcurrency) and then a start from the pacer (UpstreamSettings.rateLimit per second). The
 * gate takes each pacer start *before* choosing who gets it, so the choice is made when the slot opens, not when a
 * request arrived:
 * - only interactive operations waiting, or only bulk ones: that lane gets all 5 starts a second, in arrival order;
 * - both waiting: 4 interactive starts, then 1 bulk, repeating; so people get 4 calls a second and a bulk walk
 *   (an operation whose estimate exceeds UPSTREAM_BULK_THRESHOLD, or the change-feed poller) keeps 1 and never starves;
 * - a waiter whose operation's deadline passes leaves the queue without taking a start.
 * test/gate.test.ts checks each of these with a fake pacer clock.
 */
export class UpstreamGate {
  private readonly pacer: Pacer;
  private readonly maxConcurrency: number;
  private readonly interactivePerBulk: number;
  private readonly abortError: (signal: AbortSignal) => unknown;
  private readonly lanes: Record<UpstreamPriority, Waiter[]> = { interactive: [], bulk: [] };
  private readonly started: Record<UpstreamPriority, number> = { interactive: 0, bulk: 0 };
  private inFlight = 0;
  private interactiveStreak = 0;
  private pumping = false;

  constructor(options: UpstreamGateOptions) {
    this.pacer = options.pacer;
    this.maxConcurrency = options.maxConcurrency;
    this.interactivePerBulk = options.interactivePerBulk ?? 4;
    this.abortError = options.abortError ?? ((signal) => signal.reason);
  }

  /** Runs `task` once a concurrency slot and a rate slot are free and it is this lane's turn. */
  async run<T>(priority: UpstreamPriority, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const start = await this.admit(priority, signal);
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
    return {
      inFlight: this.inFlight,
      waiting: { interactive: this.lanes.interactive.length, bulk: this.lanes.bulk.length },
      started: { ...this.started },
    };
  }

  private admit(priority: UpstreamPriority, signal: AbortSignal | undefined): Promise<number> {
    if (signal?.aborted) return Promise.reject(this.abortError(signal));
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, fail: reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const lane = this.lanes[priority];
          const at = lane.indexOf(waiter);
          if (at >= 0) {
            lane.splice(at, 1);
            reject(this.abortError(signal));
          }
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
    const interactive = this.lanes.interactive.length > 0;
    const bulk = this.lanes.bulk.length > 0;
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
    return this.lanes.interactive.length + this.lanes.bulk.length;
  }
}
