// Per-endpoint, per-outcome counts of what the ORD client did: requests sent, answers, retries, failures by kind.
// Plain numbers, so a metrics endpoint or a test can read them without knowing the client's internals.

import { ORD_UPSTREAM_ERROR_KINDS, type OrdEndpoint, type OrdUpstreamErrorKind } from '../sources/ord/errors.js';

export const ORD_ENDPOINTS: readonly OrdEndpoint[] = ['organisation', 'search', 'sync', 'roles', 'rels', 'recordclasses'];

/**
 * `attempts`: requests actually sent (retries included). Then one per call: `ok`, `not_found`, `rejected` (406),
 * `invalid_argument` (nothing sent) or `upstream_error` (+ `upstream_<kind>`). `retried`: one per retry wait.
 */
export type OrdOutcome =
  | 'attempts'
  | 'ok'
  | 'not_found'
  | 'rejected'
  | 'invalid_argument'
  | 'upstream_error'
  | 'retried'
  | `upstream_${OrdUpstreamErrorKind}`;

export const ORD_OUTCOMES: readonly OrdOutcome[] = [
  'attempts',
  'ok',
  'not_found',
  'rejected',
  'invalid_argument',
  'upstream_error',
  'retried',
  ...ORD_UPSTREAM_ERROR_KINDS.map((k) => `upstream_${k}` as const),
];

export type OrdCounterSnapshot = Record<OrdEndpoint, Record<OrdOutcome, number>>;

function zeroRow(): Record<OrdOutcome, number> {
  return Object.fromEntries(ORD_OUTCOMES.map((o) => [o, 0])) as Record<OrdOutcome, number>;
}

export class OrdCounters {
  private rows: OrdCounterSnapshot = OrdCounters.empty();

  static empty(): OrdCounterSnapshot {
    return Object.fromEntries(ORD_ENDPOINTS.map((e) => [e, zeroRow()])) as OrdCounterSnapshot;
  }

  increment(endpoint: OrdEndpoint, outcome: OrdOutcome, by = 1): void {
    this.rows[endpoint][outcome] += by;
  }

  get(endpoint: OrdEndpoint, outcome: OrdOutcome): number {
    return this.rows[endpoint][outcome];
  }

  /** Sum of one outcome over all endpoints. */
  total(outcome: OrdOutcome): number {
    return ORD_ENDPOINTS.reduce((sum, e) => sum + this.rows[e][outcome], 0);
  }

  /** A deep copy: later requests do not change it. */
  snapshot(): OrdCounterSnapshot {
    return Object.fromEntries(ORD_ENDPOINTS.map((e) => [e, { ...this.rows[e] }])) as OrdCounterSnapshot;
  }

  reset(): void {
    this.rows = OrdCounters.empty();
  }
}
