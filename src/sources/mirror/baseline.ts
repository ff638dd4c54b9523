// The mirror's two baselines, each resumable: buildMirror crawls any OrganisationSource (ORD, paced by its client),
// importMirror stores the records of an ORD XML full file as a reader yields them. Both write only through MirrorStore.

import type { IsoDate, Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import type { Logger } from '../../logger.js';
import type { OrganisationSearch, OrganisationSource, PagedExport } from '../types.js';
import { formatCount, silentProgress, type Progress, type ProgressOptions } from './progress.js';
import type { MirrorStore } from './store.js';

/** The queue (and state key) a build keeps its codes in. */
export const BUILD_QUEUE = 'build';
/** Records fetched and stored per transaction by a build. */
export const DEFAULT_BUILD_BATCH = 200;
/** Records stored per transaction by an import. */
export const DEFAULT_IMPORT_BATCH = 500;
/** Fetches a build keeps in flight (the source's client still paces and caps them: ORD_RATE_LIMIT, ORD_MAX_CONCURRENCY). */
export const DEFAULT_BUILD_CONCURRENCY = 8;
/** ORD's search page ceiling: a role is listed 1000 rows at a time. */
const SEARCH_PAGE = 1000;

/** Makes the progress display for one phase of a job (the CLI's prints; tests' are silent). */
export type ProgressFactory = (options: Omit<ProgressOptions, 'stream'>) => Progress;
const noProgress: ProgressFactory = () => silentProgress();

/** A bad request to a job (an unknown role, a file that changed under a resumed import): the CLI prints it plainly. */
export class MirrorJobError extends Error {
  override readonly name = 'MirrorJobError';
}

/** What `baseline` state holds after a baseline finishes (status prints it). */
export interface BaselineRecord {
  kind: 'build' | 'import';
  /** The ORD base URL crawled, or the file imported. */
  source: string;
  /** Roles a scoped build crawled (null: every primary role). */
  roles?: string[] | null;
  /** The file's PublicationDate, for an import. */
  publicationDate?: IsoDate | null;
  started: string;
  finished: string;
  records: number;
}

// ---------------------------------------------------------------------------------------------------------------
// build

export interface BuildOptions {
  /** Crawl only these roles (checked against the role code system); default every primary role. Targets are not followed. */
  roles?: readonly string[];
  /** Where the records come from, for `baseline` and messages (e.g. the ORD base URL). */
  sourceName?: string;
  batchSize?: number;
  concurrency?: number;
  /** Aborted (SIGINT/SIGTERM): the current batch is finished and committed, then the build stops, resumable. */
  signal?: AbortSignal;
  progress?: ProgressFactory;
  logger?: Logger;
  /** Clock (tests); default the system's. */
  now?: () => Date;
}

/** `build` state: what a resumed build needs to continue as the same build. */
interface BuildState {
  startedAt: string;
  /** The build's start date: the watermark it sets when it finishes (changes during the crawl are re-read by sync). */
  watermark: IsoDate;
  /** The roles asked for (null = every primary role). */
  roles: string[] | null;
  /** Roles whose organisations are all queued already. */
  enumerated: string[];
}

export interface BuildResult {
  /** False when stopped by the signal (run it again to continue). */
  complete: boolean;
  /** Records fetched and stored by this run. */
  stored: number;
  /** Codes listed but not found when fetched (gone since the listing). */
  gone: number;
  /** Codes reached only as relationship or succession targets (stubs, role-less organisations). */
  targetsQueued: number;
  /** The queue as this run left it. */
  queue: { total: number; done: number };
  resumed: boolean;
  watermark: IsoDate;
}

const isoDate = (d: Date): IsoDate => d.toISOString().slice(0, 10);

/** Runs `fn` over `items` with at most `limit` in flight, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The roles to crawl: the ones asked for (each must exist), or every primary role; with the search filter for each. */
function rolesToCrawl(
  roleTypes: RoleType[],
  asked: readonly string[] | null,
): { id: string; filter: OrganisationSearch }[] {
  const byId = new Map(roleTypes.map((r) => [r.id.toUpperCase(), r]));
  if (asked === null) {
    return roleTypes.filter((r) => r.isPrimary).map((r) => ({ id: r.id, filter: { primaryRoleTypeId: r.id } }));
  }
  const unknown = asked.filter((id) => !byId.has(id.toUpperCase()));
  if (unknown.length > 0) {
    throw new MirrorJobError(
      `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: --roles takes role ids from the role code ` +
        `system (e.g. RO197 NHS TRUST, RO198 NHS TRUST SITE, RO177 PRESCRIBING COST CENTRE)`,
    );
  }
  return asked.map((id) => {
    const role = byId.get(id.toUpperCase()) as RoleType;
    // A non-primary role (RO76 GP PRACTICE) is listed through ORD's NonPrimaryRoleId search.
    const filter: OrganisationSearch = role.isPrimary
      ? { primaryRoleTypeId: role.id }
      : { nonPrimaryRoleTypeId: role.id };
    return { id: role.id, filter };
  });
}

/** Relationship and succession targets of `records`, once each, that are not in `records` themselves. */
function targetsOf(records: readonly Organisation[]): string[] {
  const own = new Set(records.map((r) => r.odsCode));
  const targets = new Set<string>();
  for (const record of records) {
    for (const rel of record.relationships) if (!own.has(rel.targetOdsCode)) targets.add(rel.targetOdsCode);
    for (const succ of record.successions) if (!own.has(succ.targetOdsCode)) targets.add(succ.targetOdsCode);
  }
  return [...targets];
}

/**
 * A baseline crawled from `source`: code systems, every organisation of the roles (listed 1000 at a time), each fetched
 * whole and stored in batches; an unscoped build also fetches every relationship or succession target it does not
 * hold, so stubs and role-less organisations are reached. Killed or stopped, it resumes where its last commit ended.
 */
export async function buildMirror(
  source: OrganisationSource,
  store: MirrorStore,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? noProgress;
  const batchSize = options.batchSize ?? DEFAULT_BUILD_BATCH;
  const concurrency = options.concurrency ?? DEFAULT_BUILD_CONCURRENCY;
  const asked = options.roles && options.roles.length > 0 ? options.roles.map((r) => r.toUpperCase()) : null;
  const stopped = () => options.signal?.aborted === true;

  const saved = await store.getState('build');
  let state: BuildState;
  const resumed = saved !== null;
  if (saved !== null) {
    state = JSON.parse(saved) as BuildState;
    const same = JSON.stringify(state.roles) === JSON.stringify(asked);
    if (!same) {
      throw new MirrorJobError(
        `a build of ${state.roles === null ? 'every primary role' : `roles ${state.roles.join(',')}`} started ` +
          `${state.startedAt} is not finished: run it again with ${state.roles === null ? 'no --roles' : `--roles ${state.roles.join(',')}`} ` +
          `to continue it, or add --restart to drop it and start this one`,
      );
    }
  } else {
    const startedAt = now();
    state = { startedAt: startedAt.toISOString(), watermark: isoDate(startedAt), roles: asked, enumerated: [] };
  }

  // Code systems first: the roles to crawl come from them, and a mirror without them cannot answer.
  let codeSystems = resumed ? await store.codeSystems() : null;
  if (codeSystems === null) {
    const [roleTypes, relationshipTypes, recordClasses]: [RoleType[], RelationshipType[], RecordClass[]] =
      await Promise.all([source.roleTypes(), source.relationshipTypes(), source.recordClasses()]);
    codeSystems = { roleTypes, relationshipTypes, recordClasses };
    rolesToCrawl(roleTypes, asked); // refuses unknown roles before anything is stored
    await store.putCodeSystems(codeSystems);
  }
  const roles = rolesToCrawl(codeSystems.roleTypes, asked);
  await store.setState('build', JSON.stringify(state));
  if (resumed) options.logger?.info({ startedAt: state.startedAt }, 'build: resuming');

  // List every organisation of each role not yet listed, and queue the codes.
  const toList = roles.filter((r) => !state.enumerated.includes(r.id));
  if (toList.length > 0) {
    const listing = progress({ label: 'build: listing roles', total: toList.length, unit: 'roles' });
    for (const role of toList) {
      if (stopped()) break;
      let offset = 0;
      let total = Infinity;
      while (offset < total) {
        const page = await source.searchOrganisations(role.filter, offset, SEARCH_PAGE);
        total = page.totalCount;
        if (page.items.length > 0)
          await store.enqueue(
            BUILD_QUEUE,
            page.items.map((item) => item.odsCode),
          );
        if (page.items.length === 0) break;
        offset += page.items.length;
      }
      state.enumerated.push(role.id);
      await store.setState('build', JSON.stringify(state));
      listing.tick();
    }
    listing.done();
  }

  // Fetch what is pending, a batch at a time; each batch is committed with its queue marks in one transaction.
  let stored = 0;
  let gone = 0;
  let targetsQueued = 0;
  const followTargets = asked === null;
  let counts = await store.queueCounts(BUILD_QUEUE);
  const fetching = progress({ label: 'build: fetching records', total: counts.total, unit: 'records' });
  fetching.tick(counts.done);
  while (!stopped()) {
    const codes = await store.pending(BUILD_QUEUE, batchSize);
    if (codes.length === 0) break;
    const fetched = await mapBounded(codes, concurrency, (code) => source.getOrganisation(code));
    const records = fetched.filter((r): r is Organisation => r !== null);
    const missing = codes.filter((_, i) => fetched[i] === null);
    if (followTargets) {
      // Queued before the batch commits: a kill in between loses no target (enqueueing is idempotent).
      const targets = targetsOf(records);
      const held = targets.length > 0 ? await store.getOrganisations(targets) : new Map<string, Organisation>();
      const unheld = targets.filter((code) => !held.has(code));
      if (unheld.length > 0) {
        const before = (await store.queueCounts(BUILD_QUEUE)).total;
        await store.enqueue(BUILD_QUEUE, unheld);
        const added = (await store.queueCounts(BUILD_QUEUE)).total - before;
        targetsQueued += added;
        if (added > 0) fetching.setTotal(before + added);
      }
    }
    await store.putOrganisations(records, 'build', { queue: BUILD_QUEUE, alsoDone: missing });
    stored += records.length;
    gone += missing.length;
    fetching.tick(codes.length);
  }
  counts = await store.queueCounts(BUILD_QUEUE);
  const drained = (await store.pending(BUILD_QUEUE, 1)).length === 0;
  if (!drained || state.enumerated.length < roles.length) {
    fetching.done(
      `stopped at ${counts.done.toLocaleString('en-GB')} of ${counts.total.toLocaleString('en-GB')} records`,
    );
    return { complete: false, stored, gone, targetsQueued, queue: counts, resumed, watermark: state.watermark };
  }
  const finished = now().toISOString();
  const baseline: BaselineRecord = {
    kind: 'build',
    source: options.sourceName ?? 'source',
    roles: state.roles,
    started: state.startedAt,
    finished,
    records: counts.done,
  };
  await store.setState('watermark', state.watermark);
  await store.setState('completeAsOf', finished);
  await store.setState('baseline', JSON.stringify(baseline));
  await store.clearQueue(BUILD_QUEUE);
  await store.setState('build', null);
  fetching.done(`${counts.done.toLocaleString('en-GB')} records; watermark ${state.watermark}`);
  return { complete: true, stored, gone, targetsQueued, queue: counts, resumed, watermark: state.watermark };
}

// ---------------------------------------------------------------------------------------------------------------
// export: a baseline from a source's own pages (ODT)

/** Where a paged export has got to: kept in `build` state after every page, so a killed one resumes there. */
interface ExportState {
  kind: 'export';
  startedAt: string;
  watermark: IsoDate;
  /** The next page's cursor (null before the first page). */
  cursor: string | null;
  pages: number;
  records: number;
}

export interface ExportResult {
  complete: boolean;
  /** Records stored by this run, and by the whole export. */
  stored: number;
  records: number;
  pages: number;
  resumed: boolean;
  watermark: IsoDate;
}

/**
 * A baseline from a source that exports pages (`PagedExport`: ODT's Organization search pages, each completed in
 * bulk), a few calls per thousand records instead of one per record. Each page is stored whole, then its cursor saved:
 * a stop (signal) or a kill resumes at the page after the last one saved (a page stored twice is replaced, not doubled).
 */
export async function exportMirror(
  source: OrganisationSource & PagedExport,
  store: MirrorStore,
  options: Omit<BuildOptions, 'roles' | 'batchSize' | 'concurrency'> = {},
): Promise<ExportResult> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? noProgress;
  const saved = await store.getState('build');
  let state: ExportState;
  const resumed = saved !== null;
  if (saved !== null) {
    const parsed = JSON.parse(saved) as ExportState | BuildState;
    if (!('kind' in parsed) || parsed.kind !== 'export')
      throw new MirrorJobError(
        'a build crawled record by record is not finished: run it again without --from fhir to continue it, ' +
          'or add --restart to drop it and start this one',
      );
    state = parsed;
  } else {
    const startedAt = now();
    state = {
      kind: 'export',
      startedAt: startedAt.toISOString(),
      watermark: isoDate(startedAt),
      cursor: null,
      pages: 0,
      records: 0,
    };
    const [roleTypes, relationshipTypes, recordClasses] = await Promise.all([
      source.roleTypes(),
      source.relationshipTypes(),
      source.recordClasses(),
    ]);
    await store.putCodeSystems({ roleTypes, relationshipTypes, recordClasses });
    await store.setState('build', JSON.stringify(state));
  }
  if (resumed) options.logger?.info({ startedAt: state.startedAt, pages: state.pages }, 'build: resuming the export');
  const total = await source.exportCount();
  const bar = progress({ label: 'build: exporting pages', total, unit: 'records' });
  bar.tick(state.records);
  let stored = 0;
  let finished = false;
  while (options.signal?.aborted !== true) {
    const page = await source.exportPage(state.cursor);
    await store.putOrganisations(page.records, 'build');
    stored += page.records.length;
    state = { ...state, cursor: page.next, pages: state.pages + 1, records: state.records + page.records.length };
    bar.tick(page.records.length);
    if (page.next === null) {
      finished = true;
      break;
    }
    await store.setState('build', JSON.stringify(state));
  }
  const result = { stored, records: state.records, pages: state.pages, resumed, watermark: state.watermark };
  if (!finished) {
    await store.setState('build', JSON.stringify(state));
    bar.done(`stopped after ${formatCount(state.records, 'records')} records (${state.pages} pages)`);
    return { complete: false, ...result };
  }
  const baseline: BaselineRecord = {
    kind: 'build',
    source: options.sourceName ?? 'source',
    roles: null,
    started: state.startedAt,
    finished: now().toISOString(),
    records: state.records,
  };
  await store.setState('watermark', state.watermark);
  await store.setState('completeAsOf', baseline.finished);
  await store.setState('baseline', JSON.stringify(baseline));
  await store.setState('build', null);
  bar.done(`${formatCount(state.records, 'records')} records in ${state.pages} pages; watermark ${state.watermark}`);
  return { complete: true, ...result };
}

