// Keeps long cache TTLs honest: polls the source's change feed and tells its subscribers which organisations changed.
// ORD's feed is day-granular (LastChangeDate >= date) and refreshes daily, so each code is told once per change day.

import type { IsoDate } from '../domain/types.js';
import type { Logger } from '../logger.js';
import { runInUpstreamScope, UpstreamScope } from '../upstream/scope.js';
import type { OrganisationSource } from '../sources/types.js';

/** Anything that holds organisation data and must hear of changes to it (the shared cache evicts them). */
export interface ChangeSubscriber {
  /** These organisations changed; answers how many full records it held for them and dropped. */
  changed(odsCodes: readonly string[]): number | Promise<number>;
}

/** How often the change feed is polled: ORD_SYNC_POLL_MINUTES (src/config.ts reads it); 0 turns polling off. */
export interface ChangeFeedSettings {
  pollMinutes: number;
}

/** Off unless asked for: polling costs upstream calls, and a short cache TTL is the simpler freshness. */
export const DEFAULT_CHANGE_FEED_SETTINGS: Readonly<ChangeFeedSettings> = Object.freeze({ pollMinutes: 0 });

export interface ChangeFeedOptions {
  /** The uncached source to read the feed from (the cache must not answer for the feed itself). */
  upstream: OrganisationSource;
  /** Each is told of every code newly listed by a poll. */
  subscribers: readonly ChangeSubscriber[];
  intervalMs: number;
  /** Today's date as the feed's server sees it (YYYY-MM-DD). */
  today?: () => IsoDate;
  /**
   * Whole days before today the window also covers (default 1). ORD publishes a day's changes in its overnight refresh,
   * so a change dated yesterday can first appear today; a window of today alone would never see it.
   */
  lookbackDays?: number;
  logger?: Logger;
}

export interface PollResult {
  /** First day of the window (the oldest date asked for). */
  since: IsoDate;
  /** Distinct codes the feed listed for the window. */
  listed: number;
  /** Codes newly evicted by this poll (listed for a change day not already evicted for): what subscribers were told. */
  evicted: string[];
  /** Of those, how many full records the subscribers dropped (the cache: how many it held). */
  droppedRecords: number;
}

/** `date` moved by `days` (negative: earlier), as YYYY-MM-DD in UTC. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Each poll asks the feed once per day of the window, [today - lookbackDays, today]. The feed lists only codes, not
 * dates, so a code's change day is the latest day whose list holds it; the poller remembers "code on day" pairs it
 * has evicted. That makes eviction exact in both directions: a code listed again for the same change (a later poll,
 * or the next day while the window still covers it) is not evicted again, and a code that changes again on a later day
 * is, because it turns up on a new day's list. Costs lookbackDays + 1 calls per poll, at bulk priority.
 */
export class ChangeFeedPoller {
  /** "YYYY-MM-DD:CODE" → the change day, for every eviction still inside the window. */
  private evicted = new Map<string, IsoDate>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PollResult | undefined> | undefined;
  private readonly lookbackDays: number;

  constructor(private readonly options: ChangeFeedOptions) {
    this.lookbackDays = options.lookbackDays ?? 1;
    if (!Number.isInteger(this.lookbackDays) || this.lookbackDays < 0)
      throw new RangeError('lookbackDays must be a whole number >= 0');
  }

  /** Reads the feed for the current window and evicts what it has not evicted before. */
  async pollOnce(): Promise<PollResult> {
    const today = (this.options.today ?? utcToday)();
    const days: IsoDate[] = [];
    for (let back = this.lookbackDays; back >= 0; back--) days.push(addDays(today, -back));
    const since = days[0] as IsoDate;
    // Keeping caches fresh is background work: it must not take ORD slots from people (see src/upstream/gate.ts).
    const lists = await runInUpstreamScope(new UpstreamScope({ priority: 'bulk', requestId: 'change-feed' }), () =>
      Promise.all(days.map((day) => this.options.upstream.changedSince(day))),
    );
    const changeDay = new Map<string, IsoDate>();
    for (let i = days.length - 1; i >= 0; i--) {
      for (const raw of lists[i] ?? []) {
        const code = raw.toUpperCase();
        if (!changeDay.has(code)) changeDay.set(code, days[i] as IsoDate);
      }
    }
    const fresh: string[] = [];
    for (const [code, day] of changeDay) {
      const key = `${day}:${code}`;
      if (this.evicted.has(key)) continue;
      this.evicted.set(key, day);
      fresh.push(code);
    }
    // Days that left the window can never be listed again: forget them so the memory stays one window's worth.
    for (const [key, day] of this.evicted) if (day < since) this.evicted.delete(key);
    const droppedRecords = fresh.length > 0 ? await this.tell(fresh) : 0;
    const result: PollResult = { since, listed: changeDay.size, evicted: fresh, droppedRecords };
    if (fresh.length > 0) {
      this.options.logger?.info(
        { since, listed: changeDay.size, evicted: fresh.length, droppedRecords, codes: fresh.slice(0, 50) },
        `change feed: evicted ${fresh.length} changed organisation(s) since ${since}`,
      );
    }
    return result;
  }

  /** Every subscriber hears of the change even when another one fails; the poll fails with the first failure. */
  private async tell(odsCodes: readonly string[]): Promise<number> {
    const dropped = await Promise.all(this.options.subscribers.map(async (subscriber) => subscriber.changed(odsCodes)));
    return dropped.reduce((sum, n) => sum + n, 0);
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
