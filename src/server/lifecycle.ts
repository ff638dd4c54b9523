// Process lifecycle for the HTTP server: graceful shutdown on SIGTERM/SIGINT that drains requests in flight within a
// grace period (SHUTDOWN_GRACE_MS) before closing what is left, and a guard that logs unhandled rejections, not exits.

import type { Server } from 'node:http';
import type { Logger } from '../logger.js';

export interface ShutdownOptions {
  /** How long requests in flight may take to finish before their connections are closed (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  logger?: Logger;
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
