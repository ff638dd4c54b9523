// The Organisation type (a Relay node keyed by ODS code) and its root fields organisation(odsCode) / organisations(odsCodes).
// Resolves from a full record or a summary; summary-served fields never fetch, the rest fetch the full record once per request.

import type { Organisation, Status } from '../domain/types.js';
import type { OrganisationRecord } from '../loaders/index.js';
import type { OrganisationSearch } from '../sources/types.js';
import { AddressRef, type AddressParent } from './address.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { ContactRef } from './contact.js';
import { badUserInput, checkCodeSystemId, checkOdsCode, toGraphQLError } from './errors.js';
import { selectRelationships, selectRoles, selectSuccessions } from './filters.js';
import { PeriodRef } from './period.js';
import { RecordClassRef, recordClassById } from './recordClass.js';
import { RelationshipRef } from './relationship.js';
import { RoleRef, type RoleParent } from './role.js';
import { OrganisationRef } from './refs.js';
import { DateScalar, StatusEnum } from './scalars.js';
import { InboundRelationshipConnectionRef, pageWindow, searchConnection, type InboundEdge } from './search.js';
import { SuccessionRef, SuccessionTypeEnum } from './succession.js';

export { OrganisationRef };

/** The full record behind a parent (fetched at most once per request per code). */
const full = (org: OrganisationRecord, ctx: Context): Promise<Organisation> => ctx.loaders.complete(org);

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
    'Organisations reached through a search, the change feed or `inboundRelationships` start from ORD\'s search summary.',
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
    resolve: (org) => org.odsCode,
  },
  isTypeOf: isOrganisationRecord,
  fields: (t) => ({
    odsCode: t.string({ description: 'The ODS code, e.g. "RWR" (upper case). Summary-served.', resolve: (o) => o.odsCode }),
    name: t.string({ description: 'The organisation\'s name as ORD holds it (usually upper case). Summary-served.', resolve: (o) => o.name }),
    status: t.field({
      type: StatusEnum,
      description: 'Operational status: ACTIVE while operationally open (even after a legal end date). Summary-served.',
      resolve: (o) => o.status,
    }),
    recordClass: t.field({
      type: RecordClassRef,
      description: 'RC1 (an organisation) or RC2 (a site). Summary-served.',
      resolve: (o, _a, ctx) => recordClassById(ctx, o.recordClassId),
    }),
    isReferenceOnly: t.boolean({
      description: 'True for ORD\'s short reference-only records (archived organisations kept because a succession points at them).',
      resolve: async (o, _a, ctx) => (await full(o, ctx)).isReferenceOnly,
    }),
    lastChangeDate: t.field({
      type: DateScalar,
      nullable: true,
      description: 'When ORD last changed this record. Summary-served.',
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
        'The postal address. From a summary, `postcode` needs no fetch (ORD\'s search only finds organisations that have an address); the other address fields fetch the full record.',
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
      description: 'The organisation\'s primary role. From a summary, `type` and `isPrimary` need no fetch.',
      resolve: (o): RoleParent | null => {
        if (o.kind === 'summary') {
          return o.primaryRoleTypeId ? { kind: 'summaryPrimary', odsCode: o.odsCode, roleTypeId: o.primaryRoleTypeId } : null;
        }
        const role = o.roles.find((r) => r.isPrimary);
        return role ? { kind: 'full', role } : null;
      },
    }),
    roles: t.field({
      type: [RoleRef],
      description: 'Every role the organisation holds or held, in ORD\'s order (primary and non-primary).',
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
        'Relationships held on this organisation\'s record, pointing outwards (a site to its trust, a practice to its commissioner and PCN, a trust to its ICB).',
      args: {
        types: t.arg.idList({ description: 'Keep only these relationship types, e.g. ["RE6"].' }),
        status: t.arg({ type: StatusEnum, description: 'Keep only relationships with this status.' }),
        activeOn: t.arg({
          type: DateScalar,
          description:
            'Keep only relationships in effect on this date: their operational period (else legal period) starts on or before it and has not ended before it.',
        }),
      },
      resolve: async (o, args, ctx) => {
        const types = args.types?.map((id) => checkCodeSystemId(String(id), 'RE', 'types'));
        const { relationships } = await full(o, ctx);
        return selectRelationships(relationships, { types, status: args.status, activeOn: args.activeOn });
      },
    }),
    inboundRelationships: t.field({
      type: InboundRelationshipConnectionRef,
      description:
        'Organisations whose own records point at this one (ORD\'s membership search), e.g. a trust\'s sites (RE6) or a sub-ICB location\'s practices (RE4). Sorted by name then code. Needs no full record of this organisation, and nodes are summaries: a trust and its sites\' names cost one full fetch plus one search.',
      args: {
        types: t.arg.idList({ description: 'Only relationships of these types, e.g. ["RE6"]; any type when omitted.' }),
        status: t.arg({ type: StatusEnum, description: 'Only relationships with this status; any when omitted.' }),
        primaryRole: t.arg.id({
          description:
            'Only sources whose primary role is this type, e.g. "RO177" for practices among a sub-ICB location\'s members (ORD `PrimaryRoleId`, combined with the membership search).',
        }),
        first: t.arg.int({ description: 'How many to return, 0 to 1000 (default 100). The server pages through ORD itself.' }),
        after: t.arg.string({ description: 'Return the items after this cursor.' }),
      },
      resolve: async (o, args, ctx) => {
        pageWindow(args); // check first/after before anything else
        const types = args.types?.map((id) => checkCodeSystemId(String(id), 'RE', 'types'));
        const relatedTo: { odsCode: string; relationshipTypeIds?: string[]; status?: Status } = { odsCode: o.odsCode };
        if (types && types.length > 0) relatedTo.relationshipTypeIds = types;
        if (args.status) relatedTo.status = args.status;
        const search: OrganisationSearch = { relatedTo };
        if (args.primaryRole != null) search.primaryRoleTypeId = checkCodeSystemId(String(args.primaryRole), 'RO', 'primaryRole');
        const connection = await searchConnection(ctx, search, args);
        const edges: InboundEdge[] = connection.edges.map((edge) => ({
          ...edge,
          targetOdsCode: o.odsCode.toUpperCase(),
          types: types && types.length > 0 ? types : null,
          status: args.status ?? null,
        }));
        return { ...connection, edges };
      },
    }),
    successions: t.field({
      type: [SuccessionRef],
      description: 'Successions (mergers, replacements) recorded on this organisation, in ORD\'s order.',
      args: { type: t.arg({ type: SuccessionTypeEnum, description: 'Keep only PREDECESSOR or only SUCCESSOR entries.' }) },
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
    resolve: (_root, args, ctx) => ctx.loaders.best(checkOdsCode(args.odsCode, 'odsCode')),
  }),
  organisations: t.field({
    type: [OrganisationRef],
    nullable: { list: false, items: true },
    description:
      'Several organisations by ODS code, in the order asked; null for a code ORD does not hold (or, with an error at that index, one that could not be fetched). Each distinct code is fetched once.',
    args: { odsCodes: t.arg.stringList({ required: true, description: 'ODS codes (case-insensitive), at most 1000.' }) },
    resolve: async (_root, args, ctx) => {
      if (args.odsCodes.length > 1000) throw badUserInput('odsCodes may hold at most 1000 codes.', 'odsCodes');
      const codes = args.odsCodes.map((code) => checkOdsCode(code, 'odsCodes'));
      const results = await Promise.all(
        codes.map((code) => ctx.loaders.best(code).catch((error: unknown) => toGraphQLError(error))),
      );
      // graphql-js turns an Error list item into null plus an error at that index; its siblings still resolve.
      return results as (OrganisationRecord | null)[];
    },
  }),
}));
