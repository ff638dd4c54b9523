// The RelationshipType type (ORD's relationship code system, e.g. RE6 IS OPERATED BY) and its root fields.
// Served from the per-process code-system memo; relationships resolve their type by id here.

import type { RelationshipType } from '../domain/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { checkCodeSystemId } from './arguments.js';
import { usesCodeSystem } from './cost/declare.js';

export const RelationshipTypeRef = builder.objectRef<RelationshipType>('RelationshipType').implement({
  description: "A kind of relationship between organisations, from ORD's OrganisationRelationship code system.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ORD\'s id for the relationship type, e.g. "RE6" (not a Relay global id).' }),
    code: t.exposeString('code', { description: 'The numeric part of the id, e.g. "6".' }),
    displayName: t.exposeString('displayName', { description: 'ORD\'s name for it, e.g. "IS OPERATED BY".' }),
  }),
});

/** The relationship type for `id`; an id missing from ORD's list resolves with the id as its display name. */
export async function relationshipTypeById(ctx: Context, id: string): Promise<RelationshipType> {
  const known = await ctx.loaders.codeSystems.relationshipType(id);
  return known ?? { id, code: id.replace(/^RE/i, ''), displayName: id };
}

builder.queryFields((t) => ({
  relationshipTypes: t.field({
    type: [RelationshipTypeRef],
    description: "Every relationship type in ORD's code system, in ORD's order. Loaded once per server process.",
    extensions: { upstreamCost: usesCodeSystem('relationshipTypes') },
    resolve: (_root, _args, ctx) => ctx.loaders.codeSystems.relationshipTypes(),
  }),
  relationshipType: t.field({
    type: RelationshipTypeRef,
    nullable: true,
    description: 'One relationship type by ORD id (e.g. "RE6"); null when ORD has no such type.',
    args: { id: t.arg.id({ required: true, description: 'ORD relationship type id, e.g. "RE6" (case-insensitive).' }) },
    extensions: { upstreamCost: usesCodeSystem('relationshipTypes') },
    resolve: (_root, args, ctx) => ctx.loaders.codeSystems.relationshipType(checkCodeSystemId(args.id, 'RE', 'id')),
  }),
}));
