// Multi-level walks of the relationship graph (`descendants`, `ancestors`), per request, with the port's semantics.
// A source that walks the graph itself (GraphWalks: the mirror) is asked; any other is walked level by level here.

import { normaliseOdsCode } from '../domain/odsCode.js';
import { isActiveOn } from '../domain/period.js';
import type { Organisation, Relationship } from '../domain/types.js';
import type { KnownAnswers } from '../sources/known.js';
import {
  walksGraph,
  type OrganisationSearch,
  type OrganisationSource,
  type SearchPage,
  type WalkOptions,
  type WalkStep,
} from '../sources/types.js';

export type WalkDirection = 'descendants' | 'ancestors';

/** One walk from one organisation; the same walk asked twice in a request is walked once. */
export type Walker = (direction: WalkDirection, odsCode: string, options: WalkOptions) => Promise<WalkStep[]>;

/** What a level-by-level walk needs of the request's loaders (search pages prime their rows as summaries). */
export interface WalkLoaders {
  search(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage>;
  /** A listed organisation's full record (an error when the source listed it but has no record). */
  complete(odsCode: string): Promise<Organisation>;
  /** A full record, or null when the source has none. */
  full(odsCode: string): Promise<Organisation | null>;
}

/**
 * Rows asked for per membership search page: ORD's largest page (its Limit maximum), so each page is one ORD call;
 * every page of a member list is read.
 */
export const WALK_SEARCH_PAGE_ROWS = 1000;

/**
 * Most of one walk's source calls waiting or running at once: a third of the default ORD_MAX_QUEUED_PER_CLIENT (300),
 * so a walk that loads hundreds of records queues them a hundred at a time instead of being refused UPSTREAM_QUEUE_FULL.
 */
export const WALK_MAX_PENDING_CALLS = 100;

/** Runs at most `limit` of the tasks given to it at once, in the order given. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** The loaders, with every call through one limiter (one per walk). */
function limited(loaders: WalkLoaders): WalkLoaders {
  const run = limiter(WALK_MAX_PENDING_CALLS);
  return {
    search: (filter, offset, limit) => run(() => loaders.search(filter, offset, limit)),
    complete: (odsCode) => run(() => loaders.complete(odsCode)),
    full: (odsCode) => run(() => loaders.full(odsCode)),
  };
}

/** An organisation a level reaches, with the parent it is reached through. */
interface Reached {
  code: string;
  name: string;
  primaryRoleTypeId: string | null;
  viaCode: string;
  viaName: string;
  relationshipTypeId: string;
}

/** The port's choice of `via` among several parents: first by name, then code; then the smaller type id. */
function preferred(a: Reached, b: Reached): boolean {
  if (a.viaName !== b.viaName) return a.viaName < b.viaName;
  if (a.viaCode !== b.viaCode) return a.viaCode < b.viaCode;
  return a.relationshipTypeId < b.relationshipTypeId;
}

/** By name, then code (code-unit order, as the mirror and ORD sort). */
function byNameThenCode(a: Reached, b: Reached): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function primaryRoleOf(record: Organisation): string | null {
  return record.roles.find((role) => role.isPrimary)?.roleTypeId ?? null;
}

/** Whether a relationship is followed: in effect on `activeOn`, else of the walk's status (ACTIVE by default). */
function followed(relationship: Relationship, options: WalkOptions): boolean {
  if (options.activeOn !== undefined) return isActiveOn(relationship, options.activeOn);
  return relationship.status === (options.status ?? 'ACTIVE');
}

/** The membership search a descendants walk makes from `parentCode`: one per type, or with `activeOn` one of all types. */
function memberSearch(parentCode: string, types: string[], options: WalkOptions): OrganisationSearch {
  if (options.activeOn !== undefined) return { relatedTo: { odsCode: parentCode, relationshipTypeIds: types } };
  return { relatedTo: { odsCode: parentCode, relationshipTypeIds: types, status: options.status ?? 'ACTIVE' } };
}

/** The listed types of `record`'s followed relationships to `parentCode`, smallest id first. */
function linkTypesTo(record: Organisation, parentCode: string, types: string[], options: WalkOptions): string[] {
  return record.relationships
    .filter(
      (r) =>
        normaliseOdsCode(r.targetOdsCode) === parentCode &&
        types.includes(r.relationshipTypeId.toUpperCase()) &&
        followed(r, options),
    )
    .map((r) => r.relationshipTypeId.toUpperCase())
    .sort();
}

/** `record`'s followed relationships of the listed types (an ancestors walk's next level). */
function followedLinks(record: Organisation, types: string[], options: WalkOptions): Relationship[] {
  return record.relationships.filter((r) => types.includes(r.relationshipTypeId.toUpperCase()) && followed(r, options));
}

/** Every row of a search, page by page (the pages after the first go out together; the source paces them). */
async function allRows(loaders: WalkLoaders, filter: OrganisationSearch): Promise<SearchPage['items']> {
  const first = await loaders.search(filter, 0, WALK_SEARCH_PAGE_ROWS);
  const items = [...first.items];
  const rest: Promise<SearchPage>[] = [];
  for (let offset = WALK_SEARCH_PAGE_ROWS; offset < first.totalCount; offset += WALK_SEARCH_PAGE_ROWS) {
    rest.push(loaders.search(filter, offset, WALK_SEARCH_PAGE_ROWS));
  }
  for (const page of await Promise.all(rest)) items.push(...page.items);
  return items;
}

/** Collects one level: each organisation once (not one already reached), through its preferred parent. */
class Level {
  private readonly reached = new Map<string, Reached>();
  constructor(private readonly seen: ReadonlySet<string>) {}

