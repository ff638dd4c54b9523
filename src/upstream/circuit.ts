// A circuit breaker for an upstream: after N consecutive failures, calls fail fast instead of queueing
// behind timeouts; after a reset time one half-open probe goes through, and its success closes the circuit again.

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit (UpstreamSettings.circuitFailures); 0 disables the breaker. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe is let through, in ms (circuitResetSeconds × 1000). */
  resetMs: number;
  /** Clock (default Date.now); tests inject one. */
  now?: () => number;
  /** Told on every state change (logging). */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an open circuit will let a probe through (ms since epoch); null unless open. */
  retryAt: number | null;
  /** How many calls were refused without being sent, since start. */
  rejected: number;
  /** How many times the circuit has opened, since start. */
  opened: number;
}

/**
 * What a call must do with the breaker: `tryAcquire()` before sending (false → fail fast), then exactly one of
 * `success()` (upstream answered, even 404/406), `failure()` (upstream or the network failed) or `release()` (the
 * caller gave up: says nothing about upstream) with the token it got.
 */
export class CircuitBreaker {
  private stateNow: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private rejectedCount = 0;
  private openedCount = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.failureThreshold > 0;
  }

  /** The state now (an open circuit past its reset time reads as half_open: the next call will probe). */
  get state(): CircuitState {
    if (this.stateNow === 'open' && this.now() - this.openedAt >= this.options.resetMs) return 'half_open';
    return this.stateNow;
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.state,
      consecutiveFailures: this.failures,
      retryAt: this.stateNow === 'open' ? this.openedAt + this.options.resetMs : null,
      rejected: this.rejectedCount,
      opened: this.openedCount,
    };
  }

  /**
   * May a call go out now? Returns a token (true for a half-open probe) or null to fail fast. While a probe is in
   * flight every other call fails fast, so a dead upstream costs one request per reset period, not one per caller.
   */
  tryAcquire(): { probe: boolean } | null {
    if (!this.enabled) return { probe: false };
    if (this.stateNow === 'closed') return { probe: false };
    if (this.stateNow === 'open' && this.now() - this.openedAt >= this.options.resetMs && !this.probeInFlight) {
      this.move('half_open');
      this.probeInFlight = true;
      return { probe: true };
    }
    this.rejectedCount++;
    return null;
  }

  /** Upstream answered (any answer that is not a failure: 200, 404, 406). */
  success(token: { probe: boolean }): void {
    if (!this.enabled) return;
    this.failures = 0;
    if (token.probe) this.probeInFlight = false;
    if (this.stateNow !== 'closed') this.move('closed');
  }

  /** Upstream or the network failed this call (after its retries). */
  failure(token: { probe: boolean }): void {
    if (!this.enabled) return;
    this.failures++;
    if (token.probe) {
      this.probeInFlight = false;
      this.open();
    } else if (this.stateNow === 'closed' && this.failures >= this.options.failureThreshold) {
      this.open();
    }
  }

  /** The call ended without telling us anything about upstream (the caller's deadline, a refused argument). */
  release(token: { probe: boolean }): void {
    if (!this.enabled) return;
    if (token.probe) {
      // Let the next caller probe straight away rather than wait another reset period.
      this.probeInFlight = false;
      this.openedAt = this.now() - this.options.resetMs;
      this.move('open');
    }
  }

  private open(): void {
    this.openedAt = this.now();
    this.openedCount++;
    this.move('open');
  }

  private move(to: CircuitState): void {
    const from = this.stateNow;
    this.stateNow = to;
    if (from !== to) this.options.onStateChange?.(from, to);
  }
}
