// A pacer shared by every replica through Redis: each start reserves a slot with a Lua script on Redis's own clock,
// so the rate holds for the whole deployment as upstream sees arrivals; a Retry-After pause reaches every replica.

import type { Redis } from 'ioredis';
import { realClock, type Pacer, type PacerClock } from './pacer.js';

/**
 * Slot reservation (GCRA with no burst): the next start is at the later of now, the slot after the last one reserved,
 * and any shared pause; the key then moves one spacing on. Redis's TIME is the one clock, so replicas' clocks may
 * differ. Returns how long the caller waits, in ms.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = math.max(now, nextFree, paused)
redis.call('SET', KEYS[1], slot + spacing, 'PX', math.floor(slot + spacing - now + 60000))
return slot - now
`;

/** Moves the shared pause to now + ARGV[1] ms, unless it already reaches further. */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pauseEnd = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if pauseEnd > paused then redis.call('SET', KEYS[1], pauseEnd, 'PX', math.floor(pauseEnd - now + 1000)) end
return pauseEnd
`;

/** How long a replica's first start waits for Redis to connect before falling back to its own pacer. */
const FIRST_CONNECT_WAIT_MS = 2000;

export type SharedPacerMode = 'shared' | 'fallback';

export interface RedisPacerOptions extends Partial<PacerClock> {
  /** A connection made with `enableOfflineQueue: false` and a short `commandTimeout`, so a dead Redis fails fast. */
  redis: Redis;
  /** Names this upstream's keys (e.g. `ord`): replicas of one deployment share them. */
  name: string;
  /** Most starts in any window, for the whole deployment. */
  limit: number;
  /** Window length in ms (default 1000). */
  windowMs?: number;
  /** Extra ms added to the window before it is divided into slots (UpstreamSettings.pacerGuardMs). */
  guardMs: number;
  /** This replica's own pacer, at its share of the rate: used whenever Redis cannot be reached. */
  fallback: Pacer;
  /** Told when the pacer moves between the shared budget and the fallback (logging, /ready). */
  onModeChange?: (mode: SharedPacerMode, error?: unknown) => void;
  /** How many start timestamps to remember for inspection (default 10000). */
  historySize?: number;
}

export class RedisPacer implements Pacer {
  /** ms between two starts anywhere in the deployment: (window + guard) / limit, 220 ms for 5 a second. */
  readonly spacingMs: number;
  private readonly keys: { next: string; pause: string };
  private readonly clock: PacerClock;
  private modeNow: SharedPacerMode = 'shared';
  /** Starts granted by the fallback, which it holds and releases; shared starts need neither (see acquire). */
  private readonly fallbackStarts = new Map<number, number>();
  private history: number[] = [];
  private readonly historySize: number;
  /** One reservation outstanding per process: the next is made only once the previous start is granted. */
  private tail: Promise<unknown> = Promise.resolve();
  private everReady = false;

  constructor(private readonly options: RedisPacerOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError('pacer limit must be a positive integer');
    this.spacingMs = Math.ceil(((options.windowMs ?? 1000) + options.guardMs) / options.limit);
    this.keys = { next: `ods:pacer:${options.name}:next`, pause: `ods:pacer:${options.name}:pause` };
    this.clock = { now: options.now ?? realClock.now, sleep: options.sleep ?? realClock.sleep };
    this.historySize = options.historySize ?? 10_000;
  }

  /** Whether starts are being counted in Redis for every replica, or by this replica alone at its share. */
  get mode(): SharedPacerMode {
    return this.modeNow;
  }

  acquire(): Promise<number> {
    const turn = this.tail.then(() => this.grant());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A shared start was spaced from every other start in the deployment when it was reserved; holding it as well would
   * need a round trip per request for no gain at these rates (the spacing's guard covers late arrivals). A fallback
   * start is held by the fallback pacer, as one process's starts always are.
   */
  hold(start: number): void {
    if (this.fallbackStarts.has(start)) this.options.fallback.hold(start);
  }

  release(start: number): void {
    const n = this.fallbackStarts.get(start);
    if (n === undefined) return;
    if (n === 1) this.fallbackStarts.delete(start);
    else this.fallbackStarts.set(start, n - 1);
    this.options.fallback.release(start);
  }

  pauseUntil(until: number): void {
    this.options.fallback.pauseUntil(until);
    const ms = Math.max(1, Math.ceil(until - this.clock.now()));
    this.options.redis.eval(PAUSE, 1, this.keys.pause, ms).catch((error: unknown) => this.move('fallback', error));
  }

  starts(): readonly number[] {
    return [...this.history];
  }

  private async grant(): Promise<number> {
    let start: number;
    try {
      if (!this.everReady) await this.firstConnection();
      const delay = Number(await this.options.redis.eval(RESERVE, 2, this.keys.next, this.keys.pause, this.spacingMs));
      this.move('shared');
      if (delay > 0) await this.clock.sleep(delay);
      start = this.clock.now();
    } catch (error) {
      this.move('fallback', error);
      start = await this.options.fallback.acquire();
      this.fallbackStarts.set(start, (this.fallbackStarts.get(start) ?? 0) + 1);
    }
    this.history.push(start);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    return start;
  }

  /**
   * A replica's first starts wait for Redis to connect (up to FIRST_CONNECT_WAIT_MS) rather than fall back at once: a
   * fresh replica's fallback starts would land beside the other replicas' shared ones.
   */
  private async firstConnection(): Promise<void> {
    const { redis } = this.options;
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, FIRST_CONNECT_WAIT_MS);
        redis.once('ready', done);
      });
    }
    this.everReady = true;
  }

  private move(mode: SharedPacerMode, error?: unknown): void {
    if (this.modeNow === mode) return;
    this.modeNow = mode;
    this.options.onModeChange?.(mode, error);
  }
}
