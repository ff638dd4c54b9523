// The whole stack for GraphQL tests, over real HTTP: ORD simulator → OrdClient → OrdOrganisationSource → Yoga on node:http.
// Tests post GraphQL to it and count ORD calls from the simulator's request log; nothing is mocked.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import type { OrdDataset } from '../../src/dataset/types.js';
import { OrdClient } from '../../src/ord/client.js';
import { createOdsServer } from '../../src/server/yoga.js';
import { startOrdSimulator } from '../../src/simulator/server.js';
import type { OrdSimulator, RequestLogEntry } from '../../src/simulator/types.js';
import { OrdOrganisationSource } from '../../src/source/ord.js';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; argumentName?: string; [key: string]: unknown };
  }[];
}

export interface Stack {
  sim: OrdSimulator;
  client: OrdClient;
  source: OrdOrganisationSource;
  /** e.g. http://127.0.0.1:PORT/graphql */
  url: string;
  /** Posts one GraphQL operation (a string or a typed document) over HTTP and returns the parsed JSON body. */
  gql<TData = Record<string, any>, TVars = Record<string, unknown>>(
    query: string | TypedDocumentNode<TData, TVars> | DocumentNode,
    variables?: TVars,
  ): Promise<GraphQLResponse<TData>>;
  /** ORD calls logged since the last clearLog, optionally of one endpoint ("organisation", "search", …). */
  calls(endpoint?: string): RequestLogEntry[];
  close(): Promise<void>;
}

export interface StackOptions {
  tier?: 'small' | 'full';
  /** Serve this dataset instead of a tier. */
  dataset?: OrdDataset;
  maxRetries?: number;
  timeoutMs?: number;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startOrdSimulator({
    port: 0,
    ...(options.dataset ? { dataset: options.dataset } : { tier: options.tier ?? 'small' }),
  });
  const client = new OrdClient(
    {
      baseUrl: sim.baseUrl,
      rateLimit: 1000,
      maxConcurrency: 16,
      timeoutMs: options.timeoutMs ?? 2_000,
      maxRetries: options.maxRetries ?? 0,
    },
    { baseDelayMs: 5, maxDelayMs: 20, pacerGuardMs: 0 },
  );
  const source = new OrdOrganisationSource(client);
  const yoga = createOdsServer({ source });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  const gql: Stack['gql'] = async (query, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query as DocumentNode), variables }),
    });
    const body = (await response.json()) as GraphQLResponse<never>;
    return { ...body, status: response.status };
  };

  return {
    sim,
    client,
    source,
    url,
    gql,
    calls: (endpoint) => sim.requests().filter((r) => endpoint === undefined || r.endpoint === endpoint),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
      await sim.close();
    },
  };
}

/** Calls to ORD for organisation data: full-record fetches plus searches (code systems are memoised per process). */
export function dataCalls(stack: Stack): RequestLogEntry[] {
  return stack.calls().filter((r) => r.endpoint === 'organisation' || r.endpoint === 'search' || r.endpoint === 'sync');
}
