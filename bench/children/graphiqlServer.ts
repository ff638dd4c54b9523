// The server measured by the GraphiQL bench, in its own process so its memory is its own: ods-graphql as createApp
// builds it (example tabs on), with ORD pointed nowhere (GraphiQL needs no ORD). Prints {"url","pid"}; exits when stdin closes.

import { createApp } from '../../src/app.js';
import { benchSettings, serveOnLoopback } from '../stack.js';
import { exitWithParent } from './exitWithParent.js';

// Port 9 (discard) on loopback: nothing the GraphiQL page or its assets do calls ORD.
const app = createApp(benchSettings({ ordBaseUrl: 'http://127.0.0.1:9/ORD/2-0-0/' }));
const served = await serveOnLoopback(app.yoga);
process.stdout.write(`${JSON.stringify({ url: served.url, pid: process.pid })}\n`);

exitWithParent(async () => {
  await served.close();
  await app.close();
}, 15);
