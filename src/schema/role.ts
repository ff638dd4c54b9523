// The Role type: one role an organisation holds (its type, primary or not, status and periods).
// A summary's primary role answers `type` and `isPrimary` without a full fetch; the other fields fetch the record.

import type { Role } from '../domain/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { usesCodeSystem } from './cost/declare.js';
import { PeriodRef } from './period.js';
import { RoleTypeRef, roleTypeById } from './roleType.js';
import { StatusEnum } from './scalars.js';

/** A role from a full record, or the primary role a summary names for organisation `odsCode`. */
export type RoleParent = { kind: 'full'; role: Role } | { kind: 'summaryPrimary'; odsCode: string; roleTypeId: string };

async function fullRole(parent: RoleParent, ctx: Context): Promise<Role | null> {
  if (parent.kind === 'full') return parent.role;
  const org = await ctx.loaders.complete(parent.odsCode);
  return org.roles.find((r) => r.isPrimary) ?? org.roles.find((r) => r.roleTypeId === parent.roleTypeId) ?? null;
}

export const RoleRef = builder.objectRef<RoleParent>('Role').implement({
  description:
    'A role an organisation holds, e.g. NHS TRUST or GP PRACTICE. For an organisation from a search, `primaryRole { type isPrimary }` is answered from the summary; other fields fetch the full record.',
  fields: (t) => ({
    type: t.field({
      type: RoleTypeRef,
      description: "The kind of role, from ORD's role code system.",
      extensions: { fromSummary: true, upstreamCost: usesCodeSystem('roleTypes') },
      resolve: (p, _a, ctx) =>
        p.kind === 'full'
          ? roleTypeById(ctx, p.role.roleTypeId, p.role.isPrimary)
          : roleTypeById(ctx, p.roleTypeId, true),
    }),
    isPrimary: t.boolean({
      description: "True for the organisation's primary role (exactly one per organisation).",
      extensions: { fromSummary: true },
      resolve: (p) => (p.kind === 'full' ? p.role.isPrimary : true),
    }),
    status: t.field({
      type: StatusEnum,
      description: 'Whether the role is active now.',
      resolve: async (p, _a, ctx) => (await fullRole(p, ctx))?.status ?? 'INACTIVE',
    }),
    operationalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the role is operationally in effect.',
      resolve: async (p, _a, ctx) => (await fullRole(p, ctx))?.operationalPeriod ?? null,
    }),
    legalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the role is legally in effect, when ORD records it.',
      resolve: async (p, _a, ctx) => (await fullRole(p, ctx))?.legalPeriod ?? null,
    }),
    uniqueRoleId: t.int({
      nullable: true,
      description: "ORD's id for this role instance on this organisation.",
      resolve: async (p, _a, ctx) => (await fullRole(p, ctx))?.uniqueRoleId ?? null,
    }),
  }),
});
