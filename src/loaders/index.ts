// Per-request loaders over an OrganisationSource: one organisation-by-code DataLoader, summary priming, search dedup.
// Plus the per-process code-system memo (role types, relationship types, record classes), shared by every request.

import DataLoader from 'dataloader';
import type { Organisation, OrganisationSummary, RecordClass, RelationshipType, RoleType } from '../domain/types.js';
import { normaliseOdsCode, type OdsCode } from '../domain/odsCode.js';
import { SourceUnavailableError } from '../sources/errors.js';
import { knowsAnswers } from '../sources/known.js';
import {
  looksUpInBatches,
  type CodeSystemName,
  type OrganisationSearch,
  type OrganisationSource,
  type SearchPage,
} from '../sources/types.js';
import { createWalker, type Walker } from './walks.js';

/** What the schema's Organisation type resolves from: a full record, or a search/feed/membership summary. */
export type OrganisationRecord = Organisation | OrganisationSummary;

/**
 * The source listed a code (in a search or a relationship) but then had no record for it: it contradicts itself, so
 * the field fails as upstream's fault (UPSTREAM_UNAVAILABLE) rather than answering null.
 */
export class ListedWithoutRecordError extends SourceUnavailableError {
  readonly odsCode: string;
  constructor(odsCode: string) {
    super('listed_without_record', `The source listed ${odsCode} but has no record for it.`);
    this.odsCode = odsCode;
  }
}

/** A failure as an Error, as DataLoader and graphql-js need it (a non-Error rejection would pass as a value). */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

// ---------------------------------------------------------------------------------------------------------------
// Code systems: loaded once per process (per source), reused by every request. A failed load is not remembered.

export interface CodeSystems {
  roleTypes(): Promise<RoleType[]>;
  relationshipTypes(): Promise<RelationshipType[]>;
  recordClasses(): Promise<RecordClass[]>;
  roleType(id: string): Promise<RoleType | null>;
  relationshipType(id: string): Promise<RelationshipType | null>;
  recordClass(id: string): Promise<RecordClass | null>;
}

interface Indexed<T extends { id: string }> {
  list: T[];
  byId: Map<string, T>;
}

/** Id indexes of code-system lists, built once per list: a caching source hands every request the same array while fresh. */
const indexes = new WeakMap<readonly { id: string }[], Map<string, { id: string }>>();

function indexed<T extends { id: string }>(list: T[]): Indexed<T> {
  let byId = indexes.get(list) as Map<string, T> | undefined;
  if (!byId) {
    byId = new Map(list.map((item) => [item.id.toUpperCase(), item]));
    indexes.set(list, byId);
  }
  return { list, byId };
}

function memoList<T extends { id: string }>(load: () => Promise<T[]>): () => Promise<Indexed<T>> {
  let pending: Promise<Indexed<T>> | undefined;
  return () => {
    if (!pending) {
      pending = load().then(
        (list) => indexed(list),
        (error: unknown) => {
          pending = undefined; // try again on the next use rather than caching the failure
          throw error;
        },
      );
    }
    return pending;
  };
}

function createCodeSystems(
  source: Pick<OrganisationSource, 'roleTypes' | 'relationshipTypes' | 'recordClasses'>,
): CodeSystems {
  const roles = memoList(() => source.roleTypes());
  const rels = memoList(() => source.relationshipTypes());
  const classes = memoList(() => source.recordClasses());
  return {
    roleTypes: async () => (await roles()).list,
    relationshipTypes: async () => (await rels()).list,
    recordClasses: async () => (await classes()).list,
    roleType: async (id) => (await roles()).byId.get(id.toUpperCase()) ?? null,
    relationshipType: async (id) => (await rels()).byId.get(id.toUpperCase()) ?? null,
    recordClass: async (id) => (await classes()).byId.get(id.toUpperCase()) ?? null,
  };
}

const codeSystemMemo = new WeakMap<OrganisationSource, CodeSystems>();
const loadedCodeSystems = new WeakMap<OrganisationSource, Set<CodeSystemName>>();

/**
 * The code systems for `source`. A source that caches (it offers KnownAnswers) already keeps them across requests
 * under CACHE_TTL_CODE_SYSTEMS_SECONDS, so each request gets its own memo over it (one cache read per system per
 * request, and the TTL is honoured). A plain source gets one process-wide memo, loaded once.
 */
export function codeSystemsFor(source: OrganisationSource): CodeSystems {
  if (knowsAnswers(source)) return createCodeSystems(source);
  let memo = codeSystemMemo.get(source);
  if (!memo) {
    const loaded = new Set<CodeSystemName>();
    loadedCodeSystems.set(source, loaded);
    const note =
      <T>(system: CodeSystemName, load: () => Promise<T>) =>
      async () => {
        const value = await load();
        loaded.add(system);
        return value;
      };
    memo = createCodeSystems({
      roleTypes: note('roleTypes', () => source.roleTypes()),
      relationshipTypes: note('relationshipTypes', () => source.relationshipTypes()),
      recordClasses: note('recordClasses', () => source.recordClasses()),
    });
    codeSystemMemo.set(source, memo);
  }
  return memo;
}

