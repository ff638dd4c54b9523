// Failures of the call policy itself, whatever the wire: a spent budget, a full client queue, or a caller that gave up.
// They extend the source-level SourceError (src/sources/errors.ts): the GraphQL layer maps them like other failures.

import { SourceError } from '../sources/errors.js';

/** The operation's upstream-call budget (MAX_UPSTREAM_CALLS_PER_OPERATION) is spent; nothing was sent. */
export class UpstreamBudgetExceededError extends SourceError {
  readonly budget: number;
  readonly spent: number;
  constructor(budget: number, spent: number, endpoint: string | null) {
    super(
      `This operation has used its budget of ${budget} upstream calls (${spent} made); no more are allowed.`,
      endpoint,
    );
    this.budget = budget;
    this.spent = spent;
  }
}

/**
 * The client already has its most calls waiting in the gate (ORD_MAX_QUEUED_PER_CLIENT): this one is refused at once
 * rather than queued to time out behind them. Nothing was sent.
 */
export class UpstreamQueueFullError extends SourceError {
  readonly limit: number;
  constructor(limit: number) {
    super(
      `This client already has ${limit} upstream calls waiting (ORD_MAX_QUEUED_PER_CLIENT); no more are queued.`,
      null,
    );
    this.limit = limit;
  }
}

/** The caller gave up (its deadline passed, or it was cancelled) before upstream answered. */
export class UpstreamAbortedError extends SourceError {
  constructor(endpoint: string | null, reason: string) {
    super(`Upstream request abandoned: ${reason}`, endpoint);
  }
}

/** A readable reason for an aborted signal (whoever aborts, e.g. the request deadline, sets an Error with the words). */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'the caller gave up';
}
