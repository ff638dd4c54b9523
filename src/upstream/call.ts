// The one path every upstream call takes, whatever the wire: circuit → operation budget → retries → gate → attempt.
// The wire adapter supplies the attempt and how to read its errors; this module owns the order, waits and counts.

import { CircuitBreaker, type CircuitState } from './circuit.js';
import type { UpstreamCounters } from './counters.js';
import { UpstreamAbortedError, abortReason } from './errors.js';
import { UpstreamGate } from './gate.js';
import { SlidingWindowPacer, realClock, type Pacer } from './pacer.js';
import { withRetries, type RetryInfo, type RetryPolicy } from './retry.js';
import { currentUpstreamScope } from './scope.js';
import { resolveUpstreamSettings, type ResolvedUpstreamSettings, type UpstreamSettings } from './settings.js';

/** The counter outcomes the pipeline records itself; the adapter counts how it read an answer (ok, not found…). */
export interface CallOutcomes<O extends string> {
  /** One per request actually sent (retries included). */
  attempt: O;
  /** One per retry wait. */
  retried: O;
  /** What a call that ended in `error` counts, after its retries (e.g. a failure and its kind); may be none. */
  failure(error: unknown): readonly O[];
}

export interface UpstreamCallerOptions<E extends string, O extends string, F> {
  settings: UpstreamSettings;
  counters: UpstreamCounters<E, O>;
  outcomes: CallOutcomes<O>;
  /** Which failures are retried and what Retry-After they carry. */
  retryPolicy: RetryPolicy<F>;
  /** An error that is still upstream's answer (e.g. "your request is invalid"): the circuit counts it as a success. */
  isAnswer(error: unknown): boolean;
  /** Upstream or the network failed: counts against the circuit. Other errors (a deadline, a refusal) release it. */
  isFailure(error: unknown): boolean;
  /** The error a call gets when the circuit is open: nothing is sent. */
  circuitOpenError(endpoint: E): Error;
  /** The error an attempt gets once the caller is closed. */
  closedError(endpoint: E): Error;
  /**
   * The rate limiter every attempt waits on. Default: an in-process sliding window at `settings.rateLimit`; hand in a
   * shared one (several replicas, one upstream budget) and this caller simply uses it.
   */
  pacer?: Pacer;
  /** Clock for the pacer, the circuit and Retry-After dates (default Date.now). */
  now?: () => number;
  /** Waits for pacing and retry backoff (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0,1) (default Math.random). */
  random?: () => number;
  /** Backoff and Retry-After limits (defaults in retry.ts). */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Called before each retry wait (logging, tests). */
  onRetry?: (info: RetryInfo<F> & { endpoint: E }) => void;
  /** Told when the circuit breaker changes state (logging). */
  onCircuitChange?: (from: CircuitState, to: CircuitState) => void;
}

/**
 * Owns one upstream's pacer, gate and circuit breaker, and runs every call through them in the same order. `E` names
 * the adapter's endpoints, `O` its counter outcomes, `F` the failures its retry policy retries.
 */
export class UpstreamCaller<E extends string, O extends string, F> {
  readonly settings: Readonly<ResolvedUpstreamSettings>;
  readonly pacer: Pacer;
  /** Concurrency cap + pacer, served interactive-first (see gate.ts). */
  readonly gate: UpstreamGate;
  /** Fails calls fast after consecutive upstream failures (see circuit.ts). */
  readonly circuit: CircuitBreaker;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private isClosed = false;

