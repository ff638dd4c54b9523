// A real PostgreSQL server for tests: initdb into a temporary folder, started on a free port, stopped and removed after.
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (Debian's package creates it).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:PORT/DB */
  url: string;
  /** Another database on the same server (a fresh, empty mirror). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl (PATH, else Debian's /usr/lib/postgresql/<version>/bin), or null. */
export function postgresBinDir(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  // Debian links initdb into /usr/local/bin alone: follow the link to the folder that has every program.
  if (found !== '') return realpathSync(found).replace(/\/initdb$/, '');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort().reverse()) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return null;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL program, as the postgres user when we are root. */
function runAs(bin: string, program: string, args: string[]): string {
  const file = join(bin, program);
  return isRoot()
    ? execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8', stdio: 'pipe' })
    : execFileSync(file, args, { encoding: 'utf8', stdio: 'pipe' });
}

/** Starts a fresh server; throws with PostgreSQL's own output when it cannot. */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'ods-pg-'));
  // The postgres user must be able to reach and own the folder.
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  runAs(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--locale=C', '-E', 'UTF8', '--no-sync']);
  runAs(bin, 'pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  const server = `postgres://postgres@127.0.0.1:${port}`;
  const createDatabase = async (name: string) => {
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await admin.end();
    }
    return `${server}/${name}`;
  };
  return {
    url: await createDatabase('mirror'),
    createDatabase,
    stop: async () => {
      try {
        runAs(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
