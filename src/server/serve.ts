// Serves a request listener (a Yoga instance, e.g. App.yoga) on node:http at host:port and says where it answers.
// The one way the entry points, tests, bench and scripts start a server, so port 0, URLs and closing work the same.

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GRAPHQL_PATH } from './yoga.js';

export interface ServeOptions {
  host: string;
  /** 0 for any free port (the bound one is in the result). */
  port: number;
}

export interface ServedApp {
  server: Server;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql, with the port actually bound. */
  url: string;
  /** e.g. http://127.0.0.1:4000 */
  origin: string;
  port: number;
  /** Stops listening, closes every connection (keep-alive ones too) and resolves once the server has closed. */
  close(): Promise<void>;
}

/** Resolves once `handler` is listening; rejects when it cannot listen (e.g. EADDRINUSE) rather than emit 'error'. */
export async function serve(handler: RequestListener, { host, port }: ServeOptions): Promise<ServedApp> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  // An IPv6 literal (e.g. "::") needs brackets in a URL.
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  return {
    server,
    url: `${origin}${GRAPHQL_PATH}`,
    origin,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
