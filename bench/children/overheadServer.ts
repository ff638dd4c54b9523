// The servers measured by the overhead bench, in their own process: ods-graphql with a warmed cache (also without its budget plugin) and a bare Yoga hello world.
// Prints {"ods", "odsNoBudget", "hello"} URLs once both listen and the cache is warm; exits when its stdin closes (or after 15 minutes).

import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { createOdsServer } from '../../src/server/yoga.js';
import { closeServer, listen, startStack } from '../stack.js';

interface ServerArgs {
  ordBaseUrl: string;
  query: string;
  codes: string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ServerArgs;
const stack = await startStack({ ordBaseUrl: args.ordBaseUrl, rateLimit: 1000, maxConcurrency: 16 });
for (let round = 0; round < 2; round++) {
  for (const odsCode of args.codes) await stack.graphql(args.query, { odsCode });
}

const hello = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
});
const helloServer = createServer(hello);
const { url: helloUrl } = await listen(helloServer, '/graphql');
// For diagnosis: the same warmed cache served by createOdsServer without the plugins createApp adds (the upstream budget).
const noBudgetServer = createServer(createOdsServer({ source: stack.app.source, exampleTabs: false }));
const { url: noBudgetUrl } = await listen(noBudgetServer, '/graphql');
process.stdout.write(`${JSON.stringify({ ods: stack.url, odsNoBudget: noBudgetUrl, hello: helloUrl, cache: stack.cache.stats() })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await closeServer(helloServer);
  await closeServer(noBudgetServer);
  await stack.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
setTimeout(() => void stop(), 15 * 60_000).unref();
