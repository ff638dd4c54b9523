// The global request pacer: at most `limit` request starts in any sliding window of `windowMs` (an upstream's rate).
// Every attempt, retries included, passes through acquire(); the clock and sleep are injectable so tests need no wall time.

/**
 * What the gate and the call pipeline need from a pacer. SlidingWindowPacer keeps its window in this process; a pacer
 * shared by several processes (e.g. in Redis) implements the same three methods.
 */
export interface Pacer {
  /** Waits until a start is allowed, records it, and returns its timestamp. FIFO across callers. */
  acquire(): Promise<number>;
  /**
   * Holds every start until `until` (a clock timestamp): used when upstream answers 429 with Retry-After, so that
   * other requests back off too instead of hammering a server that already said "slow down".
   */
  pauseUntil(until: number): void;
  /** Start timestamps this process observed, oldest first (for tests, soak and bench reports). */
  starts(): readonly number[];
}

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface SlidingWindowPacerOptions extends Partial<PacerClock> {
  /** Most starts in any window. */
  limit: number;
  /** Window length in ms (default 1000). */
  windowMs?: number;
  /**
   * Extra spacing added to the window, in ms (UpstreamSettings.pacerGuardMs; its default lives in settings.ts).
   * Upstream counts arrivals, not our starts: a start that waits for a fresh connection arrives later than one on a
   * warm socket.
   */
  guardMs: number;
  /** How many start timestamps to remember for inspection (default 10000). */
  historySize?: number;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export class SlidingWindowPacer implements Pacer {
  readonly limit: number;
  readonly windowMs: number;
  private readonly guardMs: number;
  private readonly clock: PacerClock;
  private readonly historySize: number;
  /** Starts still inside the current window, oldest first. */
  private recent: number[] = [];
  private history: number[] = [];
  /** Acquisitions are served strictly in arrival order by chaining on this promise (no thundering herd). */
  private tail: Promise<unknown> = Promise.resolve();
  private pausedUntil = 0;

  constructor(options: SlidingWindowPacerOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError('pacer limit must be a positive integer');
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 1000;
    this.guardMs = options.guardMs;
    this.historySize = options.historySize ?? 10_000;
    this.clock = { now: options.now ?? realClock.now, sleep: options.sleep ?? realClock.sleep };
  }

  acquire(): Promise<number> {
    const turn = this.tail.then(() => this.waitForSlot());
    // Keep the chain alive even if a sleep rejects; the caller still sees the rejection.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** The most recent `historySize` starts. */
  starts(): readonly number[] {
    return [...this.history];
  }

  private async waitForSlot(): Promise<number> {
    const span = this.windowMs + this.guardMs;
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      // A start at time s occupies the window (s - span, s]; it leaves once now >= s + span.
      while (this.recent.length > 0 && (this.recent[0] as number) + span <= now) this.recent.shift();
      if (this.recent.length < this.limit) {
        this.recent.push(now);
        this.history.push(now);
        if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
        return now;
      }
      const oldest = this.recent[0] as number;
      await this.clock.sleep(Math.max(1, oldest + span - now));
    }
  }
}
