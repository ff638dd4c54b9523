// Opens the mirror a MIRROR_URL names: `sqlite:<path>` (the embedded default) or `postgres://…` (shared by replicas),
// migrated to the newest schema. Everything else is refused with the forms it accepts.

import { isAbsolute } from 'node:path';
import { fromPackageRoot } from '../../paths.js';
import type { SqlDb } from './db.js';
import { SqliteDb } from './db.sqlite.js';
import { SqlMirrorStore } from './sqlStore.js';
import type { MirrorStore } from './store.js';

/** The URL with any password replaced, for messages and `status`. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

async function openDb(url: string): Promise<SqlDb> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new Error('MIRROR_URL sqlite: needs a path, e.g. sqlite:var/mirror.sqlite');
    return new SqliteDb(path === ':memory:' || isAbsolute(path) ? path : fromPackageRoot(path));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresDb } = await import('./db.postgres.js');
    return PostgresDb.connect(url);
  }
  throw new Error(`MIRROR_URL must be sqlite:<path> or postgres://user@host:port/database; got "${redactUrl(url)}".`);
}

/** The store at `url`, with every migration applied. */
export async function openMirrorStore(url: string): Promise<MirrorStore> {
  const db = await openDb(url);
  const store = new SqlMirrorStore(db);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
