// Which source serves the GraphQL contract: ORD pass-through (the default) or the local mirror.
// src/config.ts reads SOURCE into it; src/app.ts builds the source it names.

export const SOURCE_KINDS = ['ord', 'mirror'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const DEFAULT_SOURCE_KIND: SourceKind = 'ord';