  /** Whether `code` was reached at an earlier level (or is the start): it is not reached again. */
  reachedBefore(code: string): boolean {
    return this.seen.has(normaliseOdsCode(code));
  }

  offer(candidate: Reached): void {
    if (this.seen.has(candidate.code)) return;
    const held = this.reached.get(candidate.code);
    if (!held || preferred(candidate, held)) this.reached.set(candidate.code, candidate);
  }

  sorted(): Reached[] {
    return [...this.reached.values()].sort(byNameThenCode);
  }
}

/** The steps of one level, each once, in order; what the next level starts from. */
function closeLevel(
  level: Level,
  depth: number,
  seen: Set<string>,
  steps: WalkStep[],
): { code: string; name: string }[] {
  const reached = level.sorted();
  for (const r of reached) {
    seen.add(r.code);
    steps.push({
      odsCode: r.code,
      depth,
      viaOdsCode: r.viaCode,
      relationshipTypeId: r.relationshipTypeId,
      primaryRoleTypeId: r.primaryRoleTypeId,
    });
  }
  return reached.map((r) => ({ code: r.code, name: r.name }));
}

/** A walk level by level; `expand` offers each level's organisations reached from one organisation of the last. */
async function walkLevels(
  odsCode: string,
  options: WalkOptions,
  expand: (parent: { code: string; name: string }, level: Level) => Promise<void>,
): Promise<WalkStep[]> {
  const start = normaliseOdsCode(odsCode);
  const seen = new Set<string>([start]);
  const steps: WalkStep[] = [];
  // The start's name is never compared: at depth 1 it is the only parent.
  let frontier: { code: string; name: string }[] = [{ code: start, name: '' }];
  for (let depth = 1; depth <= options.depth && frontier.length > 0; depth++) {
    const level = new Level(seen);
    await Promise.all(frontier.map((parent) => expand(parent, level)));
    frontier = closeLevel(level, depth, seen, steps);
  }
  return steps;
}

/**
 * Members through membership searches: without `activeOn`, one search per type (so each member's relationship type is
 * known from its search) with the walk's status; with `activeOn`, one search of every type and status, then each
 * member's full record, whose relationship to the parent must be in effect on the date.
 */
function descendantsByLevels(loaders: WalkLoaders, odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
  const types = options.relationshipTypeIds.map((t) => t.toUpperCase());
  return walkLevels(odsCode, options, async (parent, level) => {
    if (options.activeOn === undefined) {
      await Promise.all(
        types.map(async (type) => {
          const rows = await allRows(loaders, memberSearch(parent.code, [type], options));
          for (const row of rows) {
            level.offer({
              code: normaliseOdsCode(row.odsCode),
              name: row.name,
              primaryRoleTypeId: row.primaryRoleTypeId,
              viaCode: parent.code,
              viaName: parent.name,
              relationshipTypeId: type,
            });
          }
        }),
      );
      return;
    }
    const rows = await allRows(loaders, memberSearch(parent.code, types, options));
    const fresh = rows.filter((row) => !level.reachedBefore(row.odsCode));
    const records = await Promise.all(fresh.map((row) => loaders.complete(row.odsCode)));
    for (const record of records) {
      const matching = linkTypesTo(record, parent.code, types, options);
      if (matching[0] === undefined) continue;
      level.offer({
        code: normaliseOdsCode(record.odsCode),
        name: record.name,
        primaryRoleTypeId: primaryRoleOf(record),
        viaCode: parent.code,
        viaName: parent.name,
        relationshipTypeId: matching[0],
      });
    }
  });
}

/**
 * Parents through full records: each organisation's relationships of the types (current, or in effect on the date),
 * and their targets' records (for names and the next level). A target the source has no record of is not followed.
 */
function ancestorsByLevels(loaders: WalkLoaders, odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
  const types = options.relationshipTypeIds.map((t) => t.toUpperCase());
  return walkLevels(odsCode, options, async (child, level) => {
    const record = await loaders.complete(child.code);
    const links = followedLinks(record, types, options);
    await Promise.all(
      links.map(async (link) => {
        const target = await loaders.full(link.targetOdsCode);
        if (!target) return;
        level.offer({
          code: normaliseOdsCode(target.odsCode),
          name: target.name,
          primaryRoleTypeId: primaryRoleOf(target),
          viaCode: child.code,
          viaName: record.name,
          relationshipTypeId: link.relationshipTypeId.toUpperCase(),
        });
      }),
    );
  });
}

/** The request's walker over `source`: the source's own walks when it has them, else level by level through `loaders`. */
export function createWalker(source: OrganisationSource, loaders: WalkLoaders): Walker {
  const walks = new Map<string, Promise<WalkStep[]>>();
  return (direction, odsCode, options) => {
    const start = normaliseOdsCode(odsCode);
    const key = JSON.stringify([direction, start, options]);
    let walk = walks.get(key);
    if (!walk) {
      if (walksGraph(source)) {
        walk = direction === 'descendants' ? source.descendantsOf(start, options) : source.ancestorsOf(start, options);
      } else {
        walk =
          direction === 'descendants'
            ? descendantsByLevels(limited(loaders), start, options)
            : ancestorsByLevels(limited(loaders), start, options);
      }
      walks.set(key, walk);
    }
    return walk;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The same walk over what a caching source already holds, synchronously, for the budget estimate: when every page and
// record the walk needs is held fresh, the walk costs no call and its steps are known exactly.

/** Every row of a search from held pages; undefined when any page is not held. */
function knownRows(known: KnownAnswers, filter: OrganisationSearch): SearchPage['items'] | undefined {
  const first = known.knownSearch(filter, 0, WALK_SEARCH_PAGE_ROWS);
  if (!first) return undefined;
  const items = [...first.items];
  for (let offset = WALK_SEARCH_PAGE_ROWS; offset < first.totalCount; offset += WALK_SEARCH_PAGE_ROWS) {
    const page = known.knownSearch(filter, offset, WALK_SEARCH_PAGE_ROWS);
    if (!page) return undefined;
    items.push(...page.items);
  }
  return items;
}

/** A held full record, or null when the code is known not to exist; undefined when not held. */
type KnownRecord = (code: string) => Organisation | null | undefined;

/** The walk `loaders.walk` would make, from held answers only; undefined when it would need any call. */
export function knownWalk(
  known: KnownAnswers,
  direction: WalkDirection,
  odsCode: string,
  options: WalkOptions,
): WalkStep[] | undefined {
  const types = options.relationshipTypeIds.map((t) => t.toUpperCase());
  const record: KnownRecord = (code) => known.knownOrganisation(code);
  const start = normaliseOdsCode(odsCode);
  const seen = new Set<string>([start]);
  const steps: WalkStep[] = [];
  let frontier: { code: string; name: string }[] = [{ code: start, name: '' }];
  for (let depth = 1; depth <= options.depth && frontier.length > 0; depth++) {
    const level = new Level(seen);
    for (const parent of frontier) {
      const held =
        direction === 'descendants'
          ? knownMembers(known, record, parent, types, options, level)
          : knownParents(record, parent, types, options, level);
      if (!held) return undefined;
    }
    frontier = closeLevel(level, depth, seen, steps);
  }
  return steps;
}

function knownMembers(
  known: KnownAnswers,
  record: KnownRecord,
  parent: { code: string; name: string },
  types: string[],
  options: WalkOptions,
  level: Level,
): boolean {
  const via = { viaCode: parent.code, viaName: parent.name };
  if (options.activeOn === undefined) {
    for (const type of types) {
      const rows = knownRows(known, memberSearch(parent.code, [type], options));
      if (!rows) return false;
      for (const row of rows) {
        const code = normaliseOdsCode(row.odsCode);
        level.offer({
          code,
          name: row.name,
          primaryRoleTypeId: row.primaryRoleTypeId,
          ...via,
          relationshipTypeId: type,
        });
      }
    }
    return true;
  }
  const rows = knownRows(known, memberSearch(parent.code, types, options));
  if (!rows) return false;
  for (const row of rows) {
    if (level.reachedBefore(row.odsCode)) continue;
    const member = record(row.odsCode);
    if (!member) return false; // not held (or listed without a record: the walk will say so)
    const matching = linkTypesTo(member, parent.code, types, options)[0];
    if (matching === undefined) continue;
    const code = normaliseOdsCode(member.odsCode);
    level.offer({
      code,
      name: member.name,
      primaryRoleTypeId: primaryRoleOf(member),
      ...via,
      relationshipTypeId: matching,
    });
  }
  return true;
}

function knownParents(
  record: KnownRecord,
  child: { code: string },
  types: string[],
  options: WalkOptions,
  level: Level,
): boolean {
  const held = record(child.code);
  if (!held) return false;
  for (const link of followedLinks(held, types, options)) {
    const target = record(link.targetOdsCode);
    if (target === undefined) return false;
    if (target === null) continue;
    level.offer({
      code: normaliseOdsCode(target.odsCode),
      name: target.name,
      primaryRoleTypeId: primaryRoleOf(target),
      viaCode: normaliseOdsCode(child.code),
      viaName: held.name,
      relationshipTypeId: link.relationshipTypeId.toUpperCase(),
    });
  }
  return true;
}