// ---------------------------------------------------------------------------------------------------------------
// import

/** The manifest fields an import uses (the XML reader's item carries more). */
export interface BaselineManifest {
  kind: 'manifest';
  /** `<PublicationDate value>`: the import's watermark. */
  publicationDate?: IsoDate | null;
  recordCount?: number | null;
}

/** What an ORD XML reader yields, as the import reads it (src/sources/ord/xml.ts yields items of this shape). */
export type BaselineItem =
  | BaselineManifest
  | { kind: 'codeSystems'; roleTypes: RoleType[]; relationshipTypes: RelationshipType[]; recordClasses: RecordClass[] }
  | { kind: 'organisation'; record: Organisation };

/** Which file an import reads: a rerun on the same file (same path, size and mtime) resumes. */
export interface ImportFileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ImportOptions {
  file: ImportFileIdentity;
  batchSize?: number;
  /** Told the records committed so far (for a records/s line beside the bytes progress). */
  onCommitted?: (records: number) => void;
  signal?: AbortSignal;
  logger?: Logger;
  now?: () => Date;
}

interface ImportState extends ImportFileIdentity {
  startedAt: string;
  /** Records (in file order) committed so far: a rerun skips this many without writing. */
  committed: number;
  publicationDate: IsoDate | null;
}

