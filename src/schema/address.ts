// The Address type: postal address lines, town, county, postcode, country and UPRN of an organisation.
// From a summary only the postcode is known; asking for any other address field fetches the full record (once per request).

import type { Address } from '../domain/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';

/** A full record's address, or the postcode a summary carries for organisation `odsCode`. */
export type AddressParent =
  { kind: 'full'; address: Address } | { kind: 'summary'; odsCode: string; postcode: string | null };

async function fullAddress(parent: AddressParent, ctx: Context): Promise<Address | null> {
  if (parent.kind === 'full') return parent.address;
  return (await ctx.loaders.complete(parent.odsCode)).address;
}

export const AddressRef = builder.objectRef<AddressParent>('Address').implement({
  description:
    'A postal address. `postcode` is answered from a search summary when the organisation came from one; the other fields need the full record.',
  fields: (t) => ({
    lines: t.stringList({
      description: 'Address lines 1 to 3, in order, empty ones left out.',
      resolve: async (p, _args, ctx) => (await fullAddress(p, ctx))?.lines ?? [],
    }),
    town: t.string({
      nullable: true,
      description: 'Post town.',
      resolve: async (p, _a, ctx) => (await fullAddress(p, ctx))?.town ?? null,
    }),
    county: t.string({
      nullable: true,
      description: 'County, when ORD records one.',
      resolve: async (p, _a, ctx) => (await fullAddress(p, ctx))?.county ?? null,
    }),
    postcode: t.string({
      nullable: true,
      description: 'Postcode as ORD holds it (e.g. "SG8 0SP"). Served from a summary without a full fetch.',
      extensions: { fromSummary: true },
      resolve: (p) => (p.kind === 'summary' ? p.postcode : p.address.postcode),
    }),
    country: t.string({
      nullable: true,
      description: 'Country (e.g. "ENGLAND").',
      resolve: async (p, _a, ctx) => (await fullAddress(p, ctx))?.country ?? null,
    }),
    uprn: t.string({
      nullable: true,
      description: 'Unique Property Reference Number, as a decimal string (UPRNs can exceed a 32-bit Int).',
      resolve: async (p, _a, ctx) => (await fullAddress(p, ctx))?.uprn ?? null,
    }),
  }),
});
