// The priority gate, deterministically: a fake pacer clock (time moves only when the test says), so the order of starts,
// the 4:1 share, idle-lane behaviour, the concurrency cap and aborts are checked without any wall-clock timing.

import { describe, expect, it } from 'vitest';
import { UpstreamGate } from '../src/upstream/gate.js';
import { SlidingWindowPacer } from '../src/upstream/pacer.js';
import type { UpstreamPriority } from '../src/upstream/scope.js';

/** A clock whose sleeps resolve only when `advance` moves time past them. */
class FakeClock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number) => new Promise<void>((resolve) => this.timers.push({ at: this.t + ms, resolve }));
  /** Moves time to the next pending sleep's end and wakes it; false when nothing sleeps. */
  next(): boolean {
    if (this.timers.length === 0) return false;
    const at = Math.min(...this.timers.map((x) => x.at));
    this.t = Math.max(this.t, at);
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.resolve();
    return true;
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(options: { limit: number; maxConcurrency?: number }) {
  const clock = new FakeClock();
  const pacer = new SlidingWindowPacer({ limit: options.limit, guardMs: 0, now: clock.now, sleep: clock.sleep });
  const gate = new UpstreamGate({ pacer, maxConcurrency: options.maxConcurrency ?? 100 });
  const starts: { label: string; at: number }[] = [];
  const run = (priority: UpstreamPriority, label: string, signal?: AbortSignal) =>
    gate.run(
      priority,
      async () => {
        starts.push({ label, at: clock.t });
        return label;
      },
      signal,
    );
  /** Lets everything runnable run, advancing the clock whenever only sleeps are left, until `done`. */
  const drive = async (done: () => boolean) => {
    for (let i = 0; i < 10_000 && !done(); i++) {
      await settle();
      if (done()) break;
      if (!clock.next()) await settle();
    }
  };
  return { clock, gate, starts, run, drive };
}

describe('UpstreamGate', () => {
  it('under contention, interactive requests start 4 for each bulk one, in arrival order within a lane', async () => {
    const { starts, run, drive } = setup({ limit: 1 });
    const all: Promise<string>[] = [];
    for (let i = 0; i < 10; i++) all.push(run('bulk', `B${i}`));
    for (let i = 0; i < 10; i++) all.push(run('interactive', `I${i}`));
    await drive(() => starts.length === 20);
    await Promise.all(all);
    expect(starts.map((s) => s.label)).toEqual([
      'I0',
      'I1',
      'I2',
      'I3',
      'B0',
      'I4',
      'I5',
      'I6',
      'I7',
      'B1',
      'I8',
      'I9', // interactive lane empty: bulk gets every slot
      'B2',
      'B3',
      'B4',
      'B5',
      'B6',
      'B7',
      'B8',
      'B9',
    ]);
    // One start per pacer window (limit 1 per 1000 ms): the gate never exceeds the pacer.
    expect(starts.map((s) => s.at)).toEqual(Array.from({ length: 20 }, (_, i) => i * 1000));
  });

  it('at ORD’s 5 calls/s with both lanes busy, people get 4 calls a second and the bulk walk keeps 1', async () => {
    const { starts, run, drive } = setup({ limit: 5 });
    const all: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) all.push(run('bulk', `B${i}`));
    for (let i = 0; i < 20; i++) all.push(run('interactive', `I${i}`));
    await drive(() => starts.length === 25);
    const perSecond = new Map<number, { interactive: number; bulk: number }>();
    for (const s of starts.slice(0, 25)) {
      const second = Math.floor(s.at / 1000);
      const row = perSecond.get(second) ?? { interactive: 0, bulk: 0 };
      row[s.label.startsWith('I') ? 'interactive' : 'bulk']++;
      perSecond.set(second, row);
    }
    expect([...perSecond.values()]).toEqual(Array.from({ length: 5 }, () => ({ interactive: 4, bulk: 1 })));
    await drive(() => starts.length === 40);
    await Promise.all(all);
  });

  it('an idle lane leaves the whole rate to the other: a lone bulk walk gets all 5 calls a second', async () => {
    const { starts, run, drive, gate } = setup({ limit: 5 });
    const all = Array.from({ length: 10 }, (_, i) => run('bulk', `B${i}`));
    await drive(() => starts.length === 10);
    await Promise.all(all);
    expect(starts.map((s) => s.at)).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000]);
    expect(gate.stats().started).toEqual({ interactive: 0, bulk: 10 });
    // And a person arriving while bulk is idle starts at once.
    const person = run('interactive', 'I0');
    await drive(() => starts.length === 11);
    expect(await person).toBe('I0');
    expect(starts.at(-1)!.at).toBe(2000);
  });

  it('never has more than maxConcurrency requests in flight', async () => {
    const { gate, clock } = setup({ limit: 1000, maxConcurrency: 2 });
    const releases: (() => void)[] = [];
    let running = 0;
    let peak = 0;
    const task = () =>
      gate.run('interactive', async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      });
    const all = Array.from({ length: 5 }, task);
    await settle();
    expect(running).toBe(2);
    expect(gate.stats()).toMatchObject({ inFlight: 2, waiting: { interactive: 3, bulk: 0 } });
    for (let done = 0; done < 5; done++) {
      releases.shift()!();
      await settle();
      await settle();
      expect(running).toBeLessThanOrEqual(2);
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(clock.t).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue with the abort error and never starts', async () => {
    const { starts, run, drive } = setup({ limit: 1 });
    const controller = new AbortController();
    const first = run('interactive', 'I0');
    const aborted = run('interactive', 'I1', controller.signal);
    const third = run('interactive', 'I2');
    await settle();
    controller.abort(new Error('the request deadline of 50 ms (REQUEST_DEADLINE_MS) passed'));
    await expect(aborted).rejects.toThrow('REQUEST_DEADLINE_MS');
    await drive(() => starts.length === 2);
    expect(await first).toBe('I0');
    expect(await third).toBe('I2');
    expect(starts.map((s) => s.label)).toEqual(['I0', 'I2']);
    // Already aborted: refused at once.
    await expect(run('bulk', 'B0', controller.signal)).rejects.toThrow('REQUEST_DEADLINE_MS');
  });
});
