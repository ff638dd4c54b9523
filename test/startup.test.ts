// `npm start` and `npm run demo` as a newcomer meets them: a taken port or a bad setting is one plain line on stderr and
// exit code 1 (no stack, and before the demo builds its dataset); PORT=0 logs the port actually bound.

import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { spawnTs } from './helpers/spawnTs.js';

/** Nothing listens on port 9 (discard) here: ORD calls fail fast, and the probe is off anyway. */
const QUIET_ENV = { ORD_BASE_URL: 'http://127.0.0.1:9/ORD/2-0-0/', ORD_STARTUP_PROBE: 'false', LOG_LEVEL: 'info' };

function run(entry: 'src/main.ts' | 'src/demo.ts', env: Record<string, string>) {
  return spawnTs([entry], { ...QUIET_ENV, ...env });
}

async function occupiedPort(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  return { port: (blocker.address() as AddressInfo).port, blocker };
}

/** Exactly one line, with no stack frame ("    at …") anywhere. */
function expectOnePlainLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('start-up', () => {
  it('npm start with the port taken: one line naming PORT and the fix, exit 1', async () => {
    const { port, blocker } = await occupiedPort();
    try {
      const p = run('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
      expect(await p.exited).toBe(1);
      expectOnePlainLine(
        p.err(),
        new RegExp(
          `^ods-graphql: Port ${port} on 127\\.0\\.0\\.1 is already in use: set PORT to another port, e\\.g\\. PORT=${port + 1} npm start$`,
        ),
      );
      expect(p.out()).not.toContain('listening');
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('npm run demo with the port taken: the same line for the demo, before the dataset is built', async () => {
    const { port, blocker } = await occupiedPort();
    try {
      const p = run('src/demo.ts', { PORT: String(port), HOST: '127.0.0.1' });
      expect(await p.exited).toBe(1);
      expectOnePlainLine(
        p.err(),
        new RegExp(`^ods-graphql: Port ${port} on 127\\.0\\.0\\.1 is already in use: .* npm run demo$`),
      );
      expect(p.out()).not.toContain('Loading the full ORD dataset');
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('a bad setting: one line naming the variable, exit 1', async () => {
    for (const [entry, env, name] of [
      ['src/main.ts', { PORT: 'http' }, 'PORT'],
      ['src/main.ts', { ORD_RATE_LIMIT: '0' }, 'ORD_RATE_LIMIT'],
      ['src/demo.ts', { SERVER_MAX_CONNECTIONS: 'lots' }, 'SERVER_MAX_CONNECTIONS'],
    ] as const) {
      const p = run(entry, env);
      expect(await p.exited, `${entry} ${name}`).toBe(1);
      expectOnePlainLine(p.err(), new RegExp(`^ods-graphql: Setting ${name} must be `));
      expect(p.out()).toBe('');
    }
  }, 60_000);

  it('PORT=0 logs the port actually bound, serves there, and exits 0 on SIGTERM', async () => {
    const p = run('src/main.ts', { PORT: '0', HOST: '127.0.0.1' });
    try {
      const deadline = Date.now() + 50_000;
      const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)\/graphql/;
      while (!listening.test(p.out()) && p.child.exitCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const port = Number(listening.exec(p.out())?.[1]);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.err()).toBe('');
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);
});
