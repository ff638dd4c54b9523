// The Relationship type: a link held on an organisation's own record, pointing outwards (e.g. site RE6 → trust).
// Its target resolves through the per-request organisation loader (a summary seen earlier in the request is reused).

import type { Relationship } from '../domain/types.js';
import { builder } from './builder.js';
import { usesCodeSystem } from './cost/declare.js';
import { OrganisationRef, targetCost } from './refs.js';
import { PeriodRef } from './period.js';
import { RelationshipTypeRef, relationshipTypeById } from './relationshipType.js';
import { RoleTypeRef, roleTypeById } from './roleType.js';
import { StatusEnum } from './scalars.js';

export const RelationshipRef = builder.objectRef<Relationship>('Relationship').implement({
  description:
    'A relationship held on the source organisation\'s record, pointing at a target: e.g. a trust site "IS OPERATED BY" (RE6) its trust, a GP practice "IS COMMISSIONED BY" (RE4) its sub-ICB location.',
  fields: (t) => ({
    type: t.field({
      type: RelationshipTypeRef,
      description: "The kind of relationship, from ORD's relationship code system.",
      extensions: { upstreamCost: usesCodeSystem('relationshipTypes') },
      resolve: (r, _a, ctx) => relationshipTypeById(ctx, r.relationshipTypeId),
    }),
    status: t.field({
      type: StatusEnum,
      description: 'Whether the relationship is active now.',
      resolve: (r) => r.status,
    }),
    operationalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the relationship is operationally in effect.',
      resolve: (r) => r.operationalPeriod,
    }),
    legalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the relationship is legally in effect, when ORD records it.',
      resolve: (r) => r.legalPeriod,
    }),
    target: t.field({
      type: OrganisationRef,
      nullable: true,
      description:
        'The organisation this relationship points at. Null (with an error on this field only) when it cannot be fetched; null without an error when ORD has no record for the code.',
      extensions: { upstreamCost: targetCost },
      resolve: (r, _a, ctx) => ctx.loaders.best(r.targetOdsCode),
    }),
    targetOdsCode: t.string({
      description: "The target's ODS code, as held on this record; needs no fetch of the target.",
      resolve: (r) => r.targetOdsCode,
    }),
    targetPrimaryRole: t.field({
      type: RoleTypeRef,
      nullable: true,
      description: "The target's primary role type as recorded on this relationship; needs no fetch of the target.",
      extensions: { upstreamCost: usesCodeSystem('roleTypes') },
      resolve: (r, _a, ctx) => (r.targetPrimaryRoleTypeId ? roleTypeById(ctx, r.targetPrimaryRoleTypeId, true) : null),
    }),
    uniqueRelId: t.int({
      nullable: true,
      description: "ORD's id for this relationship instance.",
      resolve: (r) => r.uniqueRelId,
    }),
  }),
});
