// The HTTP face of ods-graphql: a GraphQL Yoga instance serving the schema at /graphql, with GraphiQL and example tabs.
// Each request gets fresh loaders over the one shared source; input errors get their argument named here.

import type { DocumentNode, GraphQLError } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createLoaders } from '../loaders/index.js';
import type { Logger } from '../logger.js';
import { exampleOperations } from './examples.js';
import { hardeningPlugins, hardeningYogaOptions, type HardeningOptions } from './plugins/hardening.js';
import { schema, type Context } from '../schema/index.js';
import { isGraphQLError, nameArguments } from '../schema/errors.js';
import type { OrganisationSource } from '../sources/types.js';
import { isExecutionResult } from './results.js';

export interface OdsServerOptions {
  source: OrganisationSource;
  logger?: Logger;
  /** Limits, CSRF, CORS, masking, request ids, /health and /ready, error logs (src/server/hardening.ts); defaults when omitted. */
  hardening?: HardeningOptions;
  /** Offer the example operations from schema/operations/ as GraphiQL tabs (default true). */
  exampleTabs?: boolean;
  /** More plugins, run after the server's own (src/app.ts adds the upstream budget, src/server/upstream.ts). */
  plugins?: Plugin<Context>[];
}

export type OdsServer = YogaServerInstance<Record<string, unknown>, Context>;

export const GRAPHQL_PATH = '/graphql';

/**
 * Gives BAD_USER_INPUT errors raised while coercing arguments and variables (e.g. a malformed Date) the name of the
 * argument they belong to: scalars cannot know it, the document can.
 */
function useArgumentNames(): Plugin<Context> {
  return {
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        const graphqlErrors = result.filter((e): e is GraphQLError => isGraphQLError(e));
        setResult([...nameArguments(params.documentAST, graphqlErrors), ...result.filter((e) => !isGraphQLError(e))]);
      };
    },
    onExecute({ args }) {
      const document: DocumentNode = args.document;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isExecutionResult(result) || !result.errors?.length || result.data !== undefined) return;
          // Only variable-coercion failures end with no data at all; name their arguments.
          setResult({ ...result, errors: nameArguments(document, result.errors) });
        },
      };
    },
  };
}

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
export function createOdsServer({ source, logger, exampleTabs = true, hardening = {}, plugins = [] }: OdsServerOptions): OdsServer {
  const examples = exampleTabs ? exampleOperations() : [];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // GraphiQL served from the package itself rather than a CDN, so the offline demo has a working GraphiQL too.
    renderGraphiQL,
    context: () => ({ source, loaders: createLoaders(source) }),
    ...hardeningYogaOptions(hardening),
    plugins: [...hardeningPlugins(hardening, logger), useArgumentNames(), ...plugins],
    ...(logger ? { logging: yogaLogger(logger) } : {}),
    graphiql: {
      title: 'ods-graphql: the NHS organisation graph',
      ...(examples.length
        ? { defaultTabs: examples.map((e) => ({ query: e.query, variables: e.variables })) }
        : {}),
    },
  });
}
