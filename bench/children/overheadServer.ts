// The servers measured by the overhead bench, in their own process: ods-graphql with a warmed cache (also without its budget plugin) and a bare Yoga hello world.
// Prints {"ods", "odsNoBudget", "hello"} URLs once both listen and the cache is warm; exits when its stdin closes (or after 15 minutes).

import { createSchema, createYoga } from 'graphql-yoga';
import { createOdsServer } from '../../src/server/yoga.js';
import { serveOnLoopback, startStack } from '../stack.js';
import { exitWithParent } from './exitWithParent.js';

interface ServerArgs {
  ordBaseUrl: string;
  /** Serve SOURCE=fhir from this ODT simulator instead of ORD (bench/fhir.ts). */
  fhirBaseUrl?: string;
  query: string;
  codes: string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ServerArgs;
const stack = await startStack({
  ordBaseUrl: args.ordBaseUrl,
  ...(args.fhirBaseUrl !== undefined ? { fhirBaseUrl: args.fhirBaseUrl } : {}),
  rateLimit: 1000,
  maxConcurrency: 16,
});
for (let round = 0; round < 2; round++) {
  for (const odsCode of args.codes) await stack.graphql(args.query, { odsCode });
}

const hello = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
});
const helloServer = await serveOnLoopback(hello);
// For diagnosis: the same warmed cache served by createOdsServer without the plugins createApp adds (the upstream budget).
const noBudgetServer = await serveOnLoopback(createOdsServer({ source: stack.app.source, exampleTabs: false }));
const urls = { ods: stack.url, odsNoBudget: noBudgetServer.url, hello: helloServer.url };
process.stdout.write(`${JSON.stringify({ ...urls, cache: stack.cache.stats() })}\n`);

exitWithParent(async () => {
  await helloServer.close();
  await noBudgetServer.close();
  await stack.close();
}, 15);
