// Multi-level walks on Organisation: `descendants` (who points here, level by level) and `ancestors` (where this
// points, level by level), each an OrganisationWalkConnection, with what each costs upstream declared beside it.

import type { Status } from '../domain/types.js';
import { ListedWithoutRecordError, type OrganisationRecord } from '../loaders/index.js';
import { knownWalk, type WalkDirection } from '../loaders/walks.js';
import type { WalkOptions, WalkStep } from '../sources/types.js';
import { checkCodeSystemId, checkWalkDepth, checkWalkTypes, MAX_WALK_DEPTH, MAX_WALK_TYPES } from './arguments.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { assumedWalkMembers, assumedWalkParents } from './cost/assumptions.js';
import { usesCodeSystem, type CostAt } from './cost/declare.js';
import { badUserInput } from './errors.js';
import { OrganisationRef, UNKNOWN_ORGANISATION, type OrganisationAtCost } from './refs.js';
import { RelationshipTypeRef, relationshipTypeById } from './relationshipType.js';
import { DateScalar, isCalendarDate, StatusEnum } from './scalars.js';
import { DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, pageWindow, type ConnectionResult } from './search.js';

/** `depth` when not given: direct members going down; up to the region (site → trust → ICB → region) going up. */
const DEFAULT_DEPTH: Record<WalkDirection, number> = { descendants: 1, ancestors: 5 };

interface WalkArgs {
  types: readonly unknown[];
  depth?: number | null | undefined;
  activeOn?: string | null | undefined;
  status?: Status | null | undefined;
  primaryRole?: unknown;
}

/** Checks a walk's arguments (naming the one that is wrong) and turns them into the port's options. */
function walkOptions(direction: WalkDirection, args: WalkArgs): WalkOptions {
  const relationshipTypeIds = checkWalkTypes(args.types);
  const depth = checkWalkDepth(args.depth ?? DEFAULT_DEPTH[direction]);
  const options: WalkOptions = { relationshipTypeIds, depth };
  if (args.activeOn != null) {
    if (args.status != null) {
      throw badUserInput(
        'Give `activeOn` (relationships in effect on a date) or `status` (relationships with that status now), not both.',
        'status',
      );
    }
    options.activeOn = args.activeOn;
  } else {
    options.status = args.status ?? 'ACTIVE';
  }
  return options;
}

function primaryRoleFilter(primaryRole: unknown): string | undefined {
  return primaryRole == null ? undefined : checkCodeSystemId(String(primaryRole), 'RO', 'primaryRole');
}

/** A walk edge: the step (depth, via, relationship type) and its organisation. */
interface WalkEdge {
  cursor: string;
  node: OrganisationRecord;
  step: WalkStep;
}

/** An organisation a walk listed: held by the request after the walk (summary or full), else fetched. */
async function reachedRecord(ctx: Context, odsCode: string): Promise<OrganisationRecord> {
  const record = await ctx.loaders.best(odsCode);
  if (!record) throw new ListedWithoutRecordError(odsCode);
  return record;
}

