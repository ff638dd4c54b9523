// Headers every response carries, whoever answered it (GraphQL, GraphiQL, /health, a 404): no MIME sniffing, and
// nothing that names the software or its version.

import type { Plugin } from 'graphql-yoga';

/** Headers that would advertise the server's software; none is set today, and none may creep in. */
const ADVERTISING_HEADERS = ['x-powered-by', 'server', 'x-aspnet-version', 'x-runtime'];

export function useSecurityHeaders(): Plugin {
  return {
    onResponse({ response }) {
      // A JSON error body must never be sniffed into HTML or script by a browser.
      response.headers.set('x-content-type-options', 'nosniff');
      for (const name of ADVERTISING_HEADERS) response.headers.delete(name);
    },
  };
}
