// The server's defences, in one place: GraphQL Armor limits, body size, batching, CSRF, CORS, error masking, request
// ids and logs, /health and /ready, and `extensions.stale` when cached data stood in for a failing ORD.

import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import type { Logger } from '../../logger.js';
import { graphQLError, isGraphQLError } from '../../schema/errors.js';
import { currentUpstreamScope, type UpstreamScope } from '../../upstream/scope.js';
import { useHealthEndpoints, type ReadinessCheck } from './health.js';
import { REQUEST_ID_HEADER, useErrorLogging, useRequestId } from './logging.js';
import { isExecutionResult } from '../results.js';

/** The hardening settings (src/config.ts reads each from its environment variable, named beside it). */
export interface HardeningSettings {
  /** Deepest selection nesting accepted, fragments flattened (GRAPHQL_MAX_DEPTH, default 15; the deepest example is 11). */
  maxDepth: number;
  /** Most aliases in one operation (GRAPHQL_MAX_ALIASES, default 15): aliases are how one request fans out into many. */
  maxAliases: number;
  /** Most lexer tokens in one document (GRAPHQL_MAX_TOKENS, default 2000: 1000 codes in a literal list still fit). */
  maxTokens: number;
  /**
   * Largest graphql-armor cost: objects 2, scalars 1, ×1.5 per level, × a literal `first` (GRAPHQL_MAX_COST, default
   * 100000). A 1000-row page of a dozen fields costs ~40000 and passes; a 1000-row page nested in another is ~10⁷ and is
   * refused before any work. The examples cost at most ~800.
   */
  maxCost: number;
  /** Most directives in one operation (GRAPHQL_MAX_DIRECTIVES, default 50). */
  maxDirectives: number;
  /** Largest request body in bytes; larger ones get 413 (GRAPHQL_MAX_BODY_BYTES, default 102400). */
  maxBodyBytes: number;
  /** Most operations in one batched request (GRAPHQL_BATCH_LIMIT, default 10; 0 turns batching off). */
  batchLimit: number;
  /** Origins allowed by CORS, or "*" for any (CORS_ORIGINS: comma list, default "*"; never with credentials: the data is public). */
  corsOrigins: '*' | string[];
  /** How long SIGTERM waits for requests in flight before closing their connections, in ms (SHUTDOWN_GRACE_MS, default 10000). */
  shutdownGraceMs: number;
}

export const DEFAULT_HARDENING_SETTINGS: HardeningSettings = {
  maxDepth: 15,
  maxAliases: 15,
  maxTokens: 2000,
  maxCost: 100_000,
  maxDirectives: 50,
  maxBodyBytes: 100 * 1024,
  batchLimit: 10,
  corsOrigins: '*',
  shutdownGraceMs: 10_000,
};

export interface HardeningOptions {
  /** Overrides of the defaults (DEFAULT_HARDENING_SETTINGS, or loadConfig().hardening). */
  settings?: Partial<HardeningSettings>;
  /** What /ready checks (src/server/plugins/health.ts readinessCheck); without one /ready answers ready once up. */
  ready?: ReadinessCheck;
  /** Where request lines and field-error detail go; defaults to the server's logger. */
  logger?: Logger;
  /**
   * The scope an operation runs in, for `extensions.stale`. Default: the scope current while it executes (the upstream
   * plugin opens it around execution). src/app.ts can pass `upstreamScopeOf` instead.
   */
  scopeOf?: (context: object) => UpstreamScope | undefined;
}

/**
 * Headers that prove a GET or simple POST did not come from a cross-site form or <img>: Yoga's own, and the two Apollo
 * clients send. A browser cannot add any of them cross-origin without a CORS preflight.
 */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'graphql-require-preflight',
];

export function resolvedHardeningSettings(options: HardeningOptions = {}): HardeningSettings {
  return { ...DEFAULT_HARDENING_SETTINGS, ...options.settings };
}

/** The Yoga options (not plugins) hardening sets: body size, batching, CORS, masking. */
export function hardeningYogaOptions(
  options: HardeningOptions = {},
): Pick<
  YogaServerOptions<Record<string, unknown>, Record<string, unknown>>,
  'maxRequestBodySize' | 'batching' | 'cors' | 'maskedErrors' | 'healthCheckEndpoint'
> {
  const s = resolvedHardeningSettings(options);
  return {
    // Checked by useBodySizeLimit instead (see there): Yoga's own check streams every body through a TransformStream.
    maxRequestBodySize: false,
    batching: s.batchLimit > 0 ? { limit: s.batchLimit } : false,
    cors: {
      origin: s.corsOrigins === '*' ? '*' : s.corsOrigins,
      // Public data, no cookies: credentials are never allowed, so "*" is safe.
      credentials: false,
      methods: ['GET', 'POST', 'OPTIONS'],
      exposedHeaders: [REQUEST_ID_HEADER],
    },
    // Unexpected errors become "Unexpected error." with no stack, even under NODE_ENV=development; Yoga logs them.
    maskedErrors: { isDev: false },
    // Yoga answers its health path before any plugin (with an empty body); /health is ours (src/server/plugins/health.ts).
    healthCheckEndpoint: '/_yoga/health',
  };
}

/**
 * Adds `extensions.stale: [{ key, ageSeconds }]` when cached data past its TTL stood in for ORD (src/cache/cachedSource.ts
 * notes it on the operation's UpstreamScope).
 */
