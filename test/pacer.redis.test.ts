// The Redis pacer (src/upstream/pacer.redis.ts) on a real redis-server: two "replicas" sharing one rate hold it
// together in any one-second window, a Retry-After pause from one holds the other, and a lost Redis falls back and recovers.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlidingWindowPacer } from '../src/upstream/pacer.js';
import { RedisPacer, type SharedPacerMode } from '../src/upstream/pacer.redis.js';
import { redisInstalled, startRedis, type RunningRedis } from './helpers/redis.js';
import { mostInWindow } from './helpers/windows.js';

let redis: RunningRedis;
const connections: Redis[] = [];

function replica(name: string, limit: number, onModeChange?: (mode: SharedPacerMode) => void, guardMs = 50) {
  const connection = new Redis(redis.url, { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 0 });
  connection.on('error', () => undefined); // a stopped server is part of the test
  connections.push(connection);
  return new RedisPacer({
    redis: connection,
    name,
    limit,
    guardMs,
    fallback: new SlidingWindowPacer({ limit: Math.max(1, Math.floor(limit / 2)), guardMs: 0 }),
    ...(onModeChange ? { onModeChange } : {}),
  });
}

const ready = (connection: Redis) =>
  connection.status === 'ready' ? Promise.resolve() : new Promise((resolve) => connection.once('ready', resolve));

describe.skipIf(!redisInstalled())('RedisPacer', () => {
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await redis?.close();
  });

  it('two replicas at a shared limit of 10/s: 30 starts, never more than 10 in any second, 105 ms apart', async () => {
    const a = replica('shared-rate', 10);
    const b = replica('shared-rate', 10);
    await Promise.all(connections.slice(-2).map(ready));
    const starts = await Promise.all([
      ...Array.from({ length: 15 }, () => a.acquire()),
      ...Array.from({ length: 15 }, () => b.acquire()),
    ]);
    expect(a.spacingMs).toBe(105); // (1000 + 50 ms guard) / 10
    expect(mostInWindow(starts, 1000)).toBeLessThanOrEqual(10);
    expect(a.mode).toBe('shared');
    expect(b.mode).toBe('shared');
    // One replica alone would have granted all 15 of its starts in 1.4 s; shared, the 30 take 29 × 105 ms.
    const sorted = [...starts].sort((x, y) => x - y);
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThanOrEqual(29 * 105 - 50);
  }, 20_000);

  it("one replica's Retry-After pause holds the other's next start", async () => {
    const a = replica('shared-pause', 100);
    const b = replica('shared-pause', 100);
    await Promise.all(connections.slice(-2).map(ready));
    await b.acquire();
    const t0 = Date.now();
    a.pauseUntil(t0 + 400);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the pause reaches Redis
    const start = await b.acquire();
    expect(start - t0).toBeGreaterThanOrEqual(380);
  }, 10_000);

  it('Redis stopped: starts keep coming from the fallback (and say so); Redis back: shared again', async () => {
    const modes: SharedPacerMode[] = [];
    const a = replica('shared-loss', 50, (mode) => modes.push(mode));
    await ready(connections.at(-1)!);
    await a.acquire();
    await redis.stop();
    const during = await Promise.all(Array.from({ length: 5 }, () => a.acquire()));
    expect(during).toHaveLength(5);
    expect(a.mode).toBe('fallback');
    await redis.restart();
    await ready(connections.at(-1)!);
    await a.acquire();
    expect(a.mode).toBe('shared');
    expect(modes).toEqual(['fallback', 'shared']);
  }, 30_000);
});
