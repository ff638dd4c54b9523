// Keeps long cache TTLs honest: polls the source's change feed and evicts exactly the organisations it says changed.
// ORD's feed is day-granular (LastChangeDate >= date) and ORD refreshes once a day, so each code is evicted once per window day.

import type { IsoDate } from '../domain/types.js';
import type { CachedOrganisationSource } from './cached.js';
import type { OrganisationSource } from './types.js';

export interface ChangeFeedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ChangeFeedOptions {
  /** The uncached source to read the feed from (the cache must not answer for the feed itself). */
  upstream: OrganisationSource;
  cache: CachedOrganisationSource;
  intervalMs: number;
  /** Today's date as the feed's server sees it (YYYY-MM-DD). */
  today?: () => IsoDate;
  logger?: ChangeFeedLogger;
}

export interface PollResult {
  since: IsoDate;
  /** Codes the feed listed. */
  listed: number;
  /** Codes newly evicted by this poll (not already evicted for this window). */
  evicted: string[];
  /** Of those, how many had a full record in the cache. */
  droppedRecords: number;
}

export class ChangeFeedPoller {
  private since: IsoDate | undefined;
  private evictedInWindow = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PollResult | undefined> | undefined;

  constructor(private readonly options: ChangeFeedOptions) {}

  /** Reads the feed once from the start of the current window and evicts what is new; the window moves to today. */
  async pollOnce(): Promise<PollResult> {
    const today = (this.options.today ?? utcToday)();
    const since = this.since ?? today;
    const codes = (await this.options.upstream.changedSince(since)).map((c) => c.toUpperCase());
    const fresh = codes.filter((c) => !this.evictedInWindow.has(c));
    const droppedRecords = this.options.cache.evict(fresh);
    if (today !== since) {
      // The window moves to today: the next poll lists only changes dated today or later, and every code listed now
      // (dated today or earlier) has been evicted, so remembering them all is enough to skip repeats.
      this.since = today;
      this.evictedInWindow = new Set(codes);
    } else {
      this.since = since;
      for (const c of fresh) this.evictedInWindow.add(c);
    }
    const result: PollResult = { since, listed: codes.length, evicted: fresh, droppedRecords };
    if (fresh.length > 0) {
      this.options.logger?.info(
        { since, listed: codes.length, evicted: fresh.length, droppedRecords, codes: fresh.slice(0, 50) },
        `change feed: evicted ${fresh.length} changed organisation(s) since ${since}`,
      );
    }
    return result;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.pollOnce()
        .catch((error: unknown) => {
          this.options.logger?.warn({ err: String(error) }, 'change feed poll failed; cached entries keep their TTLs');
          return undefined;
        })
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

export function utcToday(): IsoDate {
  return new Date().toISOString().slice(0, 10);
}
