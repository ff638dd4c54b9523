// The one logger shape every module writes to (pino satisfies it), and the pino logger the entry points create.
// Modules take a Logger rather than pino itself, so tests can capture log lines with a plain object.

import { pino } from 'pino';

/** Structured log methods: an object of fields and a message, or just a message. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** pino's levels (LOG_LEVEL), quietest last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** JSON log lines on stdout at `level` (LOG_LEVEL), each tagged with the service name. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'ods-graphql' } });
}
