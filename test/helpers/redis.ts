// A real Redis server for tests: Debian's redis-server on a free port, in a temporary folder, nothing persisted.
// Stopped (and restartable on the same port) by the test, so a test can take Redis away mid-run and bring it back.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RunningRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Stops the server (its data goes with it). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/** Whether redis-server is installed (.ci/run installs Debian's package when it is missing). */
export function redisInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const proc = spawn('redis-server', [...args, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
}

function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

export async function startRedis(): Promise<RunningRedis> {
  if (!redisInstalled())
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'ods-redis-'));
  const port = await freePort();
  let proc: ChildProcess | null = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (proc) await kill(proc);
      proc = null;
    },
    restart: async () => {
      if (proc) await kill(proc);
      proc = await launch(port, dir);
    },
    close: async () => {
      if (proc) await kill(proc);
      proc = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
