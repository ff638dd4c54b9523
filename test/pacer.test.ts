// The pacer's promise when requests reach the wire late (a stalled event loop, a fresh connection): a start held by its
// attempt counts until the attempt is over, so arrivals upstream never bunch above the limit. Fake clock, no wall time.

import { describe, expect, it } from 'vitest';
import { UpstreamGate } from '../src/upstream/gate.js';
import { SlidingWindowPacer } from '../src/upstream/pacer.js';
import { FakeClock, drive, settle } from './helpers/fakeClock.js';
import { mostInWindow } from './helpers/windows.js';

describe('SlidingWindowPacer hold/release', () => {
  it('a held start keeps its place in the window until released, then for a whole window more', async () => {
    const clock = new FakeClock();
    const pacer = new SlidingWindowPacer({ limit: 1, guardMs: 100, now: clock.now, sleep: clock.sleep });
    const first = await pacer.acquire();
    pacer.hold(first);
    let second: number | undefined;
    void pacer.acquire().then((at) => (second = at));
    // Long past first + 1100: still held, so no second start.
    await drive(clock, () => clock.t >= 5000 || second !== undefined);
    clock.t = 5000;
    await settle();
    expect(second).toBeUndefined();
    pacer.release(first);
    await drive(clock, () => second !== undefined);
    expect(second).toBe(6100);
  });

  it('an acquired start nobody holds counts from its stamp, as before', async () => {
    const clock = new FakeClock();
    const pacer = new SlidingWindowPacer({ limit: 2, guardMs: 0, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) void pacer.acquire().then((at) => starts.push(at));
    await drive(clock, () => starts.length === 5);
    expect(starts).toEqual([0, 0, 1000, 1000, 2000]);
  });
});

describe('UpstreamGate with a late request', () => {
  it('holds the limit at upstream when one request reaches the wire 900 ms after its start', async () => {
    const clock = new FakeClock();
    const limit = 2;
    const pacer = new SlidingWindowPacer({ limit, guardMs: 0, now: clock.now, sleep: clock.sleep });
    const gate = new UpstreamGate({ pacer, maxConcurrency: 10 });
    const arrivals: { label: string; at: number }[] = [];
    /** An attempt whose request arrives `lateMs` after it starts and is answered 50 ms later. */
    const attempt = (label: string, lateMs: number) =>
      gate.run('interactive', async () => {
        if (lateMs > 0) await clock.sleep(lateMs);
        arrivals.push({ label, at: clock.t });
        await clock.sleep(50);
        return label;
      });
    const all = [attempt('late', 900), attempt('prompt', 0), attempt('c', 0), attempt('d', 0), attempt('e', 0)];
    let finished = 0;
    for (const p of all) void p.then(() => finished++);
    await drive(clock, () => finished === all.length);
    await Promise.all(all);
    // Counting starts from their stamps alone, c and d would both go at 1000, arriving with `late` (at 900): 3 in 100 ms.
    expect(arrivals).toEqual([
      { label: 'prompt', at: 0 },
      { label: 'late', at: 900 },
      { label: 'c', at: 1050 },
      { label: 'd', at: 1950 },
      { label: 'e', at: 2100 },
    ]);
    expect(
      mostInWindow(
        arrivals.map((a) => a.at),
        1000,
      ),
    ).toBeLessThanOrEqual(limit);
  });
});
