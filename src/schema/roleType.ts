// The RoleType type (ORD's role code system, e.g. RO197 NHS TRUST) and its root fields roleTypes / roleType(id).
// Served from the per-process code-system memo; roles, summaries and relationship targets resolve their type by id here.

import type { RoleType } from '../domain/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { checkCodeSystemId } from './arguments.js';
import { usesCodeSystem } from './cost/declare.js';

export const RoleTypeRef = builder.objectRef<RoleType>('RoleType').implement({
  description: "A kind of role an organisation can hold, from ORD's OrganisationRole code system.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ORD\'s id for the role type, e.g. "RO197" (not a Relay global id).' }),
    code: t.exposeString('code', { description: 'The numeric part of the id, e.g. "197".' }),
    displayName: t.exposeString('displayName', {
      description: 'ORD\'s name for the role type, e.g. "NHS TRUST" (upper case, sometimes cut at 50 characters).',
    }),
    isPrimary: t.exposeBoolean('isPrimary', {
      description: "True when ORD uses this role type as an organisation's primary role.",
    }),
  }),
});

/**
 * The role type for `id` from the code system. A role id ORD's list lacks still resolves (the field is non-null): its
 * code is the id's digits and its display name the id itself, so a gap in the vocabulary never breaks a query.
 */
export async function roleTypeById(ctx: Context, id: string, isPrimaryHint = false): Promise<RoleType> {
  const known = await ctx.loaders.codeSystems.roleType(id);
  return known ?? { id, code: id.replace(/^RO/i, ''), displayName: id, isPrimary: isPrimaryHint };
}

builder.queryFields((t) => ({
  roleTypes: t.field({
    type: [RoleTypeRef],
    description: "Every role type in ORD's code system, in ORD's order. Loaded once per server process.",
    extensions: { upstreamCost: usesCodeSystem('roleTypes') },
    resolve: (_root, _args, ctx) => ctx.loaders.codeSystems.roleTypes(),
  }),
  roleType: t.field({
    type: RoleTypeRef,
    nullable: true,
    description: 'One role type by ORD id (e.g. "RO197"); null when ORD has no such role type.',
    args: { id: t.arg.id({ required: true, description: 'ORD role type id, e.g. "RO197" (case-insensitive).' }) },
    extensions: { upstreamCost: usesCodeSystem('roleTypes') },
    resolve: (_root, args, ctx) => ctx.loaders.codeSystems.roleType(checkCodeSystemId(args.id, 'RO', 'id')),
  }),
}));
