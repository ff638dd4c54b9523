// Keeping the mirror fresh: syncMirror applies every change since the watermark (ORD's /sync, each changed record
// re-fetched whole, then /notifications' deletions); MirrorSyncLoop runs it on a timer in the server, one replica at a time.

import type { IsoDate, Organisation } from '../../domain/types.js';
import type { Logger } from '../../logger.js';
import type { DeletionFeed, OrganisationSource } from '../types.js';
import { silentProgress, type Progress } from './progress.js';
import type { MirrorStore } from './store.js';

/** The queue (and state key) a sync keeps its codes in. */
export const SYNC_QUEUE = 'sync';
/** How far back ORD's change feed reaches (its 406: "exceeds the limit of 185 days past"). */
export const SYNC_WINDOW_DAYS = 185;
/** Records stored per transaction. */
export const DEFAULT_SYNC_BATCH = 100;
export const DEFAULT_SYNC_CONCURRENCY = 8;
/** The lock that lets exactly one replica sync a shared mirror. */
export const SYNC_LOCK = 'mirror-sync';
/** Why a record went during a sync: listed as changed, then answered 404. */
export const NOT_FOUND_DURING_SYNC = 'not found during sync';

/** The watermark is older than ORD's change feed reaches: only a new baseline brings the mirror up to date. */
export class MirrorSyncGapError extends Error {
  override readonly name = 'MirrorSyncGapError';
  constructor(
    readonly watermark: IsoDate,
    readonly today: IsoDate,
    readonly gapDays: number,
  ) {
    super(
      `the mirror's watermark ${watermark} is ${gapDays} days before ${today}, beyond ORD's ${SYNC_WINDOW_DAYS}-day ` +
        `change feed, so the changes in between cannot be listed: re-baseline with ` +
        `\`npm run mirror -- import <TRUD full file>\` (then sync) or \`npm run mirror -- build\``,
    );
  }
}

/** The mirror has no baseline yet (no watermark): nothing to sync from. */
export class MirrorNotBaselinedError extends Error {
  override readonly name = 'MirrorNotBaselinedError';
  constructor() {
    super(
      'the mirror has no watermark (no baseline has finished): run `npm run mirror -- import <TRUD full file>` or ' +
        '`npm run mirror -- build` first',
    );
  }
}

export interface SyncOptions {
  /** The day the sync brings the mirror up to (ORD's today; the UTC date by default in the CLI). */
  today: IsoDate;
  logger?: Logger;
  progress?: (total: number) => Progress;
  batchSize?: number;
  concurrency?: number;
  now?: () => Date;
}

/** `sync` state: a run in progress, so a rerun after a failure drains the same queue rather than asking /sync again. */
interface SyncState {
  today: IsoDate;
  from: IsoDate;
  startedAt: string;
  /** Codes /sync listed. */
  listed: number;
}

export interface SyncResult {
  from: IsoDate;
  today: IsoDate;
  /** Codes /sync listed (for a resumed run: listed by the run that started it). */
  listed: number;
  /** Records fetched and stored by this run. */
  stored: number;
  /** Listed but answered 404: deleted. */
  notFound: number;
  /** Held organisations removed because /notifications listed them. */
  deleted: number;
  /** True when this run continued an earlier run's queue (no /sync call). */
  resumed: boolean;
}