/** Whether using this code system costs no upstream call now: held fresh by a caching source, or in the process memo. */
export function codeSystemKnown(source: OrganisationSource, system: CodeSystemName): boolean {
  if (knowsAnswers(source)) return source.knownCodeSystem(system);
  return loadedCodeSystems.get(source)?.has(system) ?? false;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-request loaders.

export interface Loaders {
  /** Full records by ODS code; null for codes the source does not hold. One fetch per code per request. */
  organisation: DataLoader<OdsCode, Organisation | null, OdsCode>;
  /** The full record for `code` (through `organisation`). */
  full(code: string): Promise<Organisation | null>;
  /**
   * The cheapest record that proves `code` exists, in this order: the full record when this request already asked for
   * it; a fresh full record (or a fresh "no such code") the source holds across requests; a summary seen earlier in this
   * request (search, change feed, membership); a fresh summary the source holds (an earlier request's search); else a
   * full fetch. The cross-request answers are what make a repeat query for summary fields cost no ORD call.
   */
  best(code: string): Promise<OrganisationRecord | null>;
  /** The full record behind `record` (or code): itself when it is full, else fetched (an error if the source lost it). */
  complete(record: OrganisationRecord | string): Promise<Organisation>;
  /** A summary seen in this request, if any. */
  summary(code: string): OrganisationSummary | undefined;
  /** Remembers summaries so later `best` calls can use them. */
  primeSummaries(items: readonly OrganisationSummary[]): void;
  /** One page of a search; identical searches in one request share one call; the rows are primed as summaries. */
  search(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage>;
  /**
   * A multi-level walk from one organisation (src/loaders/walks.ts): the source's own when it walks the graph, else
   * level by level through these loaders, so every organisation it reaches is held (summary or full) for the request.
   */
  walk: Walker;
  codeSystems: CodeSystems;
}

export function createLoaders(source: OrganisationSource): Loaders {
  const known = knowsAnswers(source) ? source : undefined;
  const requested = new Set<OdsCode>();
  const summaries = new Map<OdsCode, OrganisationSummary>();
  const searches = new Map<string, Promise<SearchPage>>();

  const organisation = new DataLoader<OdsCode, Organisation | null, OdsCode>(
    async (codes) => {
      // A source with a batch lookup (the mirror) answers the whole batch at once; a failure fails every key in it.
      if (looksUpInBatches(source)) {
        const held = await source.getOrganisations(codes).catch(asError);
        return held instanceof Error ? codes.map(() => held) : codes.map((code) => held.get(code) ?? null);
      }
      // ORD has no batch lookup: fetch each distinct code once, concurrently (the ORD client paces), and give each key
      // its own outcome so one failure never rejects its siblings. Failures stay source errors: the server translates
      // them for the client (src/server/plugins/sourceErrors.ts).
      return Promise.all(codes.map((code) => source.getOrganisation(code).then((org) => org, asError)));
    },
    { cacheKeyFn: normaliseOdsCode },
  );

  const full = (code: string): Promise<Organisation | null> => {
    const key = normaliseOdsCode(code);
    requested.add(key);
    return organisation.load(key);
  };

  const primeSummaries = (items: readonly OrganisationSummary[]): void => {
    for (const item of items) {
      const key = normaliseOdsCode(item.odsCode);
      if (!summaries.has(key)) summaries.set(key, item);
    }
  };

  const complete: Loaders['complete'] = async (record) => {
    if (typeof record !== 'string' && record.kind === 'full') return record;
    const code = typeof record === 'string' ? record : record.odsCode;
    const org = await full(code);
    if (!org) throw new ListedWithoutRecordError(code);
    return org;
  };

  const search: Loaders['search'] = (filter, offset, limit) => {
    const key = JSON.stringify([filter, offset, limit]);
    let page = searches.get(key);
    if (!page) {
      page = source.searchOrganisations(filter, offset, limit).then((result) => {
        primeSummaries(result.items);
        return result;
      });
      searches.set(key, page);
    }
    return page;
  };

  return {
    organisation,
    full,
    best: async (code) => {
      const key = normaliseOdsCode(code);
      if (!requested.has(key)) {
        const held = known?.knownOrganisation(key);
        if (held !== undefined) return held;
        const summary = summaries.get(key) ?? known?.knownSummary(key);
        if (summary) return summary;
      }
      return full(key);
    },
    complete,
    summary: (code) => summaries.get(normaliseOdsCode(code)),
    primeSummaries,
    search,
    walk: createWalker(source, { search, complete, full }),
    codeSystems: codeSystemsFor(source),
  };
}
