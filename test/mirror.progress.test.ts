// The mirror jobs' progress output with a fake stream and clock: a redrawn bar on a terminal, plain lines at most
// every 5 s (and at 0 % and 100 %) elsewhere.

import { describe, expect, it } from 'vitest';
import { createProgress, type ProgressStream } from '../src/sources/mirror/progress.js';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const stream = {
    text: '',
    isTTY,
    columns: 100,
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

describe('progress', () => {
  it('plain: a line at 0 %, then at most one per 5 s, then 100 % and the summary', () => {
    const stream = fakeStream(false);
    let t = 1_000_000;
    const p = createProgress({ label: 'build', total: 1000, unit: 'records', stream, now: () => t });
    for (let i = 0; i < 100; i++) {
      t += 100; // 10 s in all, 10 records a tick
      p.tick(10);
    }
    p.done('1000 records in 10 s');
    const lines = stream.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^build {4}0 % {2}0\/1,000 records {2}0\/s {2}ETA \?$/);
    // 0 %, one at 5 s (50 %), 100 % at 10 s (the line at exactly 10 s is the 100 % one), the summary.
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^build {3}50 % {2}500\/1,000 records {2}100\/s {2}ETA 5s$/);
    expect(lines[2]).toMatch(/^build {2}100 % {2}1,000\/1,000 records {2}100\/s {2}ETA 0s$/);
    expect(lines[3]).toBe('build: 1000 records in 10 s');
    expect(stream.text).not.toContain('\r');
  });

  it('tty: one redrawn line with a bar, rate and ETA, ended by a newline', () => {
    const stream = fakeStream(true);
    let t = 0;
    const p = createProgress({ label: 'import', total: 2 * 1024 * 1024, unit: 'bytes', stream, now: () => t });
    t = 1000;
    p.tick(1024 * 1024);
    p.done('done');
    const frames = stream.text.split('\r').filter((f) => f !== '');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[1]).toMatch(/^import {2}\[#{12}-{12}\] {3}50 % {2}1\.0 MiB\/2\.0 MiB {2}1\.0 MiB\/s {2}ETA 1s/);
    expect(stream.text.endsWith('\nimport: done\n')).toBe(true);
    expect(stream.text.split('\n')).toHaveLength(3);
  });

  it('without a total: count and rate, no percentage', () => {
    const stream = fakeStream(false);
    let t = 0;
    const p = createProgress({ label: 'sync', unit: 'codes', stream, now: () => t });
    t = 2000;
    p.tick(4);
    p.note('beside: 7 records');
    p.done();
    expect(stream.text.split('\n')[1]).toBe('sync  4 codes  2/s  beside: 7 records');
    expect(stream.text).not.toContain('%');
  });
});