export function useStaleNotices(scopeOf?: (context: object) => UpstreamScope | undefined): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      let seen: UpstreamScope | undefined;
      // Capture the scope current inside execution (opened by the upstream plugin, which wraps execution outside this one).
      setExecuteFn((executionArgs) => {
        seen = currentUpstreamScope();
        return executeFn(executionArgs);
      });
      return {
        onExecuteDone({ result, setResult }) {
          const scope = scopeOf?.(args.contextValue as object) ?? seen;
          if (!scope || scope.staleNotices.length === 0 || !isExecutionResult(result)) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, stale: scope.staleNotices.map((n) => ({ ...n })) },
          });
        },
      };
    },
  };
}

const LIMIT_SETTING: [RegExp, string][] = [
  [/^Query depth/, 'GRAPHQL_MAX_DEPTH'],
  [/^Aliases/, 'GRAPHQL_MAX_ALIASES'],
  [/^Query Cost/, 'GRAPHQL_MAX_COST'],
  [/^Directives/, 'GRAPHQL_MAX_DIRECTIVES'],
];

/**
 * Armor's validation rules would throw a code-less "Syntax Error: …" out of validation; reported through the
 * validation context instead, clients get what it is: a validation error (400, GRAPHQL_VALIDATION_FAILED) naming the
 * setting that governs the limit.
 */
function reportLimit(context: ValidationContext | null, error: GraphQLError): void {
  const text = error.message.replace(/^Syntax Error: /, '');
  const setting = LIMIT_SETTING.find(([pattern]) => pattern.test(text))?.[1];
  context?.reportError(
    graphQLError(`${text}${setting ? ` (${setting})` : ''}`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...(setting ? { limit: setting } : {}) },
    }),
  );
}

/**
 * The request-body limit (GRAPHQL_MAX_BODY_BYTES). Yoga's own limit pipes every body through a TransformStream whose
 * stream pipeline builds and aborts an AbortController per request — about a tenth of a warm request's CPU here. When a
 * Content-Length is declared, Node's HTTP parser delivers no more bytes than it says, so the header is what to check; a
 * body without one (chunked) is refused with 411, as GraphQL clients always declare the length of their JSON.
 */
export function useBodySizeLimit(limit: number): Plugin {
  const refuse = (status: number, code: string, message: string) =>
    graphQLError(message, { extensions: { code, http: { status } } });
  return {
    onRequestParse({ request }) {
      const declared = request.headers.get('content-length');
      if (declared === null) {
        if (request.body) throw refuse(411, 'LENGTH_REQUIRED', 'A request body needs a Content-Length header.');
        return;
      }
      if (!/^\d+$/.test(declared)) throw refuse(400, 'BAD_REQUEST', 'Content-Length header is invalid.');
      if (Number(declared) > limit) {
        throw refuse(
          413,
          'REQUEST_ENTITY_TOO_LARGE',
          `Request body too large: more than ${limit} bytes (GRAPHQL_MAX_BODY_BYTES).`,
        );
      }
    },
  };
}

/**
 * Yoga's CSRF prevention (GETs and form-style POSTs need one of `headers`), with a refusal a client can act on: still
 * 403, but coded CSRF_HEADER_REQUIRED and naming the headers accepted (`extensions.acceptedHeaders`), since urql sends
 * queries as GET by default and its users otherwise see only "Required CSRF header(s) not present".
 */
export function useCodedCSRFPrevention(headers: readonly string[]): Plugin {
  const onRequestParse = useCSRFPrevention({ requestHeaders: [...headers] }).onRequestParse!;
  return {
    onRequestParse(payload) {
      try {
        return onRequestParse(payload);
      } catch (error) {
        if (!isGraphQLError(error)) throw error;
        throw graphQLError(
          `GraphQL over GET, or a POST that is not JSON, needs one of these headers (any value), so a browser cannot ` +
            `send it cross-site without CORS approval: ${headers.join(', ')}. Or POST with content-type: application/json.`,
          { extensions: { code: 'CSRF_HEADER_REQUIRED', acceptedHeaders: [...headers], http: { status: 403 } } },
        );
      }
    },
  };
}

/** The plugins, in order: request id (first, so every response carries it), health, CSRF, Armor limits, stale, logs. */
export function hardeningPlugins(options: HardeningOptions = {}, serverLogger?: Logger): Plugin[] {
  const s = resolvedHardeningSettings(options);
  const logger = options.logger ?? serverLogger;
  const reject = { propagateOnRejection: false, onReject: [reportLimit] };
  return [
    useRequestId(logger),
    useBodySizeLimit(s.maxBodyBytes),
    useHealthEndpoints(options.ready),
    useCodedCSRFPrevention(CSRF_HEADERS),
    EnvelopArmorPlugin({
      maxDepth: { n: s.maxDepth, exposeLimits: true, flattenFragments: true, ...reject },
      maxAliases: { n: s.maxAliases, exposeLimits: true, ...reject },
      // (the token limit acts in the parser: Yoga reports it as GRAPHQL_PARSE_FAILED itself)
      maxTokens: { n: s.maxTokens, exposeLimits: true },
      costLimit: { maxCost: s.maxCost, exposeLimits: true, ...reject },
      maxDirectives: { n: s.maxDirectives, exposeLimits: true, ...reject },
      // The schema is public and introspectable; "did you mean" hints help people and hide nothing.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
    useStaleNotices(options.scopeOf),
    ...(logger ? [useErrorLogging(logger)] : []),
  ];
}
