// Per-endpoint, per-outcome counts of what a wire client did: requests sent, answers, retries, failures by kind.
// Plain numbers, so a metrics endpoint or a test can read them without knowing the client's internals.

/** One row per endpoint, one count per outcome. */
export type CounterSnapshot<E extends string, O extends string> = Record<E, Record<O, number>>;

/** Counts keyed by the endpoints and outcomes the adapter names at construction; every count starts at zero. */
export class UpstreamCounters<E extends string, O extends string> {
  private rows: CounterSnapshot<E, O>;

  constructor(
    readonly endpoints: readonly E[],
    readonly outcomes: readonly O[],
  ) {
    this.rows = this.empty();
  }

  increment(endpoint: E, outcome: O, by = 1): void {
    this.rows[endpoint][outcome] += by;
  }

  get(endpoint: E, outcome: O): number {
    return this.rows[endpoint][outcome];
  }

  /** Sum of one outcome over all endpoints. */
  total(outcome: O): number {
    return this.endpoints.reduce((sum, e) => sum + this.rows[e][outcome], 0);
  }

  /** A deep copy: later requests do not change it. */
  snapshot(): CounterSnapshot<E, O> {
    return Object.fromEntries(this.endpoints.map((e) => [e, { ...this.rows[e] }])) as CounterSnapshot<E, O>;
  }

  reset(): void {
    this.rows = this.empty();
  }

  private empty(): CounterSnapshot<E, O> {
    const zeroRow = () => Object.fromEntries(this.outcomes.map((o) => [o, 0])) as Record<O, number>;
    return Object.fromEntries(this.endpoints.map((e) => [e, zeroRow()])) as CounterSnapshot<E, O>;
  }
}
