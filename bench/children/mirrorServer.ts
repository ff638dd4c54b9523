// ods-graphql serving from a mirror (SOURCE=mirror) in its own process, ORD pointed at a simulator to prove no call goes
// there. Prints {"url", "pid"} once listening; exits when its stdin closes (or after 30 minutes).

import { appSettingsFromEnv, openApp } from '../../src/app.js';
import { serve } from '../../src/server/serve.js';
import { exitWithParent } from './exitWithParent.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { mirrorUrl: string; ordBaseUrl: string };
const settings = appSettingsFromEnv({
  SOURCE: 'mirror',
  MIRROR_URL: args.mirrorUrl,
  ORD_BASE_URL: args.ordBaseUrl,
  MIRROR_MAX_AGE_HOURS: '8760', // the most it takes: the full tier's data is months old on the wall clock
  RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
  RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '0',
  MAX_RESULT_OBJECTS: '1000000',
  GRAPHQL_MAX_COST: '10000000',
});
const app = await openApp(settings, { exampleTabs: false });
const served = await serve(app.yoga, { host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: served.url, pid: process.pid })}\n`);
exitWithParent(async () => {
  await served.close();
  await app.close();
}, 30);
