// `npm run sim` as a user runs it: starts, prints where it listens, answers, stops cleanly on SIGTERM; bad flags exit 2.
// Spawned through tsx as a real child process, because the CLI's job is process behaviour (stdout, signals, exit codes).

import { describe, expect, it } from 'vitest';
import { spawnTs } from './helpers/spawnTs.js';

function run(args: string[]) {
  return spawnTs(['src/simulators/ord/cli.ts', ...args]);
}

describe('simulator CLI', () => {
  it('starts, prints the base URL and ORD_BASE_URL, serves, and exits 0 on SIGTERM', async () => {
    const p = run(['--port', '0', '--tier', 'small', '--fault', 'http503', '--fault-count', '1', '--rate-limit', '50']);
    try {
      const deadline = Date.now() + 50_000;
      while (!/ORD_BASE_URL=\S+/.test(p.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(p.out()).toMatch(
        /^ORD simulator \(tier small, \d+ organisations\) listening on http:\/\/127\.0\.0\.1:\d+\/ORD\/2-0-0\/$/m,
      );
      const base = /ORD_BASE_URL=(\S+)/.exec(p.out())?.[1] ?? '';
      expect((await fetch(`${base}roles`)).status).toBe(503);
      expect((await fetch(`${base}roles`)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('bad flags exit 2 with a message', async () => {
    for (const args of [['--tier', 'huge'], ['--port', 'x'], ['--fault', 'boom'], ['--nope']]) {
      const p = run(args);
      expect(await p.exited, args.join(' ')).toBe(2);
      expect(p.err()).toMatch(/^ord-simulator: /);
    }
  }, 60_000);

  it('--help prints usage and exits 0', async () => {
    const p = run(['--help']);
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('Usage: npm run sim');
  }, 30_000);
});
