// The GraphQL error vocabulary: the codes (BAD_USER_INPUT, UPSTREAM_UNAVAILABLE, …) and the one way errors are made.
// Resolvers throw source errors as they are; src/server/plugins/sourceErrors.ts turns them into these codes.

import type { GraphQLError, GraphQLErrorOptions } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  /** The operation spent (or would spend) more upstream calls than MAX_UPSTREAM_CALLS_PER_OPERATION allows. */
  UPSTREAM_BUDGET_EXCEEDED: 'UPSTREAM_BUDGET_EXCEEDED',
  /** The request's deadline (REQUEST_DEADLINE_MS) passed before upstream answered this field. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** The client already had ORD_MAX_QUEUED_PER_CLIENT upstream calls waiting; this field's call was refused at once. */
  UPSTREAM_QUEUE_FULL: 'UPSTREAM_QUEUE_FULL',
  /** The client is over its per-minute allowance (RATE_LIMIT_*): HTTP 429 with Retry-After, before any upstream call. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** API_KEYS is set and the request carries no known key (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The answer grew past MAX_RESPONSE_BYTES or MAX_RESULT_OBJECTS while executing, so it was stopped. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  /** The source being served cannot answer this at all (e.g. ORD has no date filter on searches); nothing was sent. */
  UNSUPPORTED_BY_SOURCE: 'UNSUPPORTED_BY_SOURCE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/**
 * Every GraphQLError this project raises is made here, with the GraphQLError class Yoga itself uses. (A test runner
 * that bundles our sources may load a second copy of graphql-js; Yoga masks errors of a class it does not know.)
 */
export function graphQLError(message: string, options: GraphQLErrorOptions = {}): GraphQLError {
  return createGraphQLError(message, options);
}

/** True for a GraphQLError from any copy of graphql-js. */
export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError' && 'extensions' in value;
}

/** A client mistake in one argument: `extensions.code` BAD_USER_INPUT and `extensions.argumentName`. */
export function badUserInput(
  message: string,
  argumentName?: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return graphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argumentName ? { argumentName } : {}), ...extra },
  });
}

/**
 * A BAD_USER_INPUT for scalar parsers. Deliberately not a GraphQLError: graphql-js then wraps it in an error that
 * carries the offending node's location (and keeps these extensions), which lets the server name the argument.
 */
export class InputCoercionError extends Error {
  readonly extensions = { code: ErrorCode.BAD_USER_INPUT };
}

/** Shows a client's value in a message without echoing megabytes of it back. */
export function quoteInput(value: unknown, max = 40): string {
  const text = String(value);
  const chars = [...text];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : text);
}
