// Offline demo: starts the ORD simulator (tier full) on a free port and ods-graphql pointed at it, then prints both URLs.
// `--mirror`: serves from a local mirror built from the simulator once (var/demo-mirror.sqlite, resumed or reused).
// Ctrl-C stops both. The ORD rate limit defaults to 100/s here (the simulator is local); ORD_RATE_LIMIT overrides it.
// Settings and the port are checked before the dataset is built (~9 s), so a mistake is one plain line at once.

import { createApp, type App } from './app.js';
import { fromPackageRoot } from './paths.js';
import { buildMirror } from './sources/mirror/baseline.js';
import { openMirrorStore } from './sources/mirror/open.js';
import { createProgress } from './sources/mirror/progress.js';
import { MirrorOrganisationSource } from './sources/mirror/source.js';
import { OrdClient } from './sources/ord/client.js';
import { OrdOrganisationSource } from './sources/ord/source.js';
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
const USE_MIRROR = process.argv.includes('--mirror');
/** The demo's own mirror file (not MIRROR_URL's), so trying the demo never touches a real mirror. */
const DEMO_MIRROR_URL = `sqlite:${fromPackageRoot('var', 'demo-mirror.sqlite')}`;
/** The simulator has no rate limit: the demo's crawl runs as fast as the two of them can go. */
const DEMO_BUILD_RATE = 1000;

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
const app: App = USE_MIRROR
  ? await mirrorApp()
  : createApp({ ...config, ord: ordSettings }, { logger, today: () => sim.today });

/** The demo served from its mirror: built from the simulator the first time (or resumed), then reused. */
async function mirrorApp(): Promise<App> {
  const store = await openMirrorStore(DEMO_MIRROR_URL);
  if ((await store.getState('completeAsOf')) === null) {
    logger.info(`Building the demo's mirror from the simulator into ${DEMO_MIRROR_URL} (once; later runs reuse it)…`);
    const client = new OrdClient({ ...ordSettings, rateLimit: DEMO_BUILD_RATE, maxConcurrency: 32 });
    try {
      const built = await buildMirror(new OrdOrganisationSource(client), store, {
        sourceName: sim.baseUrl,
        concurrency: 32,
        // The simulator's today, not the wall clock's: the watermark then matches the data, as it would against ORD.
        now: () => new Date(`${sim.today}T00:00:00Z`),
        progress: (options) => createProgress(options),
        logger,
      });
      logger.info(`Mirror built: ${built.queue.done} records.`);
    } finally {
      await client.close();
    }
  }
  const source = await MirrorOrganisationSource.open(store, { recordCacheSize: config.mirror.recordCacheSize });
  const mirrored = createApp(
    {
      ...config,
      ord: ordSettings,
      source: 'mirror',
      mirror: { ...config.mirror, url: DEMO_MIRROR_URL, maxAgeHours: 24 * 365 * 10 },
    },
    { logger, today: () => sim.today, mirror: { store, source } },
  );
  return {
    ...mirrored,
    close: async () => {
      await mirrored.close();
      await store.close();
    },
  };
}
const { server, url } = await serve(app.yoga, config.server).catch(async (error: unknown) => {
  await sim.close();
  return exitAtStartup(describeListenError(error, host, port, COMMAND));
});

console.log(`
ORD simulator (tier full, ${sim.organisationCount} organisations, today ${sim.today}): ${sim.baseUrl}
ods-graphql:  ${url}   (open it in a browser for GraphiQL, with the example operations as tabs)${
  USE_MIRROR
    ? `\nserving from: the mirror ${DEMO_MIRROR_URL} (no ORD call; \`npm run mirror -- status\` with MIRROR_URL set to it)`
    : ''
}

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
