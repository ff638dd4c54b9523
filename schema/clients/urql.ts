// urql Graphcache configuration for this schema: `cacheExchange(urqlCacheConfig)` embeds the id-less types (null keys),
// pages connections with relayPagination and knows Node's implementations, so Graphcache warns about nothing.

import type { CacheExchangeOpts, KeyingConfig, ResolverConfig } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { CONNECTION_FIELDS, EMBEDDED_TYPES, IDENTIFIED_TYPES, POSSIBLE_TYPES } from './shape.js';

export const urqlKeys: KeyingConfig = {
  ...Object.fromEntries(EMBEDDED_TYPES.map((type) => [type, () => null])),
  // Normalised on `id` when the operation selects it; without it, embedded in its parent (as Apollo does), which
  // Graphcache would otherwise warn about (`primaryRole { type { displayName } }` is a fair thing to ask).
  ...Object.fromEntries(
    IDENTIFIED_TYPES.map((type) => [type, (data: { id?: unknown }) => (typeof data.id === 'string' ? data.id : null)]),
  ),
};

export const urqlResolvers: ResolverConfig = Object.fromEntries(
  Object.entries(CONNECTION_FIELDS).map(([type, fields]) => [
    type,
    Object.fromEntries(Object.keys(fields).map((field) => [field, relayPagination()])),
  ]),
);

export const urqlCacheConfig: Pick<CacheExchangeOpts, 'keys' | 'resolvers' | 'possibleTypes'> = {
  keys: urqlKeys,
  resolvers: urqlResolvers,
  possibleTypes: Object.fromEntries(Object.entries(POSSIBLE_TYPES).map(([iface, types]) => [iface, [...types]])),
};
