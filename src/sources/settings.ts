// Which source serves the GraphQL contract: ORD pass-through (the default), ODT (FHIR R4, ORD's successor) or the mirror.
// src/config.ts reads SOURCE into it; src/app.ts builds the source it names.

export const SOURCE_KINDS = ['ord', 'fhir', 'mirror'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const DEFAULT_SOURCE_KIND: SourceKind = 'ord';
