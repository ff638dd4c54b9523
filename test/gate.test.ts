// The priority gate, deterministically: a fake pacer clock (time moves only when the test says), so the order of starts,
// the 4:1 share, idle-lane behaviour, clients' turns, the per-client queue bound, the concurrency cap and aborts are
// checked without any wall-clock timing.

import { describe, expect, it } from 'vitest';
import { UpstreamQueueFullError } from '../src/upstream/errors.js';
import { UpstreamGate } from '../src/upstream/gate.js';
import { SlidingWindowPacer } from '../src/upstream/pacer.js';
import type { UpstreamPriority } from '../src/upstream/scope.js';
import { FakeClock, drive, settle } from './helpers/fakeClock.js';

function setup(options: { limit: number; maxConcurrency?: number; maxQueuedPerClient?: number }) {
  const clock = new FakeClock();
  const pacer = new SlidingWindowPacer({ limit: options.limit, guardMs: 0, now: clock.now, sleep: clock.sleep });
  const gate = new UpstreamGate({
    pacer,
    maxConcurrency: options.maxConcurrency ?? 100,
    ...(options.maxQueuedPerClient !== undefined ? { maxQueuedPerClient: options.maxQueuedPerClient } : {}),
  });
  const starts: { label: string; at: number }[] = [];
  const run = (priority: UpstreamPriority, label: string, signal?: AbortSignal, client?: string) =>
    gate.run(
      priority,
      async () => {
        starts.push({ label, at: clock.t });
        return label;
      },
      signal,
      client,
    );
  return { clock, gate, starts, run, drive: (done: () => boolean) => drive(clock, done) };
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

describe('UpstreamGate: clients take turns inside a lane', () => {
  it('a greedy client with 100 calls queued delays a cheap client’s one call by at most one of its own starts', async () => {
    const { starts, run, drive, gate } = setup({ limit: 5 });
    const greedy = Array.from({ length: 100 }, (_, i) => run('interactive', `G${i}`, undefined, 'ip:10.0.0.1'));
    expect(gate.stats().waiting.interactive).toBe(100);
    const cheap = run('interactive', 'C0', undefined, 'ip:10.0.0.2');
    expect(gate.stats().waitingClients).toEqual({ interactive: 2, bulk: 0 });
    await drive(() => starts.some((s) => s.label === 'C0'));
    expect(await cheap).toBe('C0');
    // First come, first served would have put C0 at index 100 (twenty seconds at 5/s); turns put it second.
    expect(starts.map((s) => s.label).indexOf('C0')).toBe(1);
    expect(starts.find((s) => s.label === 'C0')!.at).toBe(0);
    await drive(() => starts.length === 101);
    await Promise.all(greedy);
    // The greedy client's own calls still go in arrival order.
    expect(starts.filter((s) => s.label !== 'C0').map((s) => s.label)).toEqual(
      Array.from({ length: 100 }, (_, i) => `G${i}`),
    );
  });

  it('a cheap call arriving while the greedy backlog is being served still starts within two starts', async () => {
    const { starts, run, drive } = setup({ limit: 1 });
    const greedy = Array.from({ length: 20 }, (_, i) => run('interactive', `G${i}`, undefined, 'greedy'));
    await drive(() => starts.length === 5);
    const cheap = run('interactive', 'C0', undefined, 'cheap');
    const before = starts.length;
    await drive(() => starts.some((s) => s.label === 'C0'));
    await cheap;
    expect(starts.map((s) => s.label).indexOf('C0') - before).toBeLessThanOrEqual(1);
    await drive(() => starts.length === 21);
    await Promise.all(greedy);
  });

  it('three clients are served one start each in turn, each in its own arrival order', async () => {
    const { starts, run, drive } = setup({ limit: 1 });
    const all = [
      ...['A0', 'A1', 'A2'].map((l) => run('interactive', l, undefined, 'a')),
      ...['B0', 'B1', 'B2'].map((l) => run('interactive', l, undefined, 'b')),
      run('interactive', 'C0', undefined, 'c'),
    ];
    await drive(() => starts.length === 7);
    await Promise.all(all);
    expect(starts.map((s) => s.label)).toEqual(['A0', 'B0', 'C0', 'A1', 'B1', 'A2', 'B2']);
  });

  it('keeps the 4:1 share between lanes while clients take turns inside each', async () => {
    const { starts, run, drive } = setup({ limit: 1 });
    const all = [
      ...Array.from({ length: 3 }, (_, i) => run('bulk', `X${i}`, undefined, 'x')),
      ...Array.from({ length: 3 }, (_, i) => run('bulk', `Y${i}`, undefined, 'y')),
      ...Array.from({ length: 6 }, (_, i) => run('interactive', `A${i}`, undefined, 'a')),
      ...Array.from({ length: 2 }, (_, i) => run('interactive', `B${i}`, undefined, 'b')),
    ];
    await drive(() => starts.length === 14);
    await Promise.all(all);
    expect(starts.map((s) => s.label)).toEqual([
      'A0',
      'B0',
      'A1',
      'B1',
      'X0', // one bulk start after four interactive ones
      'A2',
      'A3',
      'A4',
      'A5', // client b is done: a has the interactive lane to itself
      'Y0', // bulk clients take turns too
      'X1',
      'Y1',
      'X2',
      'Y2',
    ]);
  });

  it('refuses a client’s call at once when it already has maxQueuedPerClient waiting; others still queue', async () => {
    const { starts, run, drive, gate, clock } = setup({ limit: 1, maxQueuedPerClient: 3 });
    const greedy = ['G0', 'G1', 'G2'].map((l) => run('interactive', l, undefined, 'greedy'));
    expect(gate.queuedBy('greedy')).toBe(3);
    // Both lanes count towards the bound.
    const refused = run('bulk', 'G3', undefined, 'greedy');
    const cheap = run('interactive', 'C0', undefined, 'cheap');
    await expect(refused).rejects.toBeInstanceOf(UpstreamQueueFullError);
    await expect(refused).rejects.toMatchObject({ limit: 3 });
    // Refused without waiting for a start: the clock has not moved and G3 never starts.
    expect(clock.t).toBe(0);
    await drive(() => starts.length === 2);
    // G0 has started (it left the queue): the greedy client may queue one more.
    expect(gate.queuedBy('greedy')).toBe(2);
    const again = run('interactive', 'G4', undefined, 'greedy');
    await drive(() => starts.length === 5);
    await Promise.all([...greedy, cheap, again]);
    expect(starts.map((s) => s.label)).toEqual(['G0', 'C0', 'G1', 'G2', 'G4']);
  });

  it('a client’s aborted waiter leaves that client’s queue, and the client leaves the rotation when it has none', async () => {
    const { starts, run, drive, gate } = setup({ limit: 1 });
    const controller = new AbortController();
    const first = run('interactive', 'A0', undefined, 'a');
    const aborted = run('interactive', 'B0', controller.signal, 'b');
    const third = run('interactive', 'A1', undefined, 'a');
    controller.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(gate.stats().waitingClients.interactive).toBe(1);
    await drive(() => starts.length === 2);
    await Promise.all([first, third]);
    expect(starts.map((s) => s.label)).toEqual(['A0', 'A1']);
  });
});
