// A clock for pacer and gate tests: time moves only when the test says, so starts and waits are checked without wall time.
// `drive` lets everything runnable run, advancing the clock whenever only sleeps are left.

/** A clock whose sleeps resolve only when `next` moves time past them. */
export class FakeClock {
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

/** One turn of the event loop: lets every promise that can settle now settle. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs until `done`: settles pending work, and moves `clock` on whenever nothing but sleeps is left. */
export async function drive(clock: FakeClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) {
    await settle();
    if (done()) break;
    if (!clock.next()) await settle();
  }
}
