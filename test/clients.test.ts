// The published client cache configuration (schema/clients/) with real Apollo Client and urql + Graphcache, over HTTP
// against the whole stack: no cache warnings on every example operation, pages merged, urql's GET with the CSRF header.

import { ApolloClient, HttpLink, InMemoryCache, gql as apolloGql, type DocumentNode } from '@apollo/client';
import { __DEV__ as apolloDevBuild } from '@apollo/client/utilities/environment';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apolloCacheConfig } from '../schema/clients/apollo.js';
import { CONNECTION_FIELDS, EMBEDDED_TYPES, IDENTIFIED_TYPES, POSSIBLE_TYPES } from '../schema/clients/shape.js';
import { urqlCacheConfig } from '../schema/clients/urql.js';
import { fromPackageRoot } from '../src/paths.js';
import { exampleOperations } from '../src/server/examples.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tier: 'small' });
});
afterAll(async () => {
  await stack?.close();
});

const examples = exampleOperations().map((op) => ({
  name: op.name,
  query: op.query,
  variables: op.variables ? (JSON.parse(op.variables) as Record<string, unknown>) : {},
}));

/** The organisations the examples start from, each also read in full and as a summary to make the selections overlap. */
const CODES = [
  ...new Set(examples.map((op) => op.variables.odsCode).filter((c): c is string => typeof c === 'string')),
];

const CARD = examples.find((op) => op.name === 'OrganisationCard')!.query;
const PRIMARY_ROLE_IN_FULL = `query PrimaryRoleInFull($odsCode: String!) {
  organisation(odsCode: $odsCode) { id primaryRole { isPrimary status type { id displayName } operationalPeriod { start end } legalPeriod { start end } } }
}`;
const SUMMARY = `query Summary($odsCode: String!) {
  organisation(odsCode: $odsCode) { id name address { postcode } primaryRole { type { id } } operationalPeriod { start } }
}`;

/** Every example operation, after a full and before a partial read of the same organisations: where data could be lost. */
const SEQUENCE: { query: string; variables: Record<string, unknown> }[] = [
  ...CODES.flatMap((odsCode) => [
    { query: CARD, variables: { odsCode } },
    { query: PRIMARY_ROLE_IN_FULL, variables: { odsCode } },
  ]),
  ...examples,
  ...CODES.map((odsCode) => ({ query: SUMMARY, variables: { odsCode } })),
];

const SEARCH_PAGE = `query Page($first: Int!, $after: String) {
  searchOrganisations(filter: { primaryRole: "RO177" }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id odsCode name } }
  }
}`;
interface Page {
  searchOrganisations: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; odsCode: string; name: string } }[];
  };
}

/** A result as the server sent it: Apollo adds `__typename` to every selection. */
function withoutTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__typename')
      .map(([key, v]) => [key, withoutTypename(v)]),
  );
}

const warnings: string[] = [];
function captureConsoleWarnings(): void {
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  });
}
afterEach(() => {
  vi.restoreAllMocks();
  warnings.length = 0;
});

function apolloClient(cache: InMemoryCache): ApolloClient {
  return new ApolloClient({ link: new HttpLink({ uri: stack.url }), cache });
}

async function runThroughApollo(client: ApolloClient): Promise<void> {
  for (const { query, variables } of SEQUENCE) {
    const result = await client.query({ query: apolloGql(query), variables, fetchPolicy: 'network-only' });
    expect(result.error).toBeUndefined();
  }
}

