// Searching: the OrganisationFilter input (every ORD search filter), the two connection types, and the paging rules.
// Root fields searchOrganisations and organisationsChangedSince; Organisation.inboundRelationships pages the same way.

import { normaliseOdsCode, type OdsCode } from '../domain/odsCode.js';
import type { Relationship, Status } from '../domain/types.js';
import type { OrganisationRecord } from '../loaders/index.js';
import type { OrganisationSearch, SearchPage } from '../sources/types.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import {
  checkCodeSystemId,
  checkNameFilter,
  checkOdsCode,
  checkPostcodeFilter,
  checkPostcodeStartsWith,
  checkTextFilter,
} from './arguments.js';
import { assumedInboundMembers } from './cost/assumptions.js';
import type { CostAt } from './cost/declare.js';
import { badUserInput, quoteInput } from './errors.js';
import { OrganisationRef, UNKNOWN_LINK, UNKNOWN_ORGANISATION, type OrganisationAtCost } from './refs.js';
import { RelationshipRef } from './relationship.js';
import { DateScalar, StatusEnum } from './scalars.js';

/**
 * Days back `daysAgo` may reach. ORD's window is 185 days back from its own (UK) today; this server counts from the UTC
 * date, which is the UK date or the day before, so one day less always stays inside ORD's window.
 */
const MAX_DAYS_AGO = 184;

/** Page size when `first` is not given. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest `first` accepted: ORD's own page limit. Larger pages would hide ORD's paging cost from clients. */
export const MAX_PAGE_SIZE = 1000;

// ---------------------------------------------------------------------------------------------------------------
// Cursors: opaque, but simply the 0-based position in the whole result list.

const CURSOR_PREFIX = 'ods-offset:';

export function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`, 'utf8').toString('base64');
}

export function decodeCursor(cursor: string, argumentName = 'after'): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^ods-offset:(\d{1,9})$/.exec(text);
  if (!match || encodeCursor(Number(match[1])) !== cursor) {
    throw badUserInput(
      `${argumentName} must be a cursor returned by this API; got ${quoteInput(cursor)}.`,
      argumentName,
    );
  }
  return Number(match[1]);
}

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/** Checks `first`/`after` and turns them into an offset and a limit. */
export function pageWindow(args: PageArgs): { offset: number; limit: number } {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}; got ${limit}.`, 'first');
  }
  const offset = args.after ? decodeCursor(args.after) + 1 : 0;
  return { offset, limit };
}

