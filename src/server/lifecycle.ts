// Process lifecycle for the HTTP server: graceful shutdown on SIGTERM/SIGINT that drains requests in flight within a
// grace period (SHUTDOWN_GRACE_MS), then closes whatever is left, so a deploy never cuts a request that could finish.

import type { Server } from 'node:http';
import type { LogSink } from './plugins/logging.js';

export interface ShutdownOptions {
  /** How long requests in flight may take to finish before their connections are closed (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  logger?: LogSink;
  /** Runs after the server has closed (e.g. closing ORD connections). */
  onClosed?: () => Promise<void> | void;
}

/**
 * Stops accepting connections, closes idle keep-alive ones at once, lets busy ones finish their request (Node answers
 * them with `Connection: close`), and after `graceMs` closes any still open. Resolves when everything is closed.
 */
export async function drainAndClose(server: Server, { graceMs, logger, onClosed }: ShutdownOptions): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Connections that finish their request meanwhile become idle: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
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