export interface ImportResult {
  complete: boolean;
  /** Records in the file (read this run, skipped ones included). */
  records: number;
  /** Written by this run. */
  written: number;
  /** Skipped because an earlier run had committed them. */
  skipped: number;
  /** Reference-only stubs not written because the file also held the full record. */
  stubsSkipped: number;
  publicationDate: IsoDate | null;
  resumed: boolean;
}

/**
 * A baseline from an ORD XML full file, as `items` yields it: code systems, then records in batches, watermark = the
 * file's PublicationDate. State `import` keeps the file's identity and the records committed; a rerun on the same
 * file skips that many (at most one batch is written twice after a kill: the count is saved after each commit).
 */
export async function importMirror(
  items: AsyncIterable<BaselineItem>,
  store: MirrorStore,
  options: ImportOptions,
): Promise<ImportResult> {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH;
  const saved = await store.getState('import');
  let previous = saved === null ? null : (JSON.parse(saved) as ImportState);
  const { path, size, mtimeMs } = options.file;
  if (previous !== null && (previous.path !== path || previous.size !== size || previous.mtimeMs !== mtimeMs)) {
    options.logger?.warn(
      { previous: previous.path, file: path },
      'import: an unfinished import of another file (or a changed one) is dropped; starting from the beginning',
    );
    previous = null;
  }
  const resumed = previous !== null;
  const state: ImportState = previous ?? {
    path,
    size,
    mtimeMs,
    startedAt: now().toISOString(),
    committed: 0,
    publicationDate: null,
  };
  await store.setState('import', JSON.stringify(state));
  const alreadyCommitted = state.committed;

  let seen = 0;
  let written = 0;
  let stubsSkipped = 0;
  const fullSeen = new Set<string>();
  let batch: Organisation[] = [];
  const commit = async (): Promise<void> => {
    if (batch.length === 0) return;
    await store.putOrganisations(batch, 'import');
    written += batch.length;
    state.committed = seen;
    batch = [];
    await store.setState('import', JSON.stringify(state));
    options.onCommitted?.(state.committed);
  };

  let stoppedEarly = false;
  for await (const item of items) {
    if (item.kind === 'manifest') {
      state.publicationDate = item.publicationDate ?? null;
      continue;
    }
    if (item.kind === 'codeSystems') {
      if (!resumed || (await store.codeSystems()) === null) {
        await store.putCodeSystems({
          roleTypes: item.roleTypes,
          relationshipTypes: item.relationshipTypes,
          recordClasses: item.recordClasses,
        });
      }
      continue;
    }
    seen++;
    const record = item.record;
    if (seen <= state.committed) {
      if (!record.isReferenceOnly) fullSeen.add(record.odsCode);
      continue;
    }
    // A code published twice (a full record and a stub): the complete record wins.
    if (record.isReferenceOnly && fullSeen.has(record.odsCode)) {
      stubsSkipped++;
    } else {
      if (!record.isReferenceOnly) fullSeen.add(record.odsCode);
      batch.push(record);
    }
    if (batch.length >= batchSize) {
      await commit();
      if (options.signal?.aborted) {
        stoppedEarly = true;
        break;
      }
    }
  }
  if (!stoppedEarly) {
    await commit();
    state.committed = seen;
  }
  const skipped = Math.min(alreadyCommitted, seen);
  if (stoppedEarly) {
    await store.setState('import', JSON.stringify(state));
    return {
      complete: false,
      records: seen,
      written,
      skipped,
      stubsSkipped,
      publicationDate: state.publicationDate,
      resumed,
    };
  }
  if (state.publicationDate === null) {
    throw new MirrorJobError(
      `${path} has no <PublicationDate> in its Manifest: the records are stored, but the mirror cannot know which day ` +
        `they describe, so no watermark is set; sync needs one (run \`npm run mirror -- build\` instead)`,
    );
  }
  const finished = now().toISOString();
  const baseline: BaselineRecord = {
    kind: 'import',
    source: path,
    publicationDate: state.publicationDate,
    started: state.startedAt,
    finished,
    records: seen,
  };
  await store.setState('watermark', state.publicationDate);
  // The data is as of its publication date, not of the import: /ready stays unready until a sync brings it up to date.
  await store.setState('completeAsOf', `${state.publicationDate}T00:00:00.000Z`);
  await store.setState('baseline', JSON.stringify(baseline));
  await store.setState('import', null);
  return {
    complete: true,
    records: seen,
    written,
    skipped,
    stubsSkipped,
    publicationDate: state.publicationDate,
    resumed,
  };
}
