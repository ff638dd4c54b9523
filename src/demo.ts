// Offline demo: starts the ORD simulator (tier full) on a free port and ods-graphql pointed at it, then prints both URLs.
// Ctrl-C stops both. The ORD rate limit defaults to 100/s here (the simulator is local); ORD_RATE_LIMIT overrides it.
// Settings and the port are checked before the dataset is built (~9 s), so a mistake is one plain line at once.

import { createApp } from './app.js';
import { loadStartupConfig } from './config.js';
import { createLogger } from './logger.js';
import { installProcessGuards, installShutdownHandlers } from './server/lifecycle.js';
import { describeListenError, exitAtStartup, serve } from './server/serve.js';
import { startOrdSimulator } from './simulators/ord/server.js';

const SAMPLE_QUERY = `{
  organisation(odsCode: "RWR") {
    name
    address { town postcode }
    relationships(status: ACTIVE) { type { displayName } target { odsCode name } }
    inboundRelationships(types: ["RE6"], first: 5) { totalCount edges { node { odsCode name } } }
  }
}`;

const COMMAND = 'npm run demo';

const config = await loadStartupConfig(COMMAND);
const { host, port } = config.server;
const logger = createLogger(config.logLevel);
const { hardening } = config;
installProcessGuards(logger);

logger.info('Loading the full ORD dataset into the simulator (this takes a few seconds)…');
const sim = await startOrdSimulator({ tier: 'full', port: 0 });
const ordSettings = {
  ...config.ord,
  baseUrl: sim.baseUrl,
  rateLimit: process.env.ORD_RATE_LIMIT ? config.ord.rateLimit : 100,
};
// The change feed (when ORD_SYNC_POLL_MINUTES is set) asks the simulator with the simulator's own "today".
const app = createApp({ ...config, ord: ordSettings }, { logger, today: () => sim.today });
const { server, url } = await serve(app.yoga, config.server).catch(async (error: unknown) => {
  await sim.close();
  return exitAtStartup(describeListenError(error, host, port, COMMAND));
});

console.log(`
ORD simulator (tier full, ${sim.organisationCount} organisations, today ${sim.today}): ${sim.baseUrl}
ods-graphql:  ${url}   (open it in a browser for GraphiQL, with the example operations as tabs)

Try:
curl -s ${url} -H 'content-type: application/json' \\
  -d '${JSON.stringify({ query: SAMPLE_QUERY.replace(/\s+/g, ' ') })}'

Ctrl-C stops both.
`);

// The same graceful shutdown as `npm start`: requests in flight finish, then ORD connections and the simulator close.
installShutdownHandlers(server, {
  graceMs: hardening.shutdownGraceMs,
  logger,
  onClosed: async () => {
    await app.close();
    await sim.close();
  },
});
