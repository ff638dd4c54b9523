// Per-client inbound limits, in this process: GraphQL requests and estimated ORD calls per minute, each a token bucket.
// Over either, HTTP 429 RATE_LIMITED with Retry-After, before the operation makes any ORD call.

import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/builder.js';
import type { Logger } from '../../logger.js';
import { ErrorCode, graphQLError } from '../../schema/errors.js';
import { upstreamEstimateOf, upstreamScopeOf } from './budget.js';
import { clientOf } from './clientIdentity.js';

/** The per-client limits (src/config.ts reads each from the environment variable named beside it); 0 turns one off. */
export interface RateLimitSettings {
  /** RATE_LIMIT_REQUESTS_PER_MINUTE: GraphQL requests one client may make a minute (a batch counts once). */
  requestsPerMinute: number;
  /**
   * RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: ORD calls one client's operations may be estimated at a minute (the budget
   * plugin's estimate, charged when an operation starts and settled to the calls it really made when it ends).
   */
  upstreamCallsPerMinute: number;
}

export const DEFAULT_RATE_LIMIT_SETTINGS: Readonly<RateLimitSettings> = Object.freeze({
  /**
   * 600 (10 a second, or a burst of 600): far above a person in GraphiQL or an app's page loads, and warm requests
   * cost the server about a millisecond each, so only a flood reaches it.
   */
  requestsPerMinute: 600,
  /**
   * 300 = ORD's 5 calls a second for a whole minute: however it spreads its operations, one client cannot ask for more
   * ORD work than ORD can do, so its backlog cannot grow without bound.
   */
  upstreamCallsPerMinute: 300,
});

type Taken = { ok: true; charged: number } | { ok: false; retryAfterMs: number };

/**
 * One token bucket per client: `perMinute` tokens, refilled evenly over a minute. A cost above the capacity needs a
 * full bucket and takes all of it (so an operation estimated above a minute's allowance still runs, alone), and
 * settle() bills what it really cost afterwards, which may leave the bucket in debt.
 */
export class ClientBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private sweepAt = 1024;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes min(cost, capacity) tokens if the client has them; else how long until it will. */
  take(client: string, cost: number): Taken {
    const bucket = this.refilled(client);
    const need = Math.min(cost, this.perMinute);
    if (bucket.tokens < need) return { ok: false, retryAfterMs: (need - bucket.tokens) / this.perMs };
    bucket.tokens -= need;
    return { ok: true, charged: need };
  }

  /** Corrects a charge once the real cost is known: the difference is refunded (up to a full bucket) or billed. */
  settle(client: string, charged: number, actual: number): void {
    const bucket = this.refilled(client);
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + charged - actual);
  }

  /** Clients holding a bucket that is not full (a full one is the same as none). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(client: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= this.sweepAt) this.sweep(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  /** Forgets the clients whose bucket has refilled, so memory follows the clients of the last minute, not of all time. */
  private sweep(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(client);
    }
    this.sweepAt = Math.max(1024, this.buckets.size * 2);
  }
}

function rateLimited(what: string, setting: string, perMinute: number, retryAfterMs: number) {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return graphQLError(
    `Too many ${what} from this client: the limit is ${perMinute} a minute (${setting}). Try again in ${retryAfterSeconds} s.`,
    {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        limit: setting,
        perMinute,
        retryAfterSeconds,
        http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
      },
    },
  );
}

export interface RateLimitOptions {
  /** Clock in ms (tests); default Date.now. */
  now?: () => number;
  /** Where refusals are noted (at info: a refusal is the limit working, not a fault). */
  logger?: Logger;
}

/**
 * The per-client limits as a Yoga plugin. Install it after useClientIdentity (which names the client) and after the
 * upstream budget plugin (whose estimate it charges). A request over the request limit is refused before its body is
 * parsed; an operation over the upstream allowance after its estimate and before it executes. Requests without a
 * named client (none when useClientIdentity is installed) share one bucket.
 */
export function useRateLimit(
  settings: RateLimitSettings = DEFAULT_RATE_LIMIT_SETTINGS,
  options: RateLimitOptions = {},
): Plugin<Context> {
  const { logger } = options;
  const requests = settings.requestsPerMinute > 0 ? new ClientBuckets(settings.requestsPerMinute, options.now) : null;
  const calls =
    settings.upstreamCallsPerMinute > 0 ? new ClientBuckets(settings.upstreamCallsPerMinute, options.now) : null;
  const refuse = (client: string, error: ReturnType<typeof rateLimited>) => {
    logger?.info({ client, limit: error.extensions.limit }, 'rate limited');
    return error;
  };
  return {
    onRequestParse({ request }) {
      if (!requests) return;
      const client = clientOf(request) ?? 'unnamed';
      const taken = requests.take(client, 1);
      if (!taken.ok) {
        throw refuse(
          client,
          rateLimited('requests', 'RATE_LIMIT_REQUESTS_PER_MINUTE', requests.perMinute, taken.retryAfterMs),
        );
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as { request?: Request };
      const estimate = upstreamEstimateOf(context);
      if (!calls || estimate === undefined) return;
      const client = clientOf(context.request) ?? 'unnamed';
      const taken = calls.take(client, estimate);
      if (!taken.ok) {
        const error = rateLimited(
          'estimated ORD calls',
          'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE',
          calls.perMinute,
          taken.retryAfterMs,
        );
        setResultAndStopExecution({ data: null, errors: [refuse(client, error)] });
        return;
      }
      return {
        onExecuteDone() {
          calls.settle(client, taken.charged, upstreamScopeOf(context)?.spent ?? taken.charged);
        },
      };
    },
  };
}
