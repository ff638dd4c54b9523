// The Organisation type (a Relay node keyed by ODS code) and its root fields organisation(odsCode) / organisations(odsCodes).
// Resolves from a full record or a summary; summary-served fields never fetch, the rest fetch the full record once per request.

import { normaliseOdsCode, parseOdsCode } from '../domain/odsCode.js';
import type { Organisation, Status } from '../domain/types.js';
import type { OrganisationRecord } from '../loaders/index.js';
import type { OrganisationSearch } from '../sources/types.js';
import { AddressRef, type AddressParent } from './address.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { ContactRef } from './contact.js';
import { checkCodeSystemId, checkOdsCode } from './arguments.js';
import { assumedRelationships, COST_ASSUMPTIONS } from './cost/assumptions.js';
import { usesCodeSystem, type CostAt } from './cost/declare.js';
import { badUserInput } from './errors.js';
import { selectRelationships, selectRoles, selectSuccessions } from './filters.js';
import { PeriodRef } from './period.js';
import { RecordClassRef, recordClassById } from './recordClass.js';
import { RelationshipRef } from './relationship.js';
import { RoleRef, type RoleParent } from './role.js';
import {
  MAX_CODES_PER_FIELD,
  OrganisationRef,
  UNKNOWN_LINK,
  organisationByCodeCost,
  organisationsByCodesCost,
  type LinkAtCost,
  type OrganisationAtCost,
} from './refs.js';
import { DateScalar, StatusEnum } from './scalars.js';
import {
  connectionCost,
  InboundRelationshipConnectionRef,
  pageWindow,
  searchConnection,
  type InboundEdge,
} from './search.js';
import { SuccessionRef, SuccessionTypeEnum } from './succession.js';

export { OrganisationRef };

/** The full record behind a parent (fetched at most once per request per code). */
const full = (org: OrganisationRecord, ctx: Context): Promise<Organisation> => ctx.loaders.complete(org);

/** The relationship types `inboundRelationships(types)` filters on, checked. */
function inboundTypes(types: readonly unknown[] | null | undefined): string[] | undefined {
  return types?.map((id) => checkCodeSystemId(String(id), 'RE', 'types'));
}

/** The membership search `inboundRelationships` runs for organisation `odsCode`: the resolver's and the estimate's. */
function inboundSearch(
  odsCode: string,
  types: string[] | undefined,
  status: Status | null | undefined,
  primaryRole: unknown,
): OrganisationSearch {
  const relatedTo: NonNullable<OrganisationSearch['relatedTo']> = { odsCode };
  if (types && types.length > 0) relatedTo.relationshipTypeIds = types;
  if (status) relatedTo.status = status;
  const search: OrganisationSearch = { relatedTo };
  if (primaryRole != null) search.primaryRoleTypeId = checkCodeSystemId(String(primaryRole), 'RO', 'primaryRole');
  return search;
}

/** A held record's relationships are counted (each target looked up in the cache); otherwise assumed. */
function relationshipsCost(at: CostAt<OrganisationAtCost>): number {
  const { held } = at.parent;
  if (!held) return assumedRelationships(at.args) * at.below(UNKNOWN_LINK);
  const { types, status, activeOn } = at.args;
  const listed = selectRelationships(held.relationships, {
    types: Array.isArray(types) ? types.map((t) => String(t).trim().toUpperCase()) : null,
    status: status === 'ACTIVE' || status === 'INACTIVE' ? status : null,
    activeOn: typeof activeOn === 'string' ? activeOn : null,
  });
  let calls = 0;
  for (const r of listed) calls += at.below({ targetCode: r.targetOdsCode } satisfies LinkAtCost);
  return calls;
}

/** A held record's successions are counted; otherwise COST_ASSUMPTIONS.successions. */
function successionsCost(at: CostAt<OrganisationAtCost>): number {
  const { held } = at.parent;
  if (!held) return COST_ASSUMPTIONS.successions * at.below(UNKNOWN_LINK);
  const type = at.args.type === 'PREDECESSOR' || at.args.type === 'SUCCESSOR' ? at.args.type : null;
  let calls = 0;
  for (const s of selectSuccessions(held.successions, type)) {
    calls += at.below({ targetCode: s.targetOdsCode } satisfies LinkAtCost);
  }
  return calls;
}

/** The membership search's page; its search is known only when the organisation's code is. */
function inboundCost(at: CostAt<OrganisationAtCost>): number {
  const { code } = at.parent;
  const { types, status, primaryRole } = at.args;
  const search =
    code === undefined
      ? undefined
      : () =>
          inboundSearch(
            code,
            inboundTypes(Array.isArray(types) ? types : undefined),
            status === 'ACTIVE' || status === 'INACTIVE' ? status : undefined,
            primaryRole,
          );
  return connectionCost(at, search, at.args);
}

function isOrganisationRecord(value: unknown): value is OrganisationRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    'odsCode' in value &&
    'kind' in value &&
    (value.kind === 'full' || value.kind === 'summary')
  );
}