describe('the published configuration covers the schema', () => {
  const schema = buildSchema(readFileSync(fromPackageRoot('schema', 'schema.graphql'), 'utf8'));
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
  );

  it('every id-less object type is embedded; every type with an id is normalised on it', () => {
    const named = objectTypes.filter((t) => t.name !== 'Query');
    expect([...EMBEDDED_TYPES].sort()).toEqual(
      named
        .filter((t) => !t.getFields().id)
        .map((t) => t.name)
        .sort(),
    );
    expect([...IDENTIFIED_TYPES].sort()).toEqual(
      named
        .filter((t) => t.getFields().id)
        .map((t) => t.name)
        .sort(),
    );
  });

  it('every connection field is paged, keyed on all its arguments but first/after', () => {
    const found: Record<string, Record<string, string[]>> = {};
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        if (!getNamedType(field.type).name.endsWith('Connection')) continue;
        (found[type.name] ??= {})[field.name] = field.args
          .map((a) => a.name)
          .filter((a) => a !== 'first' && a !== 'after');
      }
    }
    const published = Object.fromEntries(
      Object.entries(CONNECTION_FIELDS).map(([type, fields]) => [
        type,
        Object.fromEntries(Object.entries(fields).map(([field, keyArgs]) => [field, [...keyArgs].sort()])),
      ]),
    );
    expect(found).toEqual(published);
  });

  it('possible types are the schema’s', () => {
    const interfaces = Object.values(schema.getTypeMap()).filter(isInterfaceType);
    expect(Object.fromEntries(interfaces.map((i) => [i.name, schema.getPossibleTypes(i).map((t) => t.name)]))).toEqual(
      POSSIBLE_TYPES,
    );
  });
});

describe('Apollo Client with apolloCacheConfig', () => {
  it('runs in its development build, where the data-loss warnings are given', () => {
    expect(apolloDevBuild).toBe(true);
  });

  it('every example operation, with overlapping selections: no "Cache data may be lost", and nothing is lost', async () => {
    expect(CODES).toEqual(expect.arrayContaining(['RAL', 'RWR', 'RVVKC']));
    captureConsoleWarnings();
    const cache = new InMemoryCache(apolloCacheConfig);
    const client = apolloClient(cache);
    await runThroughApollo(client);
    expect(warnings).toEqual([]);
    // The partial reads merged into the full ones: every full card is still answered from the cache alone.
    for (const odsCode of CODES) {
      const card = await client.query({ query: apolloGql(CARD), variables: { odsCode }, fetchPolicy: 'cache-only' });
      const fresh = await stack.gql(CARD, { odsCode });
      expect(withoutTypename(card.data)).toEqual(fresh.data);
    }
    // Organisations are normalised on their global id.
    const { id } = (await stack.gql(CARD, { odsCode: CODES[0] })).data!.organisation as { id: string };
    expect(cache.identify({ __typename: 'Organisation', id })).toBe(`Organisation:${id}`);
    expect(cache.extract()[`Organisation:${id}`]).toMatchObject({ odsCode: CODES[0] });
  });

  it('fetchMore on a connection appends the next page to the first (relayStylePagination)', async () => {
    const client = apolloClient(new InMemoryCache(apolloCacheConfig));
    const query: DocumentNode = apolloGql(SEARCH_PAGE);
    const observable = client.watchQuery<Page>({ query, variables: { first: 5 } });
    const subscription = observable.subscribe(() => {});
    try {
      const first = await client.query<Page>({ query, variables: { first: 5 } });
      const firstPage = first.data!.searchOrganisations;
      expect(firstPage.edges).toHaveLength(5);
      await observable.fetchMore({ variables: { after: firstPage.pageInfo.endCursor } });
      const merged = client.readQuery<Page>({ query, variables: { first: 5 } })!.searchOrganisations;
      const direct = (await stack.gql<Page>(SEARCH_PAGE, { first: 10 })).data!.searchOrganisations;
      expect(merged.edges.map((e) => e.node.odsCode)).toEqual(direct.edges.map((e) => e.node.odsCode));
      expect(merged.edges).toHaveLength(10);
      expect(merged.totalCount).toBe(direct.totalCount);
      expect(merged.pageInfo.endCursor).toBe(direct.pageInfo.endCursor);
    } finally {
      subscription.unsubscribe();
    }
  });

  // Last in this block: Apollo warns once per type and field per process, so a warning given here first would hide the
  // same warning from the test above.
  it('without the configuration, the same operations do warn, on address, primaryRole and operationalPeriod', async () => {
    captureConsoleWarnings();
    await runThroughApollo(apolloClient(new InMemoryCache({ possibleTypes: apolloCacheConfig.possibleTypes })));
    const lost = warnings.filter((w) => w.includes('Cache data may be lost'));
    for (const field of ['address', 'primaryRole', 'operationalPeriod']) {
      expect(lost.some((w) => w.includes(`Organisation.${field}`))).toBe(true);
    }
  });
});