const DAY_MS = 86_400_000;
function dayNumber(date: IsoDate): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date YYYY-MM-DD: "${date}"`);
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
}
function dateOf(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return dayNumber(b) - dayNumber(a);
}

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

/**
 * Brings the mirror up to `today`: `changedSince(watermark − 1 day)` (clamped to the 185-day window), each listed
 * code fetched whole and stored (404 → deleted), then the deletions ORD reports. Upstream calls: 1 /sync + one per
 * listed record + 1 /notifications (+ the code systems only when the mirror lacks them). The watermark moves to
 * `today` only once the queue is drained; a failure leaves it, and the queue, for the next run to finish.
 */
export async function syncMirror(
  source: OrganisationSource & DeletionFeed,
  store: MirrorStore,
  options: SyncOptions,
): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_SYNC_BATCH;
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  const watermark = await store.getState('watermark');
  if (watermark === null) throw new MirrorNotBaselinedError();

  const saved = await store.getState('sync');
  let state: SyncState;
  const resumed = saved !== null;
  if (saved !== null) {
    state = JSON.parse(saved) as SyncState;
    options.logger?.info({ from: state.from, today: state.today }, 'sync: finishing the run an earlier sync began');
  } else {
    const gap = daysBetween(watermark, options.today);
    if (gap > SYNC_WINDOW_DAYS) throw new MirrorSyncGapError(watermark, options.today, gap);
    // One day of overlap (ORD's future-date checker and server-local dates), never beyond the window, and never after
    // today (a watermark ahead of ORD's today, e.g. a build clocked by another calendar, would be refused as future).
    const todayDay = dayNumber(options.today);
    const from = dateOf(Math.min(todayDay, Math.max(dayNumber(watermark) - 1, todayDay - SYNC_WINDOW_DAYS)));
    if ((await store.codeSystems()) === null) {
      const [roleTypes, relationshipTypes, recordClasses] = await Promise.all([
        source.roleTypes(),
        source.relationshipTypes(),
        source.recordClasses(),
      ]);
      await store.putCodeSystems({ roleTypes, relationshipTypes, recordClasses });
    }
    const codes = await source.changedSince(from);
    // A leftover queue from a run whose state was lost would otherwise mark these codes done already.
    await store.clearQueue(SYNC_QUEUE);
    await store.enqueue(SYNC_QUEUE, codes);
    state = { today: options.today, from, startedAt: now().toISOString(), listed: codes.length };
    await store.setState('sync', JSON.stringify(state));
  }

  const counts = await store.queueCounts(SYNC_QUEUE);
  const progress = options.progress?.(counts.total) ?? silentProgress();
  progress.tick(counts.done);
  let stored = 0;
  let notFound = 0;
  for (;;) {
    const codes = await store.pending(SYNC_QUEUE, batchSize);
    if (codes.length === 0) break;
    const fetched = await mapBounded(codes, concurrency, (code) => source.getOrganisation(code));
    const records = fetched.filter((r): r is Organisation => r !== null);
    const gone = codes.filter((_, i) => fetched[i] === null);
    // Deletions first, each marked done in its own transaction, so a kill between the two never loses one.
    if (gone.length > 0) await store.deleteOrganisations(gone, 'sync', NOT_FOUND_DURING_SYNC, { queue: SYNC_QUEUE });
    if (records.length > 0) await store.putOrganisations(records, 'sync', { queue: SYNC_QUEUE });
    stored += records.length;
    notFound += gone.length;
    progress.tick(codes.length);
  }

  // Deletions ORD reports: remove those held, unless the record held was changed after the deletion (re-published).
  const deletions = await source.deletedOrganisations();
  const held = deletions.length > 0 ? await store.getOrganisations(deletions.map((d) => d.odsCode)) : new Map();
  let deleted = 0;
  for (const deletion of deletions) {
    const record = held.get(deletion.odsCode) as Organisation | undefined;
    if (record === undefined) continue;
    if (record.lastChangeDate !== null && record.lastChangeDate > deletion.deletedAt.slice(0, 10)) continue;
    const note = `deleted by ORD on ${deletion.deletedAt} (/notifications reason ${deletion.reason.code}: ${deletion.reason.description})`;
    deleted += await store.deleteOrganisations([deletion.odsCode], 'sync', note);
  }

  const finished = now().toISOString();
  await store.setState('watermark', state.today);
  await store.setState('completeAsOf', finished);
  await store.clearQueue(SYNC_QUEUE);
  await store.setState('sync', null);
  progress.done(
    `${state.listed} listed since ${state.from}, ${stored} stored, ${notFound} not found, ${deleted} deleted; watermark ${state.today}`,
  );
  return { from: state.from, today: state.today, listed: state.listed, stored, notFound, deleted, resumed };
}

// ---------------------------------------------------------------------------------------------------------------

export interface MirrorSyncLoopOptions {
  source: OrganisationSource & DeletionFeed;
  store: MirrorStore;
  /** Minutes between runs (MIRROR_SYNC_MINUTES). */
  intervalMinutes: number;
  /** Today for each run (ORD's today; default the UTC date). */
  today?: () => IsoDate;
  logger?: Logger;
  /** Told after every round that synced (the serving source re-reads its freshness). */
  onRound?: () => Promise<void> | void;
  /** Run a first round as soon as start() is called (default true: a server may start on a mirror a day old). */
  runAtStart?: boolean;
}

/** What one round did: synced, skipped because another replica (or this loop) was syncing, or failed. */
export type SyncRound =
  | { outcome: 'synced'; result: SyncResult }
  | { outcome: 'locked' }
  | { outcome: 'busy' }
  | { outcome: 'failed'; error: unknown };

/**
 * Runs syncMirror every `intervalMinutes`, inside the store's `mirror-sync` lock so that exactly one replica of a
 * shared mirror syncs a given round; a round never overlaps the one before. One log line per round.
 */
export class MirrorSyncLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SyncRound> | null = null;

  constructor(private readonly options: MirrorSyncLoopOptions) {}

  start(): void {
    if (this.timer !== null) return;
    const ms = this.options.intervalMinutes * 60_000;
    this.timer = setInterval(() => void this.runOnce(), ms);
    this.timer.unref();
    if (this.options.runAtStart !== false) void this.runOnce();
  }

  /** Stops the timer and waits for a round in progress to end. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }

  /** One round now (the timer calls this; tests and the CLI may too). */
  runOnce(): Promise<SyncRound> {
    if (this.running) return Promise.resolve({ outcome: 'busy' });
    const round = this.round().finally(() => {
      this.running = null;
    });
    this.running = round;
    return round;
  }

  private async round(): Promise<SyncRound> {
    const { source, store, logger } = this.options;
    const today = this.options.today?.() ?? new Date().toISOString().slice(0, 10);
    try {
      const locked = await store.withLock(SYNC_LOCK, () => syncMirror(source, store, { today }));
      if (!locked.ran) {
        logger?.info({ lock: SYNC_LOCK }, 'mirror sync: another replica holds the lock; skipped this round');
        return { outcome: 'locked' };
      }
      const r = locked.value;
      logger?.info(
        { from: r.from, today: r.today, listed: r.listed, stored: r.stored, notFound: r.notFound, deleted: r.deleted },
        `mirror sync: ${r.listed} changed since ${r.from}, ${r.deleted + r.notFound} deleted; watermark ${r.today}`,
      );
      await this.options.onRound?.();
      return { outcome: 'synced', result: r };
    } catch (error) {
      logger?.error({ err: String(error) }, `mirror sync failed: ${error instanceof Error ? error.message : error}`);
      return { outcome: 'failed', error };
    }
  }
}
