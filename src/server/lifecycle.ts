// Process lifecycle for the HTTP server: graceful shutdown on SIGTERM/SIGINT that drains requests in flight within a
// grace period (SHUTDOWN_GRACE_MS) before closing what is left, and a guard that logs unhandled rejections, not exits.

import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from '../logger.js';

/**
 * During a drain, a keep-alive connection with no request in progress is closed only once it has been quiet this long.
 * Closing it the moment it goes idle races the client, which reuses a socket as soon as it has read an answer: its
 * next request is already on the wire when the close arrives, and it is reset instead of refused.
 */
export const DRAIN_QUIET_MS = 1000;

interface ConnectionState {
  /** Requests on this connection whose response has not finished. */
  busy: number;
  /** When it last had nothing in progress (connect time, or its last response's end). */
  idleSince: number;
  /** socket.bytesRead when drain sweeps started finding it quiet (null: not yet). */
  quietAtBytes: number | null;
  /** Drain sweeps in a row that found it quiet with bytesRead unchanged. */
  quietSweeps: number;
}

interface Tracked {
  connections: Map<Socket, ConnectionState>;
  /** Responses not finished yet: a drain marks those not yet started `Connection: close`. */
  responses: Set<ServerResponse>;
  draining: boolean;
}

/** What serve() records about each server it makes, for drainAndClose. */
const tracked = new WeakMap<Server, Tracked>();

/**
 * Records `server`'s connections and unfinished responses, so a drain can mark responses `Connection: close` before
 * their headers go out and close connections only once they are quiet. Idempotent; serve() calls it.
 */
export function trackResponses(server: Server): void {
  if (tracked.has(server)) return;
  const state: Tracked = { connections: new Map(), responses: new Set(), draining: false };
  tracked.set(server, state);
  server.on('connection', (socket: Socket) => {
    state.connections.set(socket, { busy: 0, idleSince: Date.now(), quietAtBytes: null, quietSweeps: 0 });
    socket.once('close', () => state.connections.delete(socket));
  });
  // Before the app's own listener, so the header is set before the app can send anything.
  server.prependListener('request', (req, res: ServerResponse) => {
    const connection = state.connections.get(req.socket);
    if (connection) {
      connection.busy++;
      connection.quietAtBytes = null;
      connection.quietSweeps = 0;
    }
    const done = () => {
      state.responses.delete(res);
      if (connection) {
        connection.busy--;
        connection.idleSince = Date.now();
      }
    };
    res.once('close', done);
    if (state.draining) res.setHeader('connection', 'close');
    else state.responses.add(res);
  });
}

/** Marks `state`'s server as draining: responses not yet started, and every later one, say `Connection: close`. */
function closeConnectionsAfterResponses(state: Tracked): void {
  state.draining = true;
  for (const res of state.responses) if (!res.headersSent) res.setHeader('connection', 'close');
  state.responses.clear();
}

/**
 * Sweeps in a row that must find a connection quiet before it is closed. After an event-loop stall the wall clock says
 * "quiet for long" although this process has not looked: the timer runs before the socket reads, and a client that was
 * stalled too reads its answer and sends its next request one loop turn later still. Three sweeps, each in its own loop
 * turn, see that request arrive.
 */
const QUIET_SWEEPS = 3;

/**
 * Closes the connections that have had nothing in progress for DRAIN_QUIET_MS, as seen by QUIET_SWEEPS sweeps in a row
 * with no byte read in between (a request whose head has only partly arrived shows in bytesRead).
 */
function closeQuietConnections(state: Tracked): void {
  const now = Date.now();
  for (const [socket, connection] of state.connections) {
    if (connection.busy > 0 || now - connection.idleSince < DRAIN_QUIET_MS) continue;
    if (connection.quietAtBytes !== socket.bytesRead) {
      connection.quietAtBytes = socket.bytesRead;
      connection.quietSweeps = 1;
    } else if (++connection.quietSweeps >= QUIET_SWEEPS) socket.destroy();
  }
}

export interface ShutdownOptions {
  /** How long requests in flight may take to finish before their connections are closed (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  logger?: Logger;
  /** Runs after the server has closed (e.g. closing ORD connections). */
  onClosed?: () => Promise<void> | void;
}

/**
 * Stops accepting connections and lets busy ones finish their request, answered with `Connection: close` so the client
 * opens a new connection for its next request and is refused, not reset. Connections with nothing in progress are
 * closed once quiet for DRAIN_QUIET_MS; after `graceMs` any still open are closed. Resolves when everything is closed.
 */
export async function drainAndClose(server: Server, { graceMs, logger, onClosed }: ShutdownOptions): Promise<void> {
  const state = tracked.get(server);
  let sweep: NodeJS.Timeout;
  let closed: Promise<void>;
  if (state) {
    closeConnectionsAfterResponses(state);
    // net.Server's close stops listening and waits for the connections; http.Server's would also close the idle ones
    // at once, which is the race DRAIN_QUIET_MS avoids.
    closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    closeQuietConnections(state);
    sweep = setInterval(() => closeQuietConnections(state), 50);
  } else {
    // A server serve() did not make: Node's own drain (idle connections closed at once).
    closed = new Promise<void>((resolve) => server.close(() => resolve()));
    sweep = setInterval(() => server.closeIdleConnections(), 100);
  }
  const grace = setTimeout(() => {
    logger?.warn({ graceMs }, 'shutdown grace period over: closing connections still busy');
    server.closeAllConnections();
  }, graceMs);
  grace.unref();
  sweep.unref();
  try {
    await closed;
  } finally {
    clearTimeout(grace);
    clearInterval(sweep);
  }
  await onClosed?.();
}

/** SIGTERM/SIGINT → drain and close once, then exit 0 (1 if closing failed). A second signal exits at once. */
export function installShutdownHandlers(server: Server, options: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger?.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    options.logger?.info({ signal, graceMs: options.graceMs }, 'shutting down: draining requests in flight');
    drainAndClose(server, options).then(
      () => process.exit(0),
      (error: unknown) => {
        options.logger?.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Logs unhandled rejections instead of letting Node's default (exit) take the server down. Idempotent. */
let guardsInstalled = false;
export function installProcessGuards(logger: Logger): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error(
      { err: reason instanceof Error ? { message: reason.message, stack: reason.stack } : { value: String(reason) } },
      'unhandled promise rejection (kept running)',
    );
  });
}
