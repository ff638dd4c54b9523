// The RecordClass type (ORD's record classes: RC1 HSCOrg, an organisation; RC2 HSCSite, a site) and its root fields.
// Served from the per-process code-system memo; Organisation.recordClass resolves by id here.

import type { RecordClass } from '../domain/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { checkCodeSystemId } from './arguments.js';
import { usesCodeSystem } from './cost/declare.js';

export const RecordClassRef = builder.objectRef<RecordClass>('RecordClass').implement({
  description:
    'Whether a record is an organisation (RC1, "HSCOrg") or a site (RC2, "HSCSite"), from ORD\'s code system.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ORD\'s id, "RC1" or "RC2" (not a Relay global id).' }),
    code: t.exposeString('code', { description: 'The numeric part of the id, e.g. "1".' }),
    displayName: t.exposeString('displayName', { description: 'ORD\'s name, "HSCOrg" or "HSCSite".' }),
  }),
});

/** The record class for `id`; an id missing from ORD's list resolves with the id as its display name. */
export async function recordClassById(ctx: Context, id: string): Promise<RecordClass> {
  const known = await ctx.loaders.codeSystems.recordClass(id);
  return known ?? { id, code: id.replace(/^RC/i, ''), displayName: id };
}

builder.queryFields((t) => ({
  recordClasses: t.field({
    type: [RecordClassRef],
    description: "Every record class in ORD's code system. Loaded once per server process.",
    extensions: { upstreamCost: usesCodeSystem('recordClasses') },
    resolve: (_root, _args, ctx) => ctx.loaders.codeSystems.recordClasses(),
  }),
  recordClass: t.field({
    type: RecordClassRef,
    nullable: true,
    description: 'One record class by ORD id ("RC1" or "RC2"); null when ORD has no such class.',
    args: { id: t.arg.id({ required: true, description: 'ORD record class id, e.g. "RC1" (case-insensitive).' }) },
    extensions: { upstreamCost: usesCodeSystem('recordClasses') },
    resolve: (_root, args, ctx) => ctx.loaders.codeSystems.recordClass(checkCodeSystemId(args.id, 'RC', 'id')),
  }),
}));
