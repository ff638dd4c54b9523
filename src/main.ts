// Starts ods-graphql: settings → openApp (ORD or the mirror, shared cache, upstream budget, Yoga) on node:http, at HOST:PORT.
// Probes ORD once at start-up and says plainly when it cannot be reached (the server keeps serving regardless).
// A bad setting or a port it cannot listen on stops it with one plain line on stderr and exit code 1.

import { openApp } from './app.js';
import { loadStartupConfig } from './config.js';
import { createLogger } from './logger.js';
import { installProcessGuards, installShutdownHandlers } from './server/lifecycle.js';
import { describeListenError, exitAtStartup, serve } from './server/serve.js';

const COMMAND = 'npm start';

const config = await loadStartupConfig(COMMAND);
const { host, port } = config.server;
const logger = createLogger(config.logLevel);
installProcessGuards(logger);
const app = await openApp(config, { logger }).catch((error: unknown) =>
  // A mirror that cannot be opened (a bad path, an unreachable PostgreSQL) is one plain line, like a bad setting.
  exitAtStartup(error instanceof Error ? error.message : String(error)),
);
const { source } = app;
const served = await serve(app.yoga, config.server).catch((error: unknown) =>
  exitAtStartup(describeListenError(error, host, port, COMMAND)),
);
logger.info(
  config.source === 'mirror'
    ? { source: 'mirror', mirror: app.mirror?.source.dataAsOf() ?? 'never complete' }
    : { ord: config.ord.baseUrl },
  `ods-graphql listening on ${served.url} (GraphiQL in a browser there)`,
);
if (config.source === 'mirror' && app.mirror?.source.dataAsOf() === null) {
  logger.warn(
    'The mirror has never been complete: run `npm run mirror -- build` or `npm run mirror -- import <file>`.',
  );
}
if (config.source === 'ord' && config.server.startupProbe) {
  source.recordClasses().then(
    () => logger.info(`ORD at ${config.ord.baseUrl} answers`),
    (error: unknown) =>
      logger.warn(
        `ORD at ${config.ord.baseUrl} could not be reached (${error instanceof Error ? error.message : String(error)}). ` +
          'Queries will fail with UPSTREAM_UNAVAILABLE until it can. Run `npm run demo` for an offline demo on the ORD simulator.',
      ),
  );
}

// Requests in flight get SHUTDOWN_GRACE_MS to finish; then ORD connections close.
installShutdownHandlers(served.server, {
  graceMs: config.hardening.shutdownGraceMs,
  logger,
  onClosed: () => app.close(),
});
