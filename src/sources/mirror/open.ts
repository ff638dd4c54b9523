// Opens the mirror's store named by MIRROR_URL: `sqlite:<path>` (embedded, the default) or a PostgreSQL URL.
// Returns it migrated; a URL of any other form, or a PostgreSQL that cannot be reached, is a plain error saying so.

import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { fromPackageRoot } from '../../paths.js';
import { PostgresDb, redactPostgresUrl } from './db.postgres.js';
import { SqliteDb } from './db.sqlite.js';
import { SqlMirrorStore } from './sqlStore.js';
import type { MirrorStore } from './store.js';

export interface OpenMirrorOptions {
  /** PostgreSQL pool size (default 8). */
  maxConnections?: number;
  /** Skip migrating (a read-only look at an existing mirror); default false. */
  skipMigrate?: boolean;
}

const ACCEPTED =
  'sqlite:<path> (relative to the package root) or postgres://user@host:port/database (or postgresql://)';

/** The SQLite file a `sqlite:` URL names, absolute (relative paths from the package root). */
export function sqlitePathOf(url: string): string {
  const path = url.slice('sqlite:'.length);
  return isAbsolute(path) ? path : fromPackageRoot(path);
}

export async function openMirrorStore(url: string, options: OpenMirrorOptions = {}): Promise<SqlMirrorStore> {
  let store: SqlMirrorStore;
  if (url.startsWith('sqlite:')) {
    if (url.length === 'sqlite:'.length) throw new Error(`MIRROR_URL "sqlite:" names no file: use ${ACCEPTED}`);
    const path = sqlitePathOf(url);
    mkdirSync(dirname(path), { recursive: true });
    store = new SqlMirrorStore(SqliteDb.open(path), path);
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const db = await PostgresDb.open(url, { max: options.maxConnections });
    store = new SqlMirrorStore(db, redactPostgresUrl(url));
  } else {
    const shown = url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
    throw new Error(`MIRROR_URL "${shown}" is not a mirror location: use ${ACCEPTED}`);
  }
  if (options.skipMigrate !== true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  }
  return store;
}

export type { MirrorStore };
