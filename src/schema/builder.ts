// The one Pothos SchemaBuilder every schema module registers its types on, with the plugins and the request Context.
// The schema layer sees only src/domain and the OrganisationSource seam; ORD's wire format never reaches here.

import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { IsoDate } from '../domain/types.js';
import type { Loaders } from '../loaders/index.js';
import type { OrganisationSource } from '../sources/types.js';

/** Built fresh for every GraphQL request by the server (src/server/yoga.ts). */
export interface Context {
  /** Per-request DataLoaders and the per-process code-system memo. */
  loaders: Loaders;
  /** The organisation data source (ORD today); resolvers go through `loaders` for organisation records. */
  source: OrganisationSource;
  /** The source's today (UTC by default; the simulator's own in the demo and tests): what `daysAgo` counts back from. */
  today: () => IsoDate;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    Date: { Input: string; Output: string };
    ID: { Input: string; Output: string };
  };
  Connection: { totalCount: number };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    // node/nodes are declared in node.ts so malformed ids become BAD_USER_INPUT errors naming the argument.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
    idFieldOptions: { description: 'Globally unique, opaque id of this object.' },
    nodeTypeOptions: {
      description: 'An object with a globally unique, opaque `id` that `Query.node` and `Query.nodes` accept.',
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
    hasNextPageFieldOptions: {
      description: 'True when more edges follow this page (from the total count, so it is exact).',
    },
    hasPreviousPageFieldOptions: { description: 'True when this page does not start at the first edge.' },
    startCursorFieldOptions: { description: 'Cursor of the first edge on this page; null when the page is empty.' },
    endCursorFieldOptions: {
      description:
        'Cursor of the last edge on this page; pass it as `after` to get the next page. Null when the page is empty.',
    },
    cursorFieldOptions: { description: 'Opaque position of this edge; pass it as `after` to continue after it.' },
    edgesFieldOptions: {
      nullable: { list: false, items: false },
      description: "The edges on this page, in the connection's order.",
    },
    nodeFieldOptions: { nullable: false, description: 'The item at this edge.' },
    pageInfoFieldOptions: { description: 'Paging information for this page.' },
  },
});
