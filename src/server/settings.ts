// Where the HTTP server listens, how long it lets a connection take, and what it checks at start-up, with their
// defaults (src/config.ts reads them). The entry points (src/main.ts, src/demo.ts) and serve() use these.

export interface ServerSettings {
  /** HOST: the interface to listen on (`0.0.0.0` for all). */
  host: string;
  /** PORT: 0 for any free port. */
  port: number;
  /** ORD_STARTUP_PROBE: ask the source once at start whether it answers, and say so plainly in the log. */
  startupProbe: boolean;
  /**
   * SERVER_HEADERS_TIMEOUT_MS: a connection that has not sent a whole request head this long after it opened (or after
   * its request began) gets 408 and is closed. This is what closes a socket that never sends a byte, and slowloris.
   */
  headersTimeoutMs: number;
  /** SERVER_REQUEST_TIMEOUT_MS: a request whose body has not fully arrived this long after it began gets 408 (≥ headers). */
  requestTimeoutMs: number;
  /** SERVER_KEEP_ALIVE_TIMEOUT_MS: an idle keep-alive connection between requests is closed after this. */
  keepAliveTimeoutMs: number;
  /** SERVER_MAX_CONNECTIONS: sockets open at once; the next one is closed on arrival (0 = no cap). */
  maxConnections: number;
}

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  host: '127.0.0.1',
  port: 4000,
  startupProbe: true,
  // With the check every second (serve.ts), a silent socket is gone within 11 s; Node's own default is 60 s.
  headersTimeoutMs: 10_000,
  // Bodies are at most GRAPHQL_MAX_BODY_BYTES (100 KiB): 30 s is generous; Node's default is 300 s.
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  // Far below the file-handle limit (often 20k or 1024 per process), far above one replica's useful concurrency.
  maxConnections: 2_000,
});

/** The connection settings serve() applies (the listening address aside). */
export type ConnectionSettings = Pick<
  ServerSettings,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;
