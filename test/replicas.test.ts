// Several replicas on one Redis (REDIS_URL), end to end: two apps sharing ORD_RATE_LIMIT put no more than the limit
// into any second at the ORD simulator (counted from its own log), and /ready says the pacer is shared or on its share.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSettingsFromEnv, createApp, type App } from '../src/app.js';
import { serve } from '../src/server/serve.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdSimulator } from '../src/simulators/ord/types.js';
import { loadDataset } from '../src/dataset/build.js';
import { loadConfig } from '../src/config.js';
import { redisInstalled, startRedis, type RunningRedis } from './helpers/redis.js';
import { mostInWindow } from './helpers/windows.js';

let redis: RunningRedis;
let sim: OrdSimulator;
const replicas: { app: App; url: string; close(): Promise<void> }[] = [];
const RATE = 5;

async function startReplica(): Promise<(typeof replicas)[number]> {
  const settings = appSettingsFromEnv({
    ORD_BASE_URL: sim.baseUrl,
    ORD_RATE_LIMIT: String(RATE),
    ORD_MAX_RETRIES: '0',
    ORD_SYNC_POLL_MINUTES: '0',
    REDIS_URL: redis.url,
    REPLICAS_EXPECTED: '2',
  });
  const app = createApp(settings, { today: () => sim.today });
  const served = await serve(app.yoga, { host: '127.0.0.1', port: 0 });
  const replica = {
    app,
    url: served.url,
    close: async () => {
      await served.close();
      await app.close();
    },
  };
  replicas.push(replica);
  return replica;
}

const ask = (url: string, odsCode: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ organisation(odsCode: "${odsCode}") { odsCode name } }` }),
  }).then((r) => r.json() as Promise<{ data?: { organisation: { odsCode: string } | null }; errors?: unknown }>);

describe.skipIf(!redisInstalled())('replicas sharing one Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    sim = await startOrdSimulator({ tier: 'small', port: 0 });
  }, 30_000);
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await sim?.close();
    await redis?.close();
  });

  it('two replicas at ORD_RATE_LIMIT=5, 12 cold codes each at once: ≤ 5 ORD arrivals in any second, every answer right', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const codes = [...loadDataset('small').organisations.keys()].slice(0, 24);
    sim.clearLog();
    const answers = await Promise.all(codes.map((code, i) => ask(i % 2 === 0 ? a.url : b.url, code)));
    expect(answers.map((r) => r.data?.organisation?.odsCode)).toEqual(codes);
    const arrivals = sim.requests().filter((r) => r.endpoint === 'organisation');
    expect(arrivals).toHaveLength(24);
    expect(
      mostInWindow(
        arrivals.map((r) => r.at),
        1000,
      ),
    ).toBeLessThanOrEqual(RATE);
  }, 60_000);

  it("/ready's body says the pacer is shared; with Redis stopped, that this replica is alone on its share", async () => {
    const replica = replicas[0]!;
    const ready = () =>
      fetch(new URL('/ready', replica.url)).then((r) => r.json() as Promise<{ checks: Record<string, unknown> }>);
    expect((await ready()).checks.pacer).toBe('shared (Redis)');
    await redis.stop();
    const codes = [...loadDataset('small').organisations.keys()].slice(24, 26);
    const answers = await Promise.all(codes.map((code) => ask(replica.url, code)));
    expect(answers.map((r) => r.data?.organisation?.odsCode)).toEqual(codes);
    expect((await ready()).checks.pacer).toBe('fallback: this replica alone, at its share');
    await redis.restart();
  }, 60_000);
});

describe('REDIS_URL and REPLICAS_EXPECTED', () => {
  it('are off and 2 by default; a URL that is not redis:// stops start-up with a line naming the setting', () => {
    expect(loadConfig({}).shared).toEqual({ redisUrl: '', replicasExpected: 2 });
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379', REPLICAS_EXPECTED: '3' }).shared).toEqual({
      redisUrl: 'redis://10.0.0.5:6379',
      replicasExpected: 3,
    });
    expect(() => loadConfig({ REDIS_URL: 'http://10.0.0.5' })).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(() => loadConfig({ REPLICAS_EXPECTED: '0' })).toThrow(/REPLICAS_EXPECTED/);
  });
});
