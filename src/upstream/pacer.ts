// The global request pacer: at most `limit` requests arriving upstream in any sliding window of `windowMs` (its rate).
// Every attempt, retries included, passes through acquire(); the clock and sleep are injectable so tests need no wall time.

/**
 * What the gate and the call pipeline need from a pacer. SlidingWindowPacer keeps its window in this process; a pacer
 * shared by several processes (e.g. in Redis) implements the same methods.
 *
 * Why hold/release: upstream counts arrivals, and a request can reach the wire long after its start was stamped (a
 * stalled event loop, a fresh connection). A start that only counted from its stamp would leave the window before its
 * request even arrived, letting the next ones bunch with it. A held start counts until it is released, and for a whole
 * window after that; the release comes when the attempt's answer is in, which is after upstream saw the request. So
 * whatever the delays, any `windowMs` at upstream holds at most `limit` arrivals (test/ord.client.test.ts proves the
 * bound with a stall; bench/load.ts measures it).
 */
export interface Pacer {
  /** Waits until a start is allowed, records it, and returns its timestamp. FIFO across callers. */
  acquire(): Promise<number>;
  /** The start stamped `start` (acquire's result) is going out: it occupies the window until release(start). */
  hold(start: number): void;
  /** The held start's attempt is over (answered or failed): it occupies the window for `windowMs` + guard from now. */
  release(start: number): void;
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
  /** Starts still inside the current window, by the time they count from (stamp, or release when held), oldest first. */
  private recent: number[] = [];
  /** Held starts (not released yet), by stamp: each occupies the window however old. */
  private held = new Map<number, number>();
  private heldCount = 0;
  /** Wakes a waiter when a held start is released (a sleep would not: a held start has no expiry time). */
  private wakeOnRelease: (() => void) | null = null;
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

  hold(start: number): void {
    // It stops counting from its stamp and counts as held instead (one of equal stamps: they are interchangeable).
    const at = this.recent.lastIndexOf(start);
    if (at >= 0) this.recent.splice(at, 1);
    this.held.set(start, (this.held.get(start) ?? 0) + 1);
    this.heldCount++;
  }

  release(start: number): void {
    const n = this.held.get(start);
    if (n === undefined) return;
    if (n === 1) this.held.delete(start);
    else this.held.set(start, n - 1);
    this.heldCount--;
    const now = this.clock.now();
    let at = this.recent.length;
    while (at > 0 && (this.recent[at - 1] as number) > now) at--;
    this.recent.splice(at, 0, now);
    const wake = this.wakeOnRelease;
    this.wakeOnRelease = null;
    wake?.();
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
      if (this.heldCount + this.recent.length < this.limit) {
        this.recent.push(now);
        this.history.push(now);
        if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
        return now;
      }
      // Full: the oldest counted start leaves the window at its time + span; a held one leaves only on release.
      const released = new Promise<void>((resolve) => (this.wakeOnRelease = resolve));
      const oldest = this.recent[0];
      await (oldest === undefined
        ? released
        : Promise.race([released, this.clock.sleep(Math.max(1, oldest + span - now))]));
    }
  }
}