describe('urql with Graphcache and urqlCacheConfig', () => {
  const graphcacheWarnings: string[] = [];
  const logger = (severity: 'debug' | 'error' | 'warn', message: string) => {
    if (severity !== 'debug') graphcacheWarnings.push(message);
  };
  afterEach(() => {
    graphcacheWarnings.length = 0;
  });

  /** urql as the README sets it up: its default GET for queries, with the CSRF header. */
  function urqlClient(options: { cache: typeof urqlCacheConfig | object; csrfHeader: boolean; methods?: string[] }) {
    return new Client({
      url: stack.url,
      exchanges: [cacheExchange({ ...options.cache, logger }), fetchExchange],
      ...(options.csrfHeader ? { fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } } } : {}),
      fetch: (input, init) => {
        options.methods?.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
  }

  async function runThroughUrql(client: Client): Promise<void> {
    for (const { query, variables } of SEQUENCE) {
      const result = await client.query(urqlGql(query), variables, { requestPolicy: 'network-only' }).toPromise();
      expect(result.error).toBeUndefined();
      expect(result.data).toBeTruthy();
    }
  }

  async function expectCardsFromCache(client: Client): Promise<void> {
    for (const odsCode of CODES) {
      const card = await client.query(urqlGql(CARD), { odsCode }, { requestPolicy: 'cache-only' }).toPromise();
      const fresh = await stack.gql(CARD, { odsCode });
      expect(withoutTypename(card.data)).toEqual(fresh.data);
    }
  }

  it('every example operation over urql’s default GET with the CSRF header: answered, and Graphcache warns of nothing', async () => {
    captureConsoleWarnings();
    const methods: string[] = [];
    const client = urqlClient({ cache: urqlCacheConfig, csrfHeader: true, methods });
    await runThroughUrql(client);
    expect(graphcacheWarnings).toEqual([]);
    expect(warnings).toEqual([]);
    expect(methods.filter((m) => m === 'GET').length).toBeGreaterThan(0);
    await expectCardsFromCache(client);
  });

  it('without the CSRF header, urql’s GET gets the coded 403', async () => {
    const client = urqlClient({ cache: urqlCacheConfig, csrfHeader: false });
    const result = await client.query(urqlGql(SUMMARY), { odsCode: CODES[0] }).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.response?.status).toBe(403);
    expect(result.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'CSRF_HEADER_REQUIRED' });
  });

  it('the next page is merged into the first (relayPagination)', async () => {
    const client = urqlClient({ cache: urqlCacheConfig, csrfHeader: true });
    const query = urqlGql(SEARCH_PAGE);
    const first = await client.query<Page>(query, { first: 5 }).toPromise();
    const after = first.data!.searchOrganisations.pageInfo.endCursor;
    const next = await client.query<Page>(query, { first: 5, after }).toPromise();
    const direct = (await stack.gql<Page>(SEARCH_PAGE, { first: 10 })).data!.searchOrganisations;
    expect(next.data!.searchOrganisations.edges.map((e) => e.node.odsCode)).toEqual(
      direct.edges.map((e) => e.node.odsCode),
    );
  });

  // Last in this block, as Graphcache, too, gives each warning once per process.
  it('without the keys, Graphcache does warn that Relationship has no key', async () => {
    captureConsoleWarnings();
    await runThroughUrql(urqlClient({ cache: { possibleTypes: urqlCacheConfig.possibleTypes }, csrfHeader: true }));
    expect(graphcacheWarnings.some((w) => w.includes('Invalid key') && w.includes('`Relationship`'))).toBe(true);
  });
});
