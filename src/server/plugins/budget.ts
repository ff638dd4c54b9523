// The per-operation upstream budget as a Yoga plugin: estimate ORD calls before execution, refuse what is over the limit,
// run the rest inside an UpstreamScope (budget, priority lane, deadline) and report `extensions.upstream` on every result.

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/builder.js';
import { ErrorCode, graphQLError } from '../../schema/errors.js';
import { estimateUpstreamCalls } from '../../schema/cost/estimate.js';
import { runInUpstreamScope, UpstreamScope, type UpstreamPriority } from '../../upstream/scope.js';
import type { OrganisationSource } from '../../sources/types.js';
import { clientOf } from './clientIdentity.js';
import { requestIdOf } from './logging.js';
import { isExecutionResult } from '../results.js';

/** The per-operation upstream budget (src/config.ts reads each from the environment variable named beside it). */
export interface BudgetSettings {
  /**
   * MAX_UPSTREAM_CALLS_PER_OPERATION: the pre-execution limit and the execution-time budget. An operation whose
   * cold-cache estimate exceeds it is refused before any call; during execution calls beyond it fail their field.
   */
  limit: number;
  /** UPSTREAM_BULK_THRESHOLD: estimates above it run in the bulk lane, behind interactive operations. */
  bulkThreshold: number;
  /** REQUEST_DEADLINE_MS: upstream calls of the operation still waiting or running then are abandoned. */
  deadlineMs: number;
}

export const DEFAULT_BUDGET_SETTINGS: Readonly<BudgetSettings> = Object.freeze({
  /**
   * 1500 lets every example operation in schema/operations/ through cold (the largest estimate, IcbDownToPractices
   * with its default variables, is about 1000, against ~60 real calls on the small tier); at ORD's 5 calls/s anything
   * really spending that many would run past the deadline anyway, so the limit's job is to refuse absurd fan-outs
   * (a 1000-row page under a 1000-row page) before they spend anything.
   */
  limit: 1500,
  /** 50 calls = 10 s of ORD's allowance. */
  bulkThreshold: 50,
  deadlineMs: 60_000,
});

/** What every result carries in `extensions.upstream`. */
export interface UpstreamReport {
  /** Estimated ORD calls before execution (given what was cached then). */
  estimate: number;
  /**
   * ORD calls this operation actually sent (joining another operation's call costs nothing; a call still queued when
   * the deadline passed was never sent, so is not counted; retries are not counted).
   */
  calls: number;
  budget: number;
  priority: UpstreamPriority;
}

const scopes = new WeakMap<object, UpstreamScope>();
const estimates = new WeakMap<object, number>();

/** The UpstreamScope the plugin opened for this request's context (for other plugins, e.g. to report staleness). */
export function upstreamScopeOf(context: object): UpstreamScope | undefined {
  return scopes.get(context);
}

/** The estimate of an operation this plugin let through, for plugins after it (the per-client limit charges it). */
export function upstreamEstimateOf(context: object): number | undefined {
  return estimates.get(context);
}

function withReport(result: ExecutionResult, report: UpstreamReport): ExecutionResult {
  return { ...result, extensions: { ...result.extensions, upstream: report } };
}

/**
 * An operation's deadline (REQUEST_DEADLINE_MS) as an AbortSignal, made only when an upstream call asks for it: an
 * AbortSignal and its timer cost more than a warm operation's whole estimate, and a warm operation never asks.
 */
class Deadline {
  private readonly endsAt: number;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly ms: number) {
    this.endsAt = performance.now() + ms;
  }

  /** The signal, aborted when the deadline passes (at once if it has); never, once the operation has ended. */
  signal(): AbortSignal {
    const controller = new AbortController();
    // Every ORD call of a wide operation listens on this one signal; dozens of listeners are expected, not a leak.
    setMaxListeners(0, controller.signal);
    if (!this.ended) {
      const abort = () =>
        controller.abort(new Error(`the request deadline of ${this.ms} ms (REQUEST_DEADLINE_MS) passed`));
      const left = this.endsAt - performance.now();
      if (left <= 0) {
        abort();
      } else {
        this.timer = setTimeout(abort, left);
        this.timer.unref();
      }
    }
    return controller.signal;
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
  }
}

export function useUpstreamBudget(source: OrganisationSource, policy: BudgetSettings): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution, executeFn, setExecuteFn }) {
      const { calls: estimate } = estimateUpstreamCalls({
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues as Record<string, unknown> | null | undefined,
        source,
        today: (args.contextValue as Partial<Context>).today?.(),
      });
      const priority: UpstreamPriority = estimate > policy.bulkThreshold ? 'bulk' : 'interactive';
      if (estimate > policy.limit) {
        const error = graphQLError(
          `This operation could need about ${estimate} ORD calls on the current cache, more than the ${policy.limit} one operation may make ` +
            '(MAX_UPSTREAM_CALLS_PER_OPERATION). Ask for fewer items (`first`, fewer codes) or fewer nested levels, or split it into several operations.',
          { extensions: { code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED, estimate, limit: policy.limit } },
        );
        setResultAndStopExecution(
          withReport({ data: null, errors: [error] }, { estimate, calls: 0, budget: policy.limit, priority }),
        );
        return;
      }
      const deadline = new Deadline(policy.deadlineMs);
      const request = (args.contextValue as { request?: Request }).request;
      const client = clientOf(request);
      const scope = new UpstreamScope({
        budget: policy.limit,
        priority,
        signal: () => deadline.signal(),
        // The id the response echoes and the log uses (plugins/logging.ts), so upstream work can be traced to it.
        requestId: (request && requestIdOf(request)) ?? randomUUID(),
        // Whose calls these are (plugins/clientIdentity.ts): the gate queues them with that client's, served in turn.
        ...(client !== undefined ? { client } : {}),
      });
      scopes.set(args.contextValue, scope);
      estimates.set(args.contextValue, estimate);
      setExecuteFn((executionArgs) => runInUpstreamScope(scope, () => executeFn(executionArgs)));
      return {
        onExecuteDone({ result, setResult }) {
          deadline.end();
          if (!isExecutionResult(result)) return;
          setResult(withReport(result, { estimate, calls: scope.started, budget: policy.limit, priority }));
        },
      };
    },
  };
}
