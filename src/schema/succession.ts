// The Succession type and SuccessionType enum: mergers and replacements, recorded on both the old and the new organisation.
// Targets resolve through the per-request organisation loader, so walking several generations fetches each record once.

import type { Succession } from '../domain/types.js';
import { builder } from './builder.js';
import { usesCodeSystem } from './cost/declare.js';
import { OrganisationRef, targetCost } from './refs.js';
import { RoleTypeRef, roleTypeById } from './roleType.js';
import { DateScalar } from './scalars.js';

export const SuccessionTypeEnum = builder.enumType('SuccessionType', {
  description: 'Which way a succession points, from the viewpoint of the organisation holding it.',
  values: {
    PREDECESSOR: {
      value: 'PREDECESSOR' as const,
      description: 'The target was merged into or replaced by this organisation.',
    },
    SUCCESSOR: {
      value: 'SUCCESSOR' as const,
      description: 'This organisation was merged into or replaced by the target.',
    },
  },
});

export const SuccessionRef = builder.objectRef<Succession>('Succession').implement({
  description: 'A succession (merger or replacement) between this organisation and another.',
  fields: (t) => ({
    type: t.field({
      type: SuccessionTypeEnum,
      description: 'PREDECESSOR or SUCCESSOR, seen from this organisation.',
      resolve: (s) => s.type,
    }),
    effectiveDate: t.field({
      type: DateScalar,
      nullable: true,
      description: 'The legal date the succession took effect.',
      resolve: (s) => s.effectiveDate,
    }),
    target: t.field({
      type: OrganisationRef,
      nullable: true,
      description:
        'The other organisation. Null (with an error on this field only) when it cannot be fetched; null without an error when ORD has no record for the code.',
      extensions: { upstreamCost: targetCost },
      resolve: (s, _a, ctx) => ctx.loaders.best(s.targetOdsCode),
    }),
    targetOdsCode: t.string({
      description: "The other organisation's ODS code; needs no fetch.",
      resolve: (s) => s.targetOdsCode,
    }),
    targetPrimaryRole: t.field({
      type: RoleTypeRef,
      nullable: true,
      description: "The other organisation's primary role type as recorded on this succession; needs no fetch.",
      extensions: { upstreamCost: usesCodeSystem('roleTypes') },
      resolve: (s, _a, ctx) => (s.targetPrimaryRoleTypeId ? roleTypeById(ctx, s.targetPrimaryRoleTypeId, true) : null),
    }),
    uniqueSuccId: t.int({
      nullable: true,
      description: "ORD's id for this succession record.",
      resolve: (s) => s.uniqueSuccId,
    }),
  }),
});
