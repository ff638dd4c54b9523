// The change-feed evictor against the simulator: a poll evicts exactly the codes /sync lists for its window, a second
// poll in the same window evicts nothing new, and the log says what was evicted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeFeedPoller, addDays } from '../src/cache/changeFeed.js';
import { startStack, type Stack } from './helpers/stack.js';

// The small tier's most recent LastChangeDates are 2026-04-01 (2), 2026-04-02 and 2026-04-10: with "today" at 04-02
// and one day of lookback, the window [04-01, 04-02] lists those four.
const TODAY = '2026-04-02';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tier: 'small', cache: true, today: TODAY });
});
afterAll(async () => {
  await stack?.close();
});

describe('ChangeFeedPoller', () => {
  it('evicts exactly the listed codes, once per change day, and logs them', async () => {
    const cache = stack.cache!;
    const listed = [
      ...new Set([
        ...(await stack.app.upstream.changedSince(addDays(TODAY, -1))),
        ...(await stack.app.upstream.changedSince(TODAY)),
      ]),
    ].sort();
    expect(listed.length).toBe(4);

    // Warm the cache with the listed organisations and a few that did not change, through GraphQL.
    const unchanged = ['RAL', 'QMJ', 'E83003'];
    const warm = await stack.gql(`query ($codes: [String!]!) { organisations(odsCodes: $codes) { odsCode name } }`, {
      codes: [...listed, ...unchanged],
    });
    expect(warm.errors).toBeUndefined();
    for (const code of [...listed, ...unchanged]) expect(cache.knownOrganisation(code)).toBeDefined();

    const logs: { obj: object | string; msg?: string }[] = [];
    const log = (obj: object | string, msg?: string) => logs.push({ obj, msg });
    const poller = new ChangeFeedPoller({
      upstream: stack.app.upstream,
      subscribers: [{ changed: (codes) => cache.evict(codes) }],
      intervalMs: 60_000,
      today: () => TODAY,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    stack.sim.clearLog();
    const first = await poller.pollOnce();
    // One /sync call per day of the window, and nothing else.
    expect(
      stack
        .calls()
        .map((c) => c.path)
        .sort(),
    ).toEqual([`sync?LastChangeDate=${addDays(TODAY, -1)}`, `sync?LastChangeDate=${TODAY}`]);
    expect(first.since).toBe(addDays(TODAY, -1));
    expect(first.listed).toBe(4);
    expect([...first.evicted].sort()).toEqual(listed);
    expect(first.droppedRecords).toBe(4);
    for (const code of listed) {
      expect(cache.knownOrganisation(code)).toBeUndefined();
      expect(cache.knownSummary(code)).toBeUndefined();
    }
    for (const code of unchanged) expect(cache.knownOrganisation(code)).toBeDefined();
    expect(logs).toHaveLength(1);
    expect(logs[0]!.msg).toContain('evicted 4 changed organisation(s)');
    expect([...(logs[0]!.obj as { codes: string[] }).codes].sort()).toEqual(listed);

    // Re-fetched after the poll, the records are current: a second poll in the same window must leave them alone.
    await stack.gql(`query ($codes: [String!]!) { organisations(odsCodes: $codes) { odsCode } }`, { codes: listed });
    const second = await poller.pollOnce();
    expect(second.evicted).toEqual([]);
    expect(second.droppedRecords).toBe(0);
    for (const code of listed) expect(cache.knownOrganisation(code)).toBeDefined();
    expect(logs).toHaveLength(1);
  });

  it('across days: a code is evicted again only when it turns up on a new change day', async () => {
    // A fake feed: ORD's /sync semantics (codes changed on or after the date) over a table of change days.
    const changed = new Map<string, string>([['AAA', '2026-04-01']]);
    const upstream = {
      changedSince: async (date: string) => [...changed].filter(([, day]) => day >= date).map(([code]) => code),
    } as unknown as typeof stack.app.upstream;
    const evicted: string[][] = [];
    const cache = { changed: (codes: readonly string[]) => (evicted.push([...codes]), 0) };
    let today = '2026-04-01';
    const poller = new ChangeFeedPoller({ upstream, subscribers: [cache], intervalMs: 60_000, today: () => today });
    expect((await poller.pollOnce()).evicted).toEqual(['AAA']);
    today = '2026-04-02'; // the window is now [04-01, 04-02]: AAA is still listed, for the same change
    expect((await poller.pollOnce()).evicted).toEqual([]);
    changed.set('AAA', '2026-04-02'); // AAA changes again
    changed.set('BBB', '2026-04-01'); // published a day late: dated yesterday, first listed today
    expect([...(await poller.pollOnce()).evicted].sort()).toEqual(['AAA', 'BBB']);
    expect((await poller.pollOnce()).evicted).toEqual([]);
    expect(evicted).toEqual([['AAA'], ['AAA', 'BBB']]);
  });

  it('an empty poll keeps cached search pages', async () => {
    const cache = stack.cache!;
    await stack.gql(`{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 5) { totalCount } }`);
    const before = cache.stats().entries;
    expect(cache.evict([])).toBe(0);
    expect(cache.stats().entries).toBe(before);
  });
});
