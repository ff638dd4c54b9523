// Starts ods-graphql: settings → createApp (ORD client, shared cache, upstream budget, Yoga) on node:http, at HOST:PORT.
// Probes ORD once at start-up and says plainly when it cannot be reached (the server keeps serving regardless).

import { createApp } from './app.js';
import { graphqlServerSettingsFromEnv, hardeningSettingsFromEnv, settingsFromEnv, upstreamEfficiencySettingsFromEnv } from './config.js';
import { createLogger } from './logger.js';
import { installProcessGuards, installShutdownHandlers } from './server/lifecycle.js';
import { serve } from './server/serve.js';

const settings = settingsFromEnv();
const serverSettings = graphqlServerSettingsFromEnv();
const logger = createLogger(serverSettings.logLevel);
const hardening = hardeningSettingsFromEnv();
installProcessGuards(logger);
const app = createApp({ ord: settings.ord, upstream: upstreamEfficiencySettingsFromEnv(), hardening }, { logger });
const { source } = app;
const served = await serve(app.yoga, settings.server);
logger.info({ ord: settings.ord.baseUrl }, `ods-graphql listening on ${served.url} (GraphiQL in a browser there)`);
if (serverSettings.startupProbe) {
  source.recordClasses().then(
    () => logger.info(`ORD at ${settings.ord.baseUrl} answers`),
    (error: unknown) =>
      logger.warn(
        `ORD at ${settings.ord.baseUrl} could not be reached (${error instanceof Error ? error.message : String(error)}). ` +
          'Queries will fail with UPSTREAM_UNAVAILABLE until it can. Run `npm run demo` for an offline demo on the ORD simulator.',
      ),
  );
}

// Requests in flight get SHUTDOWN_GRACE_MS to finish; then ORD connections close.
installShutdownHandlers(served.server, { graceMs: hardening.shutdownGraceMs, logger, onClosed: () => app.close() });
