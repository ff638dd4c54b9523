// Request bodies and parameters that are not JSON get a fixed 400 answer: Yoga's own quotes the JSON parser's message,
// which quotes part of the body, back to the client (`extensions.originalError`).

import type { Plugin } from 'graphql-yoga';
import { graphQLError, isGraphQLError } from '../../schema/errors.js';

export const INVALID_JSON_BODY = 'The request body is not valid JSON.';
export const INVALID_JSON_PARAMETER = 'The variables or extensions parameter is not valid JSON.';

const invalidJson = (message: string) =>
  graphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** True when `error` is the JSON parser's, bare (GET parameters) or as Yoga wraps it (POST bodies). */
function isJsonSyntaxError(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  if (!isGraphQLError(error)) return false;
  const original = error.extensions['originalError'] as { name?: unknown } | undefined;
  return original?.name === 'SyntaxError';
}

/** Wraps whichever request parser Yoga chose (Yoga's parser plugins run before this one) so JSON errors say no more. */
export function useFixedParseErrors(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        try {
          return await parse(req);
        } catch (error) {
          if (!isJsonSyntaxError(error)) throw error;
          throw invalidJson(request.method === 'GET' ? INVALID_JSON_PARAMETER : INVALID_JSON_BODY);
        }
      });
    },
  };
}
