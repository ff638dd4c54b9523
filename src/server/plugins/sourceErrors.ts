// Turns the source errors resolvers and loaders throw (src/sources/errors.ts) into fixed, located GraphQL errors with
// our codes, on the execution result before Yoga masks it; the source error stays behind for the log (sourceErrorOf).

import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ListedWithoutRecordError } from '../../loaders/index.js';
import { ErrorCode, graphQLError } from '../../schema/errors.js';
import {
  SourceError,
  SourceInvalidArgumentError,
  SourceRejectedError,
  SourceUnavailableError,
  SourceUnsupportedError,
} from '../../sources/errors.js';
import { UpstreamAbortedError, UpstreamBudgetExceededError, UpstreamQueueFullError } from '../../upstream/errors.js';
import { isExecutionResult } from '../results.js';

/** Fixed, client-safe wording per kind of upstream failure: the detail (URLs, upstream bodies) stays in the log. */
const UNAVAILABLE_MESSAGES: Record<string, string> = {
  timeout: 'ORD did not answer in time.',
  network: 'ORD could not be reached.',
  html: 'ORD answered with an error page.',
  http_status: 'ORD answered with an error.',
  malformed: 'ORD sent an unreadable answer.',
  rate_limited: 'ORD is limiting our request rate.',
  circuit_open: 'ORD has been failing, so calls to it are paused for a short while.',
};

/**
 * ORD's 406 texts are short fixed sentences ("Supplied Name needs a minimum of 3 Characters."); anything else (an
 * excerpt of an unexpected body) might carry upstream internals and is not passed on.
 */
function isSafeUpstreamText(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9 .,'"()\/:_-]{0,159}$/.test(text) && !/https?:|\/\//i.test(text);
}

/**
 * What the client hears about a source error: a fixed message per case (plus ORD's own 406 text when it is one of its
 * short sentences) and a code; no URL, stack or upstream body.
 * - ORD refused the request (406): UPSTREAM_REJECTED with ORD's `errorText` in the message and in `ordErrorText`.
 * - ORD or the network failed (5xx, HTML page, timeout, reset, malformed JSON, 429): UPSTREAM_UNAVAILABLE with `kind`.
 * - The client refused an argument before sending: BAD_USER_INPUT.
 * - The source cannot answer this kind of request at all (a mirror-only filter on ORD): UNSUPPORTED_BY_SOURCE, with
 *   the `feature` and the `source`; the message carries the source's hint (how to serve it instead).
 * - The call policy refused it: UPSTREAM_BUDGET_EXCEEDED, UPSTREAM_QUEUE_FULL; or gave up on it: DEADLINE_EXCEEDED.
 */
function clientView(error: SourceError): { message: string; extensions: Record<string, unknown> } {
  if (error instanceof SourceRejectedError) {
    if (!isSafeUpstreamText(error.upstreamText)) {
      const extensions = { code: ErrorCode.UPSTREAM_REJECTED, status: error.status };
      return { message: 'ORD rejected the request.', extensions };
    }
    return {
      message: `ORD rejected the request: ${error.upstreamText}`,
      extensions: { code: ErrorCode.UPSTREAM_REJECTED, ordErrorText: error.upstreamText, status: error.status },
    };
  }
  if (error instanceof ListedWithoutRecordError) {
    return {
      message: `ORD listed ${error.odsCode} (in a search or a relationship) but has no record for it.`,
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE },
    };
  }
  if (error instanceof SourceUnavailableError) {
    const kind = /^[a-z_]{1,32}$/.test(error.kind) ? error.kind : 'unknown';
    return {
      message: `ORD is unavailable (${kind}): ${UNAVAILABLE_MESSAGES[kind] ?? 'ORD failed.'} Try again later.`,
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, kind, ...(error.status ? { status: error.status } : {}) },
    };
  }
  if (error instanceof SourceUnsupportedError) {
    return {
      message: error.message,
      extensions: { code: ErrorCode.UNSUPPORTED_BY_SOURCE, feature: error.feature, source: error.sourceName },
    };
  }
  if (error instanceof SourceInvalidArgumentError) {
    return { message: error.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  if (error instanceof UpstreamBudgetExceededError) {
    return {
      message: error.message,
      extensions: { code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED, limit: error.budget, spent: error.spent },
    };
  }
  if (error instanceof UpstreamQueueFullError) {
    return {
      message: `Too many of this client's ORD calls are already waiting (${error.limit}); this field's call was refused. Try again when they have finished.`,
      extensions: { code: ErrorCode.UPSTREAM_QUEUE_FULL, limit: error.limit },
    };
  }
  if (error instanceof UpstreamAbortedError) {
    return {
      message: "The request's deadline passed before ORD answered this field.",
      extensions: { code: ErrorCode.DEADLINE_EXCEEDED },
    };
  }
  return { message: 'ORD is unavailable. Try again later.', extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE } };
}

/** The source error behind each error this plugin made: for the log (with the request id), never the client. */
const sourceErrors = new WeakMap<GraphQLError, SourceError>();

/** The source error a field error was translated from, if it was. */
export function sourceErrorOf(error: GraphQLError): SourceError | undefined {
  return sourceErrors.get(error);
}

/**
 * The client's error for one located field error: a source error becomes its fixed message and code at the same path
 * and locations, with no `originalError` (Yoga masks an error whose original is not a GraphQLError). Anything else is
 * left as it is: GraphQLErrors pass, unexpected errors are masked by Yoga as "Unexpected error." and logged.
 */
function translated(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (!(original instanceof SourceError)) return error;
  const { message, extensions } = clientView(original);
  const translation = graphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
  sourceErrors.set(translation, original);
  return translation;
}

function translateErrors(result: ExecutionResult): ExecutionResult | undefined {
  const errors = result.errors;
  if (!errors?.length) return undefined;
  let changed = false;
  const out = errors.map((error) => {
    const next = translated(error);
    if (next !== error) changed = true;
    return next;
  });
  return changed ? { ...result, errors: out } : undefined;
}

/**
 * Translates source errors on every execution result. Listed before the error-logging plugin (src/server/yoga.ts), so
 * the log and Yoga's masking both see the translated errors, and Yoga does not log them a second time as unexpected.
 */
export function useSourceErrors(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isExecutionResult(result)) return;
          const next = translateErrors(result);
          if (next) setResult(next);
        },
      };
    },
  };
}