builder.node(OrganisationRef, {
  description: [
    'An organisation or site in the NHS Organisation Data Service (ORD), e.g. an NHS trust, a trust site, a GP practice, a sub-ICB location or an ICB.',
    '',
    "Organisations reached through a search, the change feed or `inboundRelationships` start from ORD's search summary.",
    'These fields are served from the summary with no further ORD call: `id`, `odsCode`, `name`, `status`, `recordClass`,',
    '`lastChangeDate`, `address { postcode }` and `primaryRole { type isPrimary }`. Any other field fetches the full record,',
    'once per organisation per request, shared by every field that needs it.',
    '',
    'The server also keeps what it learns across requests (a shared cache; see CACHE_* settings): an organisation that an',
    'earlier search listed, or whose record was fetched recently, is reached by `organisation`, `organisations`, `node`,',
    '`nodes` or a relationship/succession `target` with no ORD call at all while only the fields above are asked for.',
  ].join('\n'),
  id: {
    description: 'Relay global id of this organisation (opaque; encodes the ODS code). Use it with `node` / `nodes`.',
    extensions: { fromSummary: true },
    resolve: (org) => org.odsCode,
  },
  isTypeOf: isOrganisationRecord,
  fields: (t) => ({
    odsCode: t.string({
      description: 'The ODS code, e.g. "RWR" (upper case). Summary-served.',
      extensions: { fromSummary: true },
      resolve: (o) => o.odsCode,
    }),
    name: t.string({
      description: "The organisation's name as ORD holds it (usually upper case). Summary-served.",
      extensions: { fromSummary: true },
      resolve: (o) => o.name,
    }),
    status: t.field({
      type: StatusEnum,
      description: 'Operational status: ACTIVE while operationally open (even after a legal end date). Summary-served.',
      extensions: { fromSummary: true },
      resolve: (o) => o.status,
    }),
    recordClass: t.field({
      type: RecordClassRef,
      description: 'RC1 (an organisation) or RC2 (a site). Summary-served.',
      extensions: { fromSummary: true, upstreamCost: usesCodeSystem('recordClasses') },
      resolve: (o, _a, ctx) => recordClassById(ctx, o.recordClassId),
    }),
    isReferenceOnly: t.boolean({
      description:
        "True for ORD's short reference-only records (archived organisations kept because a succession points at them).",
      resolve: async (o, _a, ctx) => (await full(o, ctx)).isReferenceOnly,
    }),
    lastChangeDate: t.field({
      type: DateScalar,
      nullable: true,
      description: 'When ORD last changed this record. Summary-served.',
      extensions: { fromSummary: true },
      resolve: (o) => o.lastChangeDate,
    }),
    operationalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the organisation is operationally open.',
      resolve: async (o, _a, ctx) => (await full(o, ctx)).operationalPeriod,
    }),
    legalPeriod: t.field({
      type: PeriodRef,
      nullable: true,
      description: 'When the organisation legally exists, when ORD records it (statutory bodies).',
      resolve: async (o, _a, ctx) => (await full(o, ctx)).legalPeriod,
    }),
    address: t.field({
      type: AddressRef,
      nullable: true,
      description:
        "The postal address. From a summary, `postcode` needs no fetch (ORD's search only finds organisations that have an address); the other address fields fetch the full record.",
      extensions: { fromSummary: 'selection' },
      resolve: async (o, _a, ctx): Promise<AddressParent | null> => {
        if (o.kind === 'summary') return { kind: 'summary', odsCode: o.odsCode, postcode: o.postcode };
        return o.address ? { kind: 'full', address: o.address } : null;
      },
    }),
    contacts: t.field({
      type: [ContactRef],
      description: 'Telephone numbers, e-mail and web addresses ORD holds (often none).',
      resolve: async (o, _a, ctx) => (await full(o, ctx)).contacts,
    }),
    primaryRole: t.field({
      type: RoleRef,
      nullable: true,
      description: "The organisation's primary role. From a summary, `type` and `isPrimary` need no fetch.",
      extensions: { fromSummary: 'selection' },
      resolve: (o): RoleParent | null => {
        if (o.kind === 'summary') {
          return o.primaryRoleTypeId
            ? { kind: 'summaryPrimary', odsCode: o.odsCode, roleTypeId: o.primaryRoleTypeId }
            : null;
        }
        const role = o.roles.find((r) => r.isPrimary);
        return role ? { kind: 'full', role } : null;
      },
    }),
    roles: t.field({
      type: [RoleRef],
      description: "Every role the organisation holds or held, in ORD's order (primary and non-primary).",
      args: {
        activeOn: t.arg({
          type: DateScalar,
          description:
            'Keep only roles in effect on this date: their operational period (else legal period) starts on or before it and has not ended before it.',
        }),
        status: t.arg({ type: StatusEnum, description: 'Keep only roles with this status.' }),
      },
      resolve: async (o, args, ctx) => {
        const { roles } = await full(o, ctx);
        return selectRoles(roles, args).map((role): RoleParent => ({ kind: 'full', role }));
      },
    }),
    relationships: t.field({
      type: [RelationshipRef],
      description:
        "Relationships held on this organisation's record, pointing outwards (a site to its trust, a practice to its commissioner and PCN, a trust to its ICB).",
      args: {
        types: t.arg.idList({ description: 'Keep only these relationship types, e.g. ["RE6"].' }),
        status: t.arg({ type: StatusEnum, description: 'Keep only relationships with this status.' }),
        activeOn: t.arg({
          type: DateScalar,
          description:
            'Keep only relationships in effect on this date: their operational period (else legal period) starts on or before it and has not ended before it.',
        }),
      },
      extensions: { upstreamCost: relationshipsCost },
      resolve: async (o, args, ctx) => {
        const types = args.types?.map((id) => checkCodeSystemId(String(id), 'RE', 'types'));
        const { relationships } = await full(o, ctx);
        return selectRelationships(relationships, { types, status: args.status, activeOn: args.activeOn });
      },
    }),
    inboundRelationships: t.field({
      type: InboundRelationshipConnectionRef,
      description:
        "Organisations whose own records point at this one (ORD's membership search), e.g. a trust's sites (RE6) or a sub-ICB location's practices (RE4). Sorted by name then code. Needs no full record of this organisation, and nodes are summaries: a trust and its sites' names cost one full fetch plus one search.",
      args: {
        types: t.arg.idList({ description: 'Only relationships of these types, e.g. ["RE6"]; any type when omitted.' }),
        status: t.arg({ type: StatusEnum, description: 'Only relationships with this status; any when omitted.' }),
        primaryRole: t.arg.id({
          description:
            'Only sources whose primary role is this type, e.g. "RO177" for practices among a sub-ICB location\'s members (ORD `PrimaryRoleId`, combined with the membership search).',
        }),
        first: t.arg.int({
          description: 'How many to return, 0 to 1000 (default 100). The server pages through ORD itself.',
        }),
        after: t.arg.string({ description: 'Return the items after this cursor.' }),
      },
      extensions: { fromSummary: true, upstreamCost: inboundCost },
      resolve: async (o, args, ctx) => {
        pageWindow(args); // check first/after before anything else
        const types = inboundTypes(args.types);
        const search = inboundSearch(o.odsCode, types, args.status, args.primaryRole);
        const connection = await searchConnection(ctx, search, args);
        const edges: InboundEdge[] = connection.edges.map((edge) => ({
          ...edge,
          targetOdsCode: normaliseOdsCode(o.odsCode),
          types: types && types.length > 0 ? types : null,
          status: args.status ?? null,
        }));
        return { ...connection, edges };
      },
    }),
    successions: t.field({
      type: [SuccessionRef],
      description: "Successions (mergers, replacements) recorded on this organisation, in ORD's order.",
      args: {
        type: t.arg({ type: SuccessionTypeEnum, description: 'Keep only PREDECESSOR or only SUCCESSOR entries.' }),
      },
      extensions: { upstreamCost: successionsCost },
      resolve: async (o, args, ctx) => {
        const { successions } = await full(o, ctx);
        return selectSuccessions(successions, args.type);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  organisation: t.field({
    type: OrganisationRef,
    nullable: true,
    description: 'One organisation by ODS code; null when ORD has no such code.',
    args: { odsCode: t.arg.string({ required: true, description: 'The ODS code, e.g. "RWR" (case-insensitive).' }) },
    extensions: { upstreamCost: (at) => organisationByCodeCost(at, parseOdsCode(at.args.odsCode)) },
    resolve: (_root, args, ctx) => ctx.loaders.best(checkOdsCode(args.odsCode, 'odsCode')),
  }),
  organisations: t.field({
    type: [OrganisationRef],
    nullable: { list: false, items: true },
    description:
      'Several organisations by ODS code, in the order asked; null for a code ORD does not hold (or, with an error at that index, one that could not be fetched). Each distinct code is fetched once.',
    args: {
      odsCodes: t.arg.stringList({ required: true, description: 'ODS codes (case-insensitive), at most 1000.' }),
    },
    extensions: {
      upstreamCost: (at) => {
        const codes = at.args.odsCodes;
        return organisationsByCodesCost(at, Array.isArray(codes) ? codes.map(parseOdsCode) : []);
      },
    },
    resolve: (_root, args, ctx) => {
      if (args.odsCodes.length > MAX_CODES_PER_FIELD) {
        throw badUserInput(`odsCodes may hold at most ${MAX_CODES_PER_FIELD} codes.`, 'odsCodes');
      }
      const codes = args.odsCodes.map((code) => checkOdsCode(code, 'odsCodes'));
      // One promise per item: graphql-js makes a failed one null with an error at that index; its siblings resolve.
      return codes.map((code) => ctx.loaders.best(code));
    },
  }),
}));
