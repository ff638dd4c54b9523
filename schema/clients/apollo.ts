// Apollo Client cache configuration for this schema: `new InMemoryCache(apolloCacheConfig)` pages connections with
// relayStylePagination and merges the id-less types, so no "Cache data may be lost" warning and no data is dropped.

import type { FieldPolicy, InMemoryCacheConfig, TypePolicies } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { CONNECTION_FIELDS, EMBEDDED_TYPES, IDENTIFIED_TYPES, POSSIBLE_TYPES } from './shape.js';

function connectionFields(fields: Record<string, readonly string[]>): Record<string, FieldPolicy> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, keyArgs]) => [name, relayStylePagination([...keyArgs])]),
  );
}

/**
 * `merge: true` on every object type: an id-less object (an Address, a Period…) merges into what the cache holds there
 * instead of replacing it ("Cache data may be lost"); and a type with an `id` selected without it (`recordClass {
 * displayName }`) merges into the entity already linked there rather than silently replacing the link with a copy
 * lacking `id`. Types with an `id` are normalised on it (Apollo's default) wherever it is selected.
 */
export const apolloTypePolicies: TypePolicies = {
  ...Object.fromEntries([...EMBEDDED_TYPES, ...IDENTIFIED_TYPES].map((type) => [type, { merge: true }])),
  Query: { fields: connectionFields(CONNECTION_FIELDS.Query) },
  Organisation: { merge: true, fields: connectionFields(CONNECTION_FIELDS.Organisation) },
};

export const apolloCacheConfig: InMemoryCacheConfig = {
  typePolicies: apolloTypePolicies,
  possibleTypes: Object.fromEntries(Object.entries(POSSIBLE_TYPES).map(([iface, types]) => [iface, [...types]])),
};