async function walkConnection(
  direction: WalkDirection,
  org: OrganisationRecord,
  args: WalkArgs & { first?: number | null; after?: string | null },
  ctx: Context,
): Promise<ConnectionResult<WalkEdge>> {
  const { offset, limit } = pageWindow(args);
  const options = walkOptions(direction, args);
  const role = primaryRoleFilter(args.primaryRole);
  const steps = await ctx.loaders.walk(direction, org.odsCode, options);
  const listed = role ? steps.filter((step) => step.primaryRoleTypeId?.toUpperCase() === role) : steps;
  const page = listed.slice(offset, offset + limit);
  const edges = await Promise.all(
    page.map(async (step, index) => ({
      cursor: encodeCursor(offset + index),
      node: await reachedRecord(ctx, step.odsCode),
      step,
    })),
  );
  return {
    edges,
    pageInfo: {
      hasNextPage: offset + page.length < listed.length,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: listed.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What a walk costs upstream, on a source without its own walks (on one with them, the calls cost what the source
// says: nothing, for the mirror). Bad input costs 0: it is refused before any call.

/** What the estimate knows about one walk edge: whether the walk itself loaded full records of the organisations. */
interface WalkEdgeAtCost extends OrganisationAtCost {
  /** The node's full record is held once the walk has run (the walk loaded it, or the source holds it). */
  fullRecords: boolean;
  /** The same for `via`. */
  viaFull: boolean;
  /** Set by the first field of the edge that counts the node's full-record fetch. */
  fullRecordCounted: boolean;
}

/** The arguments as the estimate sees them (unchecked, no defaults), or undefined when they will be refused. */
function optionsAtCost(direction: WalkDirection, args: Readonly<Record<string, unknown>>): WalkOptions | undefined {
  try {
    if (!Array.isArray(args.types)) return undefined;
    if (args.activeOn != null && (typeof args.activeOn !== 'string' || !isCalendarDate(args.activeOn)))
      return undefined;
    const status = args.status === 'ACTIVE' || args.status === 'INACTIVE' ? args.status : undefined;
    return walkOptions(direction, {
      types: args.types,
      depth: typeof args.depth === 'number' ? args.depth : args.depth == null ? undefined : Number.NaN,
      activeOn: args.activeOn as string | undefined,
      status,
      primaryRole: args.primaryRole,
    });
  } catch {
    return undefined;
  }
}

/** The edges of the page: `first` of them, or fewer when fewer are expected to be reached at all. */
function pageCost(at: CostAt<unknown>, reached: number, fullRecords: boolean): number {
  const first = at.args.first ?? DEFAULT_PAGE_SIZE;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) return Number.NaN;
  const edges = Math.min(first, reached);
  if (edges === 0) return 0;
  const edge: WalkEdgeAtCost = { ...UNKNOWN_ORGANISATION, fullRecords, viaFull: fullRecords, fullRecordCounted: false };
  return edges * at.below(edge);
}

/**
 * When the source holds every page and record the walk needs (a warm cache), the walk costs nothing and its edges are
 * known: each costs what its selection needs beyond what is held. Undefined when the walk would need any call.
 */
function knownWalkCost(
  at: CostAt<OrganisationAtCost>,
  direction: WalkDirection,
  options: WalkOptions,
): number | undefined {
  const { known } = at;
  const start = at.parent.code;
  if (!known || start === undefined) return undefined;
  const steps = knownWalk(known, direction, start, options);
  if (!steps) return undefined;
  let role: string | undefined;
  let window: { offset: number; limit: number };
  try {
    role = primaryRoleFilter(at.args.primaryRole);
    window = pageWindow(at.args as { first?: number; after?: string });
  } catch {
    return 0; // refused as BAD_USER_INPUT before any call
  }
  const { offset, limit } = window;
  const listed = role ? steps.filter((step) => step.primaryRoleTypeId?.toUpperCase() === role) : steps;
  let calls = 0;
  for (const step of listed.slice(offset, offset + limit)) {
    const held = known.knownOrganisation(step.odsCode) ?? undefined;
    const edge: WalkEdgeAtCost = {
      code: step.odsCode,
      held,
      fullRecords: held !== undefined,
      viaFull: (known.knownOrganisation(step.viaOdsCode) ?? undefined) !== undefined,
      fullRecordCounted: false,
    };
    calls += at.below(edge);
  }
  return calls;
}

/**
 * Descendants, level by level: each organisation of the previous level costs one membership search per type (every
 * page: `at.calls.searchPage` of the members expected), or with `activeOn` one search of every type plus each member's
 * full record. Members per organisation come from COST_ASSUMPTIONS.walkMembersPerType.
 */
function descendantsCost(at: CostAt<OrganisationAtCost>): number {
  const options = optionsAtCost('descendants', at.args);
  if (!options) return 0;
  const held = knownWalkCost(at, 'descendants', options);
  if (held !== undefined) return held;
  const anyStatus = options.activeOn !== undefined || options.status === 'INACTIVE';
  const perType = options.relationshipTypeIds.map((type) => assumedWalkMembers(type, anyStatus));
  const perNode = perType.reduce((sum, n) => sum + n, 0);
  let nodes = 1;
  let reached = 0;
  let calls = 0;
  for (let depth = 1; depth <= options.depth && nodes > 0; depth++) {
    if (options.activeOn !== undefined) {
      calls += nodes * (at.calls.searchPage(perNode) + perNode * at.calls.record());
    } else {
      for (const members of perType) calls += nodes * at.calls.searchPage(members);
    }
    nodes *= perNode;
    reached += nodes;
  }
  const page = pageCost(at, reached, options.activeOn !== undefined);
  return Number.isNaN(page) ? 0 : calls + page;
}

/**
 * Ancestors, level by level: each organisation reached costs its full record (the start's is counted by the field
 * that reached it: `ancestors` needs the full record). Parents per organisation from COST_ASSUMPTIONS (relationships per
 * listed type: one current, more with history).
 */
function ancestorsCost(at: CostAt<OrganisationAtCost>): number {
  const options = optionsAtCost('ancestors', at.args);
  if (!options) return 0;
  const held = knownWalkCost(at, 'ancestors', options);
  if (held !== undefined) return held;
  const current = options.activeOn !== undefined || options.status === 'ACTIVE';
  const perNode = assumedWalkParents(options.relationshipTypeIds.length, current);
  let nodes = 1;
  let reached = 0;
  let calls = 0;
  for (let depth = 1; depth <= options.depth && nodes > 0; depth++) {
    nodes *= perNode;
    calls += nodes * at.calls.record();
    reached += nodes;
  }
  const page = pageCost(at, reached, true);
  return Number.isNaN(page) ? 0 : calls + page;
}

/** An edge's organisation: held after the walk; its full record costs a fetch only when the walk loaded summaries. */
function edgeOrganisationCost(at: CostAt<WalkEdgeAtCost>): number {
  const edge = at.parent;
  let fetch = 0;
  if (!edge.fullRecords && !edge.fullRecordCounted && at.needsFullRecord()) {
    edge.fullRecordCounted = true;
    fetch = at.calls.record();
  }
  return fetch + at.below({ code: edge.code, held: edge.held } satisfies OrganisationAtCost);
}

/** `via`: an organisation of the previous level (a summary when the walk went through searches). */
function viaCost(at: CostAt<WalkEdgeAtCost>): number {
  const fetch = !at.parent.viaFull && at.needsFullRecord() ? at.calls.record() : 0;
  return fetch + at.below(UNKNOWN_ORGANISATION);
}

// ---------------------------------------------------------------------------------------------------------------
// The connection and the fields.

export const OrganisationWalkConnectionRef = builder.connectionObject(
  {
    type: OrganisationRef,
    name: 'OrganisationWalkConnection',
    description:
      'Organisations reached by a multi-level walk (`descendants` or `ancestors`): each once, at the smallest depth it is reached at, ordered by depth, then name, then ODS code. `totalCount` counts every organisation the walk lists (after `primaryRole`), not just this page.',
  },
  {
    name: 'OrganisationWalkEdge',
    description: 'One organisation a walk reached, how far from the start, and through which organisation.',
    nodeField: { extensions: { upstreamCost: edgeOrganisationCost } },
    fields: (t) => ({
      depth: t.int({
        description: '1 for a direct member (or parent) of the start, 2 for theirs, and so on.',
        resolve: (edge) => (edge as unknown as WalkEdge).step.depth,
      }),
      relationshipType: t.field({
        type: RelationshipTypeRef,
        description:
          'The type of the relationship between this organisation and `via` (of several listed types between the two, the smallest id).',
        extensions: { upstreamCost: usesCodeSystem('relationshipTypes') },
        resolve: (edge, _a, ctx) => relationshipTypeById(ctx, (edge as unknown as WalkEdge).step.relationshipTypeId),
      }),
      via: t.field({
        type: OrganisationRef,
        description:
          'The organisation one level nearer the start through which this one was reached (the start itself at depth 1); of several, the first by name, then code.',
        extensions: { upstreamCost: viaCost },
        resolve: (edge, _a, ctx) => reachedRecord(ctx, (edge as unknown as WalkEdge).step.viaOdsCode),
      }),
    }),
  },
);

const walkArgDescriptions = {
  types: `Relationship types to follow, 1 to ${MAX_WALK_TYPES} ids like "RE4"; a level may use any of them.`,
  activeOn:
    'Follow only relationships in effect on this date (their operational period, else legal period, contains it), whatever their status now: who was under whom then. Not with `status`.',
  status: 'Follow only relationships with this status; ACTIVE when neither this nor `activeOn` is given.',
  primaryRole:
    'List only organisations whose primary role is this type, e.g. "RO177" for GP practices; the walk still goes through every organisation (sub-ICB locations on the way to practices).',
  first: `How many edges to return, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  after: 'Return the edges after this cursor.',
};

const onOrd =
  'On a source without its own walks (ORD) the server walks level by level and the budget estimates it beforehand (large walks, such as every practice of an ICB as at a date, are refused as UPSTREAM_BUDGET_EXCEEDED before any call); with `SOURCE=mirror` the mirror walks the graph itself and the walk costs no upstream call.';

builder.objectFields(OrganisationRef, (t) => ({
  descendants: t.field({
    type: OrganisationWalkConnectionRef,
    description: `Organisations whose relationships point here, then those pointing at them, level by level: a trust's sites (["RE6"]), an ICB's every GP practice through its sub-ICB locations (["RE5", "RE4"], depth 2, primaryRole "RO177"). ${onOrd} Nodes reached through ORD's membership search are summaries (names and codes cost nothing more).`,
    args: {
      types: t.arg.idList({ required: true, description: walkArgDescriptions.types }),
      depth: t.arg.int({
        defaultValue: DEFAULT_DEPTH.descendants,
        description: `Levels to go down, 1 to ${MAX_WALK_DEPTH} (1: direct members).`,
      }),
      activeOn: t.arg({ type: DateScalar, description: walkArgDescriptions.activeOn }),
      status: t.arg({ type: StatusEnum, description: walkArgDescriptions.status }),
      primaryRole: t.arg.id({ description: walkArgDescriptions.primaryRole }),
      first: t.arg.int({ description: walkArgDescriptions.first }),
      after: t.arg.string({ description: walkArgDescriptions.after }),
    },
    extensions: { fromSummary: true, upstreamCost: descendantsCost },
    resolve: (org, args, ctx) => walkConnection('descendants', org, args, ctx),
  }),
  ancestors: t.field({
    type: OrganisationWalkConnectionRef,
    description: `Organisations this one's relationships point at, then theirs, level by level, until nothing points further up or \`depth\` is reached: a site's trust, its ICB and the region (["RE6", "RE5"]). ${onOrd} Needs each organisation's full record (one ORD call each on ORD).`,
    args: {
      types: t.arg.idList({ required: true, description: walkArgDescriptions.types }),
      depth: t.arg.int({
        defaultValue: DEFAULT_DEPTH.ancestors,
        description: `Most levels to go up, 1 to ${MAX_WALK_DEPTH}.`,
      }),
      activeOn: t.arg({ type: DateScalar, description: walkArgDescriptions.activeOn }),
      status: t.arg({ type: StatusEnum, description: walkArgDescriptions.status }),
      primaryRole: t.arg.id({ description: walkArgDescriptions.primaryRole }),
      first: t.arg.int({ description: walkArgDescriptions.first }),
      after: t.arg.string({ description: walkArgDescriptions.after }),
    },
    extensions: { upstreamCost: ancestorsCost },
    resolve: (org, args, ctx) => walkConnection('ancestors', org, args, ctx),
  }),
}));