  constructor(private readonly options: UpstreamCallerOptions<E, O, F>) {
    this.settings = Object.freeze(resolveUpstreamSettings(options.settings));
    this.now = options.now ?? realClock.now;
    this.sleep = options.sleep ?? realClock.sleep;
    this.random = options.random ?? Math.random;
    this.pacer =
      options.pacer ??
      new SlidingWindowPacer({
        limit: this.settings.rateLimit,
        guardMs: this.settings.pacerGuardMs,
        now: this.now,
        sleep: this.sleep,
      });
    this.gate = new UpstreamGate({
      pacer: this.pacer,
      maxConcurrency: this.settings.maxConcurrency,
      maxQueuedPerClient: this.settings.maxQueuedPerClient,
      abortError: (signal) => new UpstreamAbortedError(null, abortReason(signal)),
    });
    this.circuit = new CircuitBreaker({
      failureThreshold: this.settings.circuitFailures,
      resetMs: this.settings.circuitResetSeconds * 1000,
      now: this.now,
      onStateChange: options.onCircuitChange,
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Every attempt from now on fails with `closedError` (the adapter then closes its connections). */
  close(): void {
    this.isClosed = true;
  }

  /**
   * Runs one call: `attempt` sends one request (with the caller's abort signal) and is retried as the policy says.
   * Counts attempts, retries and the final failure; the caller counts how it read the answer.
   */
  async call<T>(endpoint: E, attempt: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const { options, circuit } = this;
    const { counters } = options;
    const scope = currentUpstreamScope();
    const signal = scope?.signal;
    let token: { probe: boolean } | null = null;
    try {
      // An open circuit refuses before anything is spent or queued.
      token = circuit.tryAcquire();
      if (token === null) throw options.circuitOpenError(endpoint);
      const probe = token.probe;
      // The caller's budget counts calls, not attempts: a retry is our choice, not the caller's spending. The call is
      // reserved now, before it queues, and counted as started only when the gate lets its first attempt go.
      scope?.spend(endpoint);
      let started = false;
      const answer = await withRetries(
        () =>
          this.gate.run(
            scope?.priority ?? 'interactive',
            async () => {
              if (this.isClosed) throw options.closedError(endpoint);
              // The circuit may have opened while this call queued for a slot: do not add to the pile.
              if (!probe && circuit.state === 'open') throw options.circuitOpenError(endpoint);
              counters.increment(endpoint, options.outcomes.attempt);
              if (!started) {
                started = true;
                scope?.noteStarted(endpoint);
              }
              try {
                return await attempt(signal);
              } catch (error) {
                // The caller gave up (deadline): not upstream's fault, and not worth a retry.
                if (signal?.aborted) throw new UpstreamAbortedError(endpoint, abortReason(signal));
                throw error;
              }
            },
            signal,
            scope?.client,
          ),
        {
          policy: options.retryPolicy,
          maxRetries: this.settings.maxRetries,
          ...options.backoff,
          random: this.random,
          // A backoff or Retry-After wait must not outlive the caller's deadline either.
          sleep: signal ? (ms) => this.sleepUnlessAborted(ms, signal, endpoint) : this.sleep,
          onRetry: (info) => {
            counters.increment(endpoint, options.outcomes.retried);
            // A 429's Retry-After applies to us as a whole, not just this request.
            if (info.fromRetryAfter) this.pacer.pauseUntil(this.now() + info.delayMs);
            options.onRetry?.({ ...info, endpoint });
          },
        },
      );
      circuit.success(token);
      return answer;
    } catch (error) {
      if (token !== null) {
        // Refusals are answers; only upstream's own failures count against it, not the caller giving up.
        if (options.isAnswer(error)) circuit.success(token);
        else if (options.isFailure(error)) circuit.failure(token);
        else circuit.release(token);
      }
      for (const outcome of options.outcomes.failure(error)) counters.increment(endpoint, outcome);
      throw error;
    }
  }

  /** `sleep`, cut short by `signal` (as UpstreamAbortedError, which is not retried). */
  private sleepUnlessAborted(ms: number, signal: AbortSignal, endpoint: E): Promise<void> {
    const aborted = () => new UpstreamAbortedError(endpoint, abortReason(signal));
    if (signal.aborted) return Promise.reject(aborted());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleep(ms).then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
