// Structured logs for the GraphQL server: a request id per request (an incoming x-request-id is honoured and echoed),
// and the detail of every field error (URLs, upstream bodies) logged under that id rather than sent to clients.

import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../logger.js';
import { isGraphQLError } from '../../schema/errors.js';
import { SourceError, SourceRejectedError, SourceUnavailableError } from '../../sources/errors.js';
import { sourceErrorOf } from './sourceErrors.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id is reused only when it is short and plain, so it cannot forge log lines or bloat them. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<Request, { id: string; startedAt: number }>();

/** The id given to this request by useRequestId (undefined before the plugin has seen it). */
export function requestIdOf(request: Request): string | undefined {
  return requestIds.get(request)?.id;
}

/** Gives each request an id (the caller's x-request-id when acceptable, else a UUID) and echoes it on the response. */
export function useRequestId(logger?: Logger): Plugin {
  return {
    onRequest({ request }) {
      if (requestIds.has(request)) return;
      const incoming = request.headers.get(REQUEST_ID_HEADER);
      const id = incoming !== null && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      requestIds.set(request, { id, startedAt: performance.now() });
    },
    onResponse({ request, response }) {
      const known = requestIds.get(request);
      if (!known) return;
      response.headers.set(REQUEST_ID_HEADER, known.id);
      if (logger) {
        const url = new URL(request.url, 'http://localhost');
        logger.info(
          {
            requestId: known.id,
            method: request.method,
            path: url.pathname,
            status: response.status,
            ms: Math.round(performance.now() - known.startedAt),
          },
          'request',
        );
      }
    },
  };
}

/** What the log keeps about one field error: the client saw only the fixed message and code. */
export function errorDetail(error: GraphQLError): Record<string, unknown> {
  const source = sourceErrorOf(error);
  const detail: Record<string, unknown> = {
    message: error.message,
    code: error.extensions?.code,
    path: error.path?.join('.'),
  };
  if (source instanceof SourceError) {
    detail.cause = source.message; // may hold ORD's URL, status and an excerpt of its body: fine here, never for clients
    detail.endpoint = source.endpoint;
    if (source instanceof SourceUnavailableError) {
      detail.kind = source.kind;
      detail.upstreamStatus = source.status;
    }
    if (source instanceof SourceRejectedError) detail.upstreamText = source.upstreamText;
  } else if (error.originalError && !isGraphQLError(error.originalError)) {
    detail.cause = error.originalError.message;
    detail.stack = error.originalError.stack;
  }
  return detail;
}

/** Logs every error a GraphQL execution ends with, under the request id, with the detail clients do not get. */
export function useErrorLogging(logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      return {
        onExecuteDone({ result }) {
          if (!result || Symbol.asyncIterator in result) return;
          const errors = (result as { errors?: readonly GraphQLError[] }).errors;
          if (!errors?.length) return;
          const requestId = request ? requestIdOf(request) : undefined;
          for (const error of errors) {
            const detail = errorDetail(error);
            const level = detail.code === 'BAD_USER_INPUT' ? 'info' : 'warn';
            logger[level]({ requestId, ...detail }, 'field error');
          }
        },
      };
    },
  };
}