/** What a connection resolver returns; edges may carry extra data for edge fields. */
export interface ConnectionResult<E extends { cursor: string; node: OrganisationRecord }> {
  edges: E[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/**
 * One page of a search as a connection. The source pages through ORD's 1000-row pages itself, so `first` up to 1000
 * is always honoured; `hasNextPage` comes from ORD's total count, so it is exact. `first: 0` still makes one ORD call
 * (the source asks for one row), because ORD needs a Limit of at least 1 to report the total.
 */
export async function searchConnection(
  ctx: Context,
  filter: OrganisationSearch,
  args: PageArgs,
): Promise<ConnectionResult<{ cursor: string; node: OrganisationRecord }>> {
  const { offset, limit } = pageWindow(args);
  const page = await ctx.loaders.search(filter, offset, limit);
  const items = page.items.slice(0, limit);
  const edges = items.map((node, index) => ({ cursor: encodeCursor(offset + index), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: offset + items.length < page.totalCount,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What a page costs upstream (the root searches and `inboundRelationships` declare it; cost/declare.ts).

type CostArgs = Readonly<Record<string, unknown>>;

/** What the cost estimate knows about one edge of a page: its node and, for a membership page, the page's arguments. */
interface EdgeAtCost extends OrganisationAtCost {
  inbound: CostArgs | undefined;
  /** Set by the first field of this edge that counts the node's full-record fetch: no other field counts it again. */
  fullRecordCounted: boolean;
}

/** The fetch of an edge node's full record, counted once per edge when a field needs it and the source lacks it. */
function fullRecordOnce(at: CostAt<EdgeAtCost>, needed: boolean): number {
  const edge = at.parent;
  if (!needed || edge.held !== undefined || edge.fullRecordCounted) return 0;
  edge.fullRecordCounted = true;
  return at.calls.record();
}

/** The page the connection would read, when the source holds exactly it fresh. */
function knownPage(at: CostAt<unknown>, search: (() => OrganisationSearch) | undefined): SearchPage | undefined {
  if (!search || !at.known) return undefined;
  try {
    const { offset, limit } = pageWindow(at.args as PageArgs);
    return at.known.knownSearch(search(), offset, limit);
  } catch {
    return undefined; // bad input: execution refuses it before any call
  }
}

/**
 * A page of a search (`search` builds it as the resolver does; undefined when the estimate cannot), with `inbound`
 * holding the arguments of a membership page. When the source holds the very page fresh, its rows are counted one by
 * one (what each needs beyond its summary, looked up in the cache); otherwise the page costs its search calls plus
 * `first` rows (or the assumed members) that nothing is known of.
 */
export function connectionCost(
  at: CostAt<unknown>,
  search: (() => OrganisationSearch) | undefined,
  inbound?: CostArgs,
): number {
  const first = at.args.first ?? DEFAULT_PAGE_SIZE;
  // Refused as BAD_USER_INPUT before any call:
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) return 0;
  const page = knownPage(at, search);
  if (page) {
    let calls = 0;
    for (const item of page.items.slice(0, first)) {
      const held = at.known?.knownOrganisation(item.odsCode);
      if (held === null) continue;
      calls += at.below({ code: item.odsCode, held, inbound, fullRecordCounted: false } satisfies EdgeAtCost);
    }
    return calls;
  }
  const rows = inbound ? Math.min(first, assumedInboundMembers(inbound) ?? first) : first;
  const edge: EdgeAtCost = { ...UNKNOWN_ORGANISATION, inbound, fullRecordCounted: false };
  return at.calls.searchPage(first) + rows * at.below(edge);
}

/** An edge's node: a summary, so its full record only when its selection needs one. */
const nodeField = {
  extensions: {
    upstreamCost: (at: CostAt<EdgeAtCost>) => fullRecordOnce(at, at.needsFullRecord()) + at.below(at.parent),
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Connection types.

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole list holds (all pages), as ORD counts them.',
    resolve: (connection) => connection.totalCount,
  }),
);

export const OrganisationConnectionRef = builder.connectionObject(
  {
    type: OrganisationRef,
    name: 'OrganisationConnection',
    description:
      'A page of organisations from a search or the change feed. Each node carries the search summary, so `odsCode`, `name`, `status`, `recordClass`, `lastChangeDate`, `address { postcode }` and `primaryRole { type isPrimary }` cost no further ORD calls.',
  },
  { name: 'OrganisationEdge', description: 'One organisation in a page of results.', nodeField },
);

/** An inbound edge also remembers which organisation it points at and the filters asked for. */
export interface InboundEdge {
  cursor: string;
  node: OrganisationRecord;
  targetOdsCode: OdsCode;
  types: string[] | null;
  status: Status | null;
}

function matchingRelationships(source: { relationships: Relationship[] }, edge: InboundEdge): Relationship[] {
  return source.relationships.filter(
    (r) =>
      normaliseOdsCode(r.targetOdsCode) === edge.targetOdsCode &&
      (!edge.types || edge.types.includes(r.relationshipTypeId.toUpperCase())) &&
      (!edge.status || r.status === edge.status),
  );
}

/** Active first, then the most recently started. */
function mostRelevant(relationships: Relationship[]): Relationship | null {
  const start = (r: Relationship) => (r.operationalPeriod ?? r.legalPeriod)?.start ?? '';
  return (
    [...relationships].sort(
      (a, b) => Number(b.status === 'ACTIVE') - Number(a.status === 'ACTIVE') || start(b).localeCompare(start(a)),
    )[0] ?? null
  );
}

export const InboundRelationshipConnectionRef = builder.connectionObject(
  {
    type: OrganisationRef,
    name: 'InboundRelationshipConnection',
    description:
      "A page of organisations whose own records hold a relationship pointing at this one (ORD's membership search). Nodes carry the search summary, so names and codes cost no further ORD calls.",
  },
  {
    name: 'InboundRelationshipEdge',
    description: 'One organisation pointing at this one, with the relationship it holds.',
    nodeField,
    fields: (t) => ({
      relationship: t.field({
        type: RelationshipRef,
        nullable: true,
        description:
          "The source's own relationship to this organisation (matching the connection's `types` and `status`; the active, most recently started one when several match). Needs the source's full record: one ORD call per distinct source.",
        extensions: { upstreamCost: (at: CostAt<EdgeAtCost>) => fullRecordOnce(at, true) + at.below(UNKNOWN_LINK) },
        resolve: async (edge, _a, ctx) => {
          const inbound = edge as unknown as InboundEdge;
          const source = await ctx.loaders.complete(inbound.node);
          return mostRelevant(matchingRelationships(source, inbound));
        },
      }),
      relationships: t.field({
        type: [RelationshipRef],
        description:
          "Every relationship the source holds to this organisation that matches the connection's `types` and `status` (a practice can be both commissioned by and operated by the same body). Needs the source's full record.",
        extensions: {
          // One relationship per listed type (a practice's commissioner and operator may be the same body).
          upstreamCost: (at: CostAt<EdgeAtCost>) => {
            const types = at.parent.inbound?.types;
            const relationships = Math.max(1, Array.isArray(types) ? types.length : 1);
            return fullRecordOnce(at, true) + relationships * at.below(UNKNOWN_LINK);
          },
        },
        resolve: async (edge, _a, ctx) => {
          const inbound = edge as unknown as InboundEdge;
          const source = await ctx.loaders.complete(inbound.node);
          return matchingRelationships(source, inbound);
        },
      }),
    }),
  },
);

// ---------------------------------------------------------------------------------------------------------------
// The filter.

export const RelatedToFilterRef = builder.inputType('RelatedToFilter', {
  description: 'Membership search: organisations holding a relationship that points at `odsCode`.',
  fields: (t) => ({
    odsCode: t.string({ required: true, description: "The target organisation's ODS code (ORD `TargetOrgId`)." }),
    relationshipTypes: t.idList({
      description: 'Only relationships of these types, e.g. ["RE6"] (ORD `RelTypeId`); any type when omitted.',
    }),
    relationshipStatus: t.field({
      type: StatusEnum,
      description: 'Only relationships with this status (ORD `RelStatus`); any status when omitted.',
    }),
  }),
});

export const OrganisationFilterRef = builder.inputType('OrganisationFilter', {
  description:
    "Every search filter ORD offers, and three that need `SOURCE=mirror` (`activeOn`, `text`, `postcodeStartsWith`); all given filters must match (AND). At least one is required. Values ORD would refuse (a `name` outside 3–100 characters or its character set, a malformed `postcode`, role or record class id) are BAD_USER_INPUT errors naming `filter`, before anything is sent; refusals only ORD can judge (e.g. a `changedSince` beyond its 185-day window) come back as UPSTREAM_REJECTED with ORD's own text.",
  fields: (t) => ({
    name: t.string({
      description:
        'Case-insensitive substring of the name (ORD `Name`: 3–100 characters, letters, digits, spaces and `_@&.()\'"/:,+;-`; `_` matches any one character on ORD and the mirror; on SOURCE=fhir ODT has no wildcard, so `_` is literal).',
    }),
    postcode: t.string({
      description:
        'Postcode prefix (ORD `PostCode`, 2–8 characters shaped like the start of a UK postcode); a bare outward code such as "LS1" matches only that district.',
    }),
    status: t.field({ type: StatusEnum, description: 'Organisation status (ORD `Status`).' }),
    primaryRole: t.id({ description: 'Primary role type id, e.g. "RO197" for NHS trusts (ORD `PrimaryRoleId`).' }),
    nonPrimaryRole: t.id({
      description:
        'A non-primary role type id the organisation holds, e.g. "RO76" for GP practices (ORD `NonPrimaryRoleId`).',
    }),
    anyOfRoles: t.idList({
      description: 'Organisations holding any of these role types, primary or not (ORD `Roles`).',
    }),
    recordClass: t.id({ description: '"RC1" for organisations, "RC2" for sites (ORD `OrgRecordClass`).' }),
    changedSince: t.field({
      type: DateScalar,
      description:
        'Only records changed on or after this date (ORD `LastChangeDate`; ORD accepts dates up to 185 days back, not in the future).',
    }),
    relatedTo: t.field({
      type: RelatedToFilterRef,
      description: 'Membership search: organisations pointing at another one.',
    }),
    activeOn: t.field({
      type: DateScalar,
      description:
        'Needs `SOURCE=mirror` (ORD has no such filter: on ORD this is UNSUPPORTED_BY_SOURCE, before anything is sent). Only organisations open on this date: their operational period (else legal period) contains it. With `relatedTo`, the relationship must have been in effect on that date too (who was under whom, then).',
    }),
    text: t.string({
      description:
        'Needs `SOURCE=mirror` (on ORD: UNSUPPORTED_BY_SOURCE, before anything is sent). Ranked full-text search over names: every word must begin a word of the name ("king coll" finds KING\'S COLLEGE HOSPITAL). 2–100 characters: words of letters and digits, with `\' & . , ( ) / + -`. With `text`, results come by relevance (best first), not by name.',
    }),
    postcodeStartsWith: t.string({
      description:
        'Needs `SOURCE=mirror` (on ORD: UNSUPPORTED_BY_SOURCE, before anything is sent). Postcode typeahead: the postcode begins with this, spaces ignored, 1–8 letters, digits and spaces; unlike `postcode`, "LS1" also finds LS10 and LS11.',
    }),
  }),
});

type FilterInput = typeof OrganisationFilterRef.$inferInput;

/** Checks the filter's codes and turns it into the source's search, naming `filter` in any error. */
export function toSearch(filter: FilterInput): OrganisationSearch {
  const search: OrganisationSearch = {};
  if (filter.name != null) search.name = checkNameFilter(filter.name, 'filter', 'filter.name');
  if (filter.postcode != null) search.postcode = checkPostcodeFilter(filter.postcode, 'filter', 'filter.postcode');
  if (filter.status != null) search.status = filter.status;
  if (filter.primaryRole != null)
    search.primaryRoleTypeId = checkCodeSystemId(String(filter.primaryRole), 'RO', 'filter');
  if (filter.nonPrimaryRole != null)
    search.nonPrimaryRoleTypeId = checkCodeSystemId(String(filter.nonPrimaryRole), 'RO', 'filter');
  if (filter.anyOfRoles != null && filter.anyOfRoles.length > 0) {
    search.anyRoleTypeIds = filter.anyOfRoles.map((id) => checkCodeSystemId(String(id), 'RO', 'filter'));
  }
  if (filter.recordClass != null) {
    const id = checkCodeSystemId(String(filter.recordClass), 'RC', 'filter');
    if (id !== 'RC1' && id !== 'RC2')
      throw badUserInput(`filter.recordClass must be RC1 or RC2; got ${JSON.stringify(id)}.`, 'filter');
    search.recordClassId = id;
  }
  if (filter.changedSince != null) search.changedSince = filter.changedSince;
  if (filter.relatedTo != null) {
    const related = filter.relatedTo;
    search.relatedTo = { odsCode: checkOdsCode(related.odsCode, 'filter') };
    if (related.relationshipTypes != null && related.relationshipTypes.length > 0) {
      search.relatedTo.relationshipTypeIds = related.relationshipTypes.map((id) =>
        checkCodeSystemId(String(id), 'RE', 'filter'),
      );
    }
    if (related.relationshipStatus != null) search.relatedTo.status = related.relationshipStatus;
  }
  if (filter.activeOn != null) search.activeOn = filter.activeOn;
  if (filter.text != null) search.text = checkTextFilter(filter.text, 'filter', 'filter.text');
  if (filter.postcodeStartsWith != null) {
    search.postcodeStartsWith = checkPostcodeStartsWith(
      filter.postcodeStartsWith,
      'filter',
      'filter.postcodeStartsWith',
    );
  }
  if (Object.keys(search).length === 0) {
    throw badUserInput('filter must set at least one filter (ORD refuses a search with none).', 'filter');
  }
  return search;
}

// ---------------------------------------------------------------------------------------------------------------
// Root fields.

const pageArgDescriptions = {
  first: `How many items to return, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}). The server pages through ORD itself, so nothing is cut at ORD's default of 20.`,
  after: 'Return the items after this cursor (an `endCursor` or edge `cursor` from an earlier page).',
};

builder.queryFields((t) => ({
  searchOrganisations: t.field({
    type: OrganisationConnectionRef,
    description:
      'Organisations matching every given filter, sorted as ORD sorts (name, then ODS code) — or, with `filter.text`, by relevance (best match first) — one page at a time. Nodes are summaries: see OrganisationConnection for which fields cost nothing more.',
    args: {
      filter: t.arg({
        type: OrganisationFilterRef,
        required: true,
        description: 'What to look for; at least one filter.',
      }),
      first: t.arg.int({ description: pageArgDescriptions.first }),
      after: t.arg.string({ description: pageArgDescriptions.after }),
    },
    extensions: { upstreamCost: (at) => connectionCost(at, () => toSearch(at.args.filter as FilterInput)) },
    resolve: (_root, args, ctx) => searchConnection(ctx, toSearch(args.filter), args),
  }),
  organisationsChangedSince: t.field({
    type: OrganisationConnectionRef,
    description:
      "Organisations whose ORD record changed on or after a date, sorted by name then code: give `date`, or `daysAgo` for a date that moves with today. Served by ORD's search with its LastChangeDate filter (sorted, paged, with summaries) rather than /sync (an unsorted list of links that would need one full fetch per organisation). ORD only looks back 185 days; an older or future date comes back as UPSTREAM_REJECTED with ORD's text.",
    args: {
      date: t.arg({
        type: DateScalar,
        description: 'The earliest change date to include (YYYY-MM-DD). Give this or `daysAgo`, not both.',
      }),
      daysAgo: t.arg.int({
        description: `The earliest change date to include, as days before ORD's today (0 to ${MAX_DAYS_AGO}; 0 is today). Give this or \`date\`, not both.`,
      }),
      first: t.arg.int({ description: pageArgDescriptions.first }),
      after: t.arg.string({ description: pageArgDescriptions.after }),
    },
    extensions: {
      upstreamCost: (at) => connectionCost(at, changedSinceAtCost(at)),
    },
    resolve: (_root, args, ctx) =>
      searchConnection(ctx, { changedSince: changedSinceDate(args.date, args.daysAgo, ctx.today()) }, args),
  }),
}));

/** The search organisationsChangedSince will make, for the estimate; none (nothing assumed cached) if it is refused. */
function changedSinceAtCost(at: CostAt<unknown>): (() => OrganisationSearch) | undefined {
  const { date, daysAgo } = at.args;
  if (typeof date !== 'string' && (typeof daysAgo !== 'number' || at.today === undefined)) return undefined;
  try {
    const changedSince = changedSinceDate(date as string | undefined, daysAgo as number | undefined, at.today ?? '');
    return () => ({ changedSince });
  } catch {
    return undefined;
  }
}

/** The date organisationsChangedSince asks ORD for: `date` as given, or `daysAgo` days before `today`; exactly one. */
function changedSinceDate(date: string | null | undefined, daysAgo: number | null | undefined, today: string): string {
  const hasDays = daysAgo !== null && daysAgo !== undefined;
  if (date !== null && date !== undefined) {
    if (hasDays) throw badUserInput('Give `date` or `daysAgo`, not both.', 'daysAgo');
    return date;
  }
  if (!hasDays) throw badUserInput('Give `date` (YYYY-MM-DD) or `daysAgo` (days before today).', 'date');
  if (!Number.isInteger(daysAgo) || daysAgo < 0 || daysAgo > MAX_DAYS_AGO)
    throw badUserInput(
      `daysAgo must be a whole number from 0 to ${MAX_DAYS_AGO}; got ${quoteInput(daysAgo)}.`,
      'daysAgo',
    );
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - daysAgo)).toISOString().slice(0, 10);
}
