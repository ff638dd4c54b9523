// The mirror's schema, as versioned migrations applied once each and in order (table schema_migrations).
// One schema for both engines; the few engine differences (identity columns, full-text index) are spelt per dialect.

import type { SqlDb } from './db.js';

type Dialect = SqlDb['dialect'];

interface Migration {
  version: number;
  description: string;
  script(dialect: Dialect): string;
}

/** Columns of a period pair, shared by organisations, roles and relationships: presence flag, start, end. */
const PERIODS = `op_present INTEGER NOT NULL, op_start TEXT, op_end TEXT,
  legal_present INTEGER NOT NULL, legal_start TEXT, legal_end TEXT`;

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'organisations and their roles, relationships, successions and contacts; code systems; bookkeeping',
    script: (dialect) => `
CREATE TABLE organisations (
  ods_code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_upper TEXT NOT NULL,
  status TEXT NOT NULL,
  record_class TEXT NOT NULL,
  ref_only INTEGER NOT NULL,
  last_change_date TEXT,
  ${PERIODS},
  address_present INTEGER NOT NULL,
  address_lines TEXT,
  town TEXT, county TEXT, postcode TEXT, country TEXT, uprn TEXT,
  postcode_upper TEXT,
  postcode_key TEXT,
  primary_role_id TEXT
);
CREATE INDEX organisations_by_name ON organisations (name ${dialect === 'postgres' ? 'COLLATE "C"' : ''}, ods_code);
CREATE INDEX organisations_by_primary_role ON organisations (primary_role_id);
CREATE INDEX organisations_by_postcode ON organisations (postcode_upper ${dialect === 'postgres' ? 'text_pattern_ops' : ''});
CREATE INDEX organisations_by_postcode_key ON organisations (postcode_key ${dialect === 'postgres' ? 'text_pattern_ops' : ''});
CREATE INDEX organisations_by_last_change ON organisations (last_change_date);
CREATE TABLE contacts (ods_code TEXT NOT NULL, pos INTEGER NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ods_code, pos));
CREATE TABLE roles (
  ods_code TEXT NOT NULL, pos INTEGER NOT NULL, role_id TEXT NOT NULL, is_primary INTEGER NOT NULL, status TEXT NOT NULL,
  ${PERIODS}, unique_role_id INTEGER,
  PRIMARY KEY (ods_code, pos)
);
CREATE INDEX roles_by_role ON roles (role_id, ods_code);
CREATE TABLE relationships (
  ods_code TEXT NOT NULL, pos INTEGER NOT NULL, rel_type_id TEXT NOT NULL, status TEXT NOT NULL,
  ${PERIODS}, target_ods_code TEXT NOT NULL, target_primary_role_id TEXT, unique_rel_id INTEGER,
  PRIMARY KEY (ods_code, pos)
);
CREATE INDEX relationships_by_target ON relationships (target_ods_code, rel_type_id);
CREATE TABLE successions (
  ods_code TEXT NOT NULL, pos INTEGER NOT NULL, type TEXT NOT NULL, effective_date TEXT,
  target_ods_code TEXT NOT NULL, target_primary_role_id TEXT, unique_succ_id INTEGER,
  PRIMARY KEY (ods_code, pos)
);
CREATE INDEX successions_by_target ON successions (target_ods_code);
CREATE TABLE code_systems (
  system TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, code TEXT NOT NULL, display_name TEXT NOT NULL,
  is_primary INTEGER NOT NULL, PRIMARY KEY (system, pos)
);
CREATE TABLE mirror_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE job_queue (
  queue TEXT NOT NULL, ods_code TEXT NOT NULL, pos INTEGER NOT NULL, done INTEGER NOT NULL,
  PRIMARY KEY (queue, ods_code)
);
CREATE INDEX job_queue_pending ON job_queue (queue, done, pos);
CREATE TABLE change_history (
  id ${dialect === 'postgres' ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
  ods_code TEXT NOT NULL, origin TEXT NOT NULL, kind TEXT NOT NULL, last_change_date TEXT, recorded_at TEXT NOT NULL,
  note TEXT
);
CREATE INDEX change_history_by_code ON change_history (ods_code);
CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL);
`,
  },
  {
    version: 2,
    description: 'ranked full-text search over names',
    script: (dialect) =>
      dialect === 'sqlite'
        ? `CREATE VIRTUAL TABLE organisation_names USING fts5(ods_code UNINDEXED, name, tokenize = 'unicode61');`
        : `CREATE INDEX organisations_name_text ON organisations USING GIN (to_tsvector('simple', name));`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Applies every migration not yet applied, each in its own transaction; returns the versions applied now. */
export async function migrate(db: SqlDb): Promise<number[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      // Another process may have applied it since we looked: the insert's conflict tells.
      const claimed = await tx.run(
        'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING',
        [migration.version, new Date().toISOString()],
      );
      if (claimed.changes === 0) return;
      for (const statement of migration
        .script(db.dialect)
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== ''))
        await tx.run(statement);
    });
    done.push(migration.version);
  }
  return done;
}

/** The newest version applied. */
export async function appliedVersion(db: SqlDb): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}
