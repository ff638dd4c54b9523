// Serves a request listener (a Yoga instance, e.g. App.yoga) on node:http at host:port and says where it answers.
// The one way the entry points, tests, bench and scripts start a server, so port 0, URLs, timeouts and closing work the same.

import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { trackResponses } from './lifecycle.js';
import { DEFAULT_SERVER_SETTINGS, type ConnectionSettings } from './settings.js';
import { GRAPHQL_PATH } from './yoga.js';

export interface ServeOptions extends Partial<ConnectionSettings> {
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

/**
 * How often Node looks for connections past headersTimeout or requestTimeout. Node's default is 30 s, which would let
 * a silent socket live up to 30 s past a 10 s timeout; a quarter of the shorter timeout, within [50 ms, 1 s], does not.
 */
export function connectionsCheckingIntervalMs(
  settings: Pick<ConnectionSettings, 'headersTimeoutMs' | 'requestTimeoutMs'>,
) {
  const shortest = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs || Number.POSITIVE_INFINITY);
  return Math.min(1000, Math.max(50, Math.floor(shortest / 4)));
}

/** Resolves once `handler` is listening; rejects when it cannot listen (e.g. EADDRINUSE) rather than emit 'error'. */
export async function serve(handler: RequestListener, options: ServeOptions): Promise<ServedApp> {
  const { host, port } = options;
  const d = DEFAULT_SERVER_SETTINGS;
  const limits: ConnectionSettings = {
    headersTimeoutMs: options.headersTimeoutMs ?? d.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs,
    maxConnections: options.maxConnections ?? d.maxConnections,
  };
  // Node itself throws a less helpful error for this; src/config.ts refuses it naming both variables.
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new RangeError('headersTimeoutMs must not exceed requestTimeoutMs');
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
    },
    handler,
  );
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  // So a graceful drain can tell the responses in flight to close their connection (lifecycle.ts drainAndClose).
  trackResponses(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const origin = originOf(host, bound);
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

function originOf(host: string, port: number): string {
  // An IPv6 literal (e.g. "::") needs brackets in a URL.
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Why host:port cannot be listened on (e.g. EADDRINUSE), as the listen error, or null when it can. */
async function probeListen(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  const probe = createNetServer();
  return new Promise((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/**
 * One plain line saying why the server cannot listen and what to do. `command` is how the user started it (e.g. "npm
 * start"), so the line shows the exact fix.
 */
export function describeListenError(error: unknown, host: string, port: number, command: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `Port ${port} on ${host}`;
  const otherPort = port > 0 && port < 65535 ? port + 1 : 4001;
  if (code === 'EADDRINUSE')
    return `${where} is already in use: set PORT to another port, e.g. PORT=${otherPort} ${command}`;
  if (code === 'EACCES')
    return `${where} needs privileges this process does not have: set PORT to 1024 or above, e.g. PORT=${otherPort > 1024 ? otherPort : 4000} ${command}`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `HOST ${host} is not an address of this machine: set HOST to one that is, e.g. HOST=127.0.0.1 ${command}`;
  const message = error instanceof Error ? error.message : String(error);
  return `Cannot listen on ${host} port ${port} (${message}): check the HOST and PORT settings`;
}

/**
 * Checks that host:port can be listened on before any expensive start-up work; when it cannot, says why in one plain
 * line and exits 1 (see exitAtStartup). serve() can still fail if another process takes the port meanwhile.
 */
export async function ensureCanListen(host: string, port: number, command: string): Promise<void> {
  const problem = await probeListen(host, port);
  if (problem) exitAtStartup(describeListenError(problem, host, port, command));
}

/** Start-up cannot go on: one plain line on stderr (it says what to change, so no stack), then exit 1. */
export function exitAtStartup(line: string): never {
  process.stderr.write(`ods-graphql: ${line}\n`);
  process.exit(1);
}
