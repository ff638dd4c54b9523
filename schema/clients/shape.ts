// What a normalising GraphQL client needs to know about this schema: which types have no identity, which fields are
// Relay connections (and which of their arguments pick the list), which types implement Node. apollo.ts and urql.ts build on it.

/**
 * Object types with an `id`: a client normalises them on `__typename` + `id` when the operation selects `id`, and
 * stores them inside their parent when it does not (Apollo's default; urql.ts does the same for Graphcache).
 */
export const IDENTIFIED_TYPES = ['Organisation', 'RoleType', 'RelationshipType', 'RecordClass'] as const;

/**
 * Object types with no `id` of their own: a client stores them inside the object that holds them, merging what two
 * operations asked for instead of one replacing the other.
 */
export const EMBEDDED_TYPES = [
  'Address',
  'Contact',
  'Period',
  'Role',
  'Relationship',
  'Succession',
  'PageInfo',
  'OrganisationConnection',
  'OrganisationEdge',
  'InboundRelationshipConnection',
  'InboundRelationshipEdge',
  'OrganisationWalkConnection',
  'OrganisationWalkEdge',
] as const;

/**
 * Every field returning a Relay connection, by parent type, with the arguments that choose *which* list it is: pages
 * asked for with the same such arguments (and any `first` / `after`) are pages of one list and are merged.
 */
export const CONNECTION_FIELDS = {
  Query: { searchOrganisations: ['filter'], organisationsChangedSince: ['date', 'daysAgo'] },
  Organisation: {
    inboundRelationships: ['types', 'status', 'primaryRole'],
    descendants: ['types', 'depth', 'activeOn', 'status', 'primaryRole'],
    ancestors: ['types', 'depth', 'activeOn', 'status', 'primaryRole'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** Interfaces and the object types implementing them, for fragments such as `node(id:) { ... on Organisation }`. */
export const POSSIBLE_TYPES = { Node: ['Organisation'] } as const satisfies Record<string, readonly string[]>;

/**
 * The TypeScript type of each scalar as it arrives over JSON, for graphql-codegen's `scalars` option (codegen.ts uses
 * it for src/generated/): `Date` is a `YYYY-MM-DD` string, with no time or zone, so not a JS Date.
 */
export const SCALARS = { Date: 'string', ID: 'string' } as const;
