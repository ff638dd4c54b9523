// A real PostgreSQL server for tests: initdb into a fresh temp dir, start on a free port (as `postgres` when run as root,
// since PostgreSQL refuses root), create a database, hand back its URL. Debian's `postgresql` package provides the binaries.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:PORT/mirror_test */
  url: string;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl (PATH, else /usr/lib/postgresql/<newest>/bin), or null when none is installed. */
export function postgresBinDir(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    // /usr/local/bin may hold only links to initdb and pg_ctl: the folder they point into has the rest.
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')))
      return dirname(realpathSync(join(dir, 'initdb')));
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

/** Why the PostgreSQL suites are skipped here, or null when they can run. */
export function postgresSkipReason(): string | null {
  if (postgresBinDir() === null)
    return 'no PostgreSQL binaries (initdb, pg_ctl): install Debian’s `postgresql` (.ci/run does) to run the PostgreSQL suite';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root and there is no `postgres` user to run PostgreSQL as';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error(postgresSkipReason() ?? 'no PostgreSQL');
  const asRoot = process.getuid?.() === 0;
  const root = mkdtempSync(join(tmpdir(), 'ods-graphql-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  mkdirSync(dataDir);
  mkdirSync(socketDir);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const dir of [root, dataDir, socketDir]) chownSync(dir, uid, gid);
    chmodSync(dataDir, 0o700);
  }
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(
        `${command} failed (exit ${result.status}): ${result.stderr || result.stdout || result.error?.message}`,
      );
  };
  const port = await freePort();
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '-N']);
  run('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(root, 'server.log'),
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    '-w',
    'start',
  ]);
  const stop = async () => {
    try {
      run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE mirror_test');
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/mirror_test`, stop };
}
