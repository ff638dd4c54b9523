// Where the HTTP server listens and what it checks at start-up, with their defaults (src/config.ts reads them).
// The entry points (src/main.ts, src/demo.ts) use these; the request-handling settings live with their plugins.

export interface ServerSettings {
  /** HOST: the interface to listen on (`0.0.0.0` for all). */
  host: string;
  /** PORT: 0 for any free port. */
  port: number;
  /** ORD_STARTUP_PROBE: ask the source once at start whether it answers, and say so plainly in the log. */
  startupProbe: boolean;
}

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  host: '127.0.0.1',
  port: 4000,
  startupProbe: true,
});
