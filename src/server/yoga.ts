// The HTTP face of ods-graphql: a GraphQL Yoga instance serving the schema at /graphql, with GraphiQL and example tabs.
// Each request gets fresh loaders over the one shared source; the server's plugins are listed here, in order.

import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createLoaders } from '../loaders/index.js';
import type { Logger } from '../logger.js';
import { exampleOperations } from './examples.js';
import { hardeningPlugins, hardeningYogaOptions, type HardeningOptions } from './plugins/hardening.js';
import { schema, type Context } from '../schema/index.js';
import type { OrganisationSource } from '../sources/types.js';
import { useArgumentNames } from './plugins/argumentNames.js';
import { useSourceErrors } from './plugins/sourceErrors.js';
import { useGraphiql, type GraphiqlSettings } from './plugins/graphiql.js';
import { useSecurityHeaders } from './plugins/securityHeaders.js';
import { useFixedParseErrors } from './plugins/requestParse.js';
import { useResponseBounds, type ResponseBoundsSettings } from './plugins/responseBounds.js';

export interface OdsServerOptions {
  source: OrganisationSource;
  logger?: Logger;
  /**
   * Limits, CSRF, CORS, masking, request ids, /health and /ready, error logs (src/server/plugins/hardening.ts); defaults
   * when omitted.
   */
  hardening?: HardeningOptions;
  /** MAX_RESPONSE_BYTES and MAX_RESULT_OBJECTS (src/server/plugins/responseBounds.ts); defaults when omitted. */
  responseBounds?: Partial<ResponseBoundsSettings>;
  /** Offer the example operations from schema/operations/ as GraphiQL tabs (default true). */
  exampleTabs?: boolean;
  /** GraphiQL on or off (src/server/plugins/graphiql.ts; GRAPHIQL, default on). */
  graphiql?: Partial<GraphiqlSettings>;
  /** The source's today, for arguments relative to it (default: today's UTC date; the simulator has its own). */
  today?: () => string;
  /** More plugins, run after the server's own (src/app.ts adds the upstream budget, src/server/plugins/budget.ts). */
  plugins?: Plugin<Context>[];
}

export type OdsServer = YogaServerInstance<Record<string, unknown>, Context>;

export const GRAPHQL_PATH = '/graphql';

function yogaLogger(logger: Logger) {
  const at =
    (level: keyof Logger) =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else if (typeof first === 'string') logger[level](rest.length ? { details: rest } : {}, first);
      else logger[level]({ details: args }, 'graphql-yoga');
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A Yoga server over `source`: GraphQL at /graphql (GraphiQL in a browser there). Mount it on node:http. */
export function createOdsServer({
  source,
  logger,
  exampleTabs = true,
  hardening = {},
  graphiql = {},
  responseBounds = {},
  plugins = [],
  today = () => new Date().toISOString().slice(0, 10),
}: OdsServerOptions): OdsServer {
  const examples = exampleTabs ? exampleOperations() : [];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // GraphiQL is served by useGraphiql instead: a small page and cacheable assets, from the package (no CDN: offline).
    graphiql: false,
    context: () => ({ source, loaders: createLoaders(source), today }),
    ...hardeningYogaOptions(hardening),
    // Source errors are translated first: onExecuteDone hooks run in this order, so the error log (in hardening) and
    // Yoga's masking (after every plugin here) see the client's errors.
    // The response bounds first of all: a result they refuse is replaced before anything else looks at it.
    plugins: [
      useResponseBounds(responseBounds),
      useSourceErrors(),
      ...hardeningPlugins(hardening, logger),
      useSecurityHeaders(),
      useFixedParseErrors(),
      useGraphiql({
        settings: graphiql,
        graphqlEndpoint: GRAPHQL_PATH,
        title: 'ods-graphql: the NHS organisation graph',
        tabs: examples.map((e) => ({ query: e.query, variables: e.variables })),
      }),
      useArgumentNames(),
      ...plugins,
    ],
    ...(logger ? { logging: yogaLogger(logger) } : {}),
  });
}
