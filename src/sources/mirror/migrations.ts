// The mirror's schema as versioned migrations, each applied once, in order, recorded in `schema_migrations`.
// Statements are written once; column types that differ between SQLite and PostgreSQL come from ddl() in db.ts.

import { ddl, type SqlDb, type SqlDialect } from './db.js';

export interface Migration {
  version: number;
  name: string;
  statements(dialect: SqlDialect): string[];
}

/** A period as three columns: whether it is there at all (a null period is not one with two null ends), start, end. */
function periodColumns(prefix: string, t: string): string {
  return `${prefix}_period INTEGER NOT NULL, ${prefix}_start ${t}, ${prefix}_end ${t}`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'organisations, their child rows, code systems, state, queues, history, locks',
    statements(dialect) {
      const { text: t, identity, bigint } = ddl(dialect);
      const list = [
        `CREATE TABLE organisations (
          id ${identity},
          code ${t} NOT NULL UNIQUE,
          name ${t} NOT NULL,
          upper_name ${t} NOT NULL,
          status ${t} NOT NULL,
          record_class ${t} NOT NULL,
          ref_only INTEGER NOT NULL,
          last_change_date ${t},
          ${periodColumns('op', t)},
          ${periodColumns('legal', t)},
          has_address INTEGER NOT NULL,
          address_lines ${t},
          town ${t}, county ${t}, postcode ${t}, country ${t}, uprn ${t},
          postcode_upper ${t},
          postcode_key ${t},
          primary_role ${t}
        )`,
        `CREATE INDEX organisations_search ON organisations (name, code)`,
        `CREATE INDEX organisations_primary_role ON organisations (primary_role, name, code)`,
        `CREATE INDEX organisations_postcode ON organisations (postcode_upper)`,
        `CREATE INDEX organisations_postcode_key ON organisations (postcode_key)`,
        `CREATE INDEX organisations_last_change ON organisations (last_change_date)`,
        `CREATE TABLE roles (
          code ${t} NOT NULL, position INTEGER NOT NULL,
          role_type ${t} NOT NULL, is_primary INTEGER NOT NULL, status ${t} NOT NULL,
          ${periodColumns('op', t)}, ${periodColumns('legal', t)},
          unique_id ${bigint},
          PRIMARY KEY (code, position)
        )`,
        `CREATE INDEX roles_by_type ON roles (role_type, code)`,
        `CREATE TABLE relationships (
          code ${t} NOT NULL, position INTEGER NOT NULL,
          rel_type ${t} NOT NULL, status ${t} NOT NULL,
          ${periodColumns('op', t)}, ${periodColumns('legal', t)},
          target ${t} NOT NULL, target_primary_role ${t},
          unique_id ${bigint},
          PRIMARY KEY (code, position)
        )`,
        `CREATE INDEX relationships_inbound ON relationships (target, rel_type, code)`,
        `CREATE TABLE successions (
          code ${t} NOT NULL, position INTEGER NOT NULL,
          type ${t} NOT NULL, effective_date ${t},
          target ${t} NOT NULL, target_primary_role ${t},
          unique_id ${bigint},
          PRIMARY KEY (code, position)
        )`,
        `CREATE INDEX successions_target ON successions (target)`,
        `CREATE TABLE contacts (
          code ${t} NOT NULL, position INTEGER NOT NULL,
          type ${t} NOT NULL, value ${t} NOT NULL,
          PRIMARY KEY (code, position)
        )`,
        `CREATE TABLE code_systems (name ${t} PRIMARY KEY, body ${t} NOT NULL)`,
        `CREATE TABLE mirror_state (key ${t} PRIMARY KEY, value ${t} NOT NULL)`,
        `CREATE TABLE job_queue (
          queue ${t} NOT NULL, code ${t} NOT NULL, position ${bigint} NOT NULL, done INTEGER NOT NULL,
          PRIMARY KEY (queue, code)
        )`,
        `CREATE INDEX job_queue_pending ON job_queue (queue, done, position)`,
        `CREATE TABLE change_history (
          id ${identity},
          code ${t} NOT NULL, origin ${t} NOT NULL, kind ${t} NOT NULL,
          last_change_date ${t}, recorded_at ${t} NOT NULL, note ${t}
        )`,
        `CREATE INDEX change_history_code ON change_history (code)`,
        `CREATE TABLE locks (name ${t} PRIMARY KEY, holder ${t} NOT NULL, expires_at ${bigint} NOT NULL)`,
      ];
      if (dialect === 'sqlite') {
        // Ranked name search: FTS5 keyed by organisations.id (rowid), kept in step by the store's writes.
        list.push(`CREATE VIRTUAL TABLE organisations_fts USING fts5(name, tokenize = 'unicode61')`);
      } else {
        list.push(
          `ALTER TABLE organisations ADD COLUMN name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED`,
          `CREATE INDEX organisations_name_tsv ON organisations USING GIN (name_tsv)`,
        );
      }
      return list;
    },
  },
];

/** Applies every migration not yet recorded, each in its own transaction; returns the newest version applied. */
export async function migrate(db: SqlDb): Promise<number> {
  await db.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  for (const migration of MIGRATIONS) {
    await db.transaction(async (tx) => {
      // Two replicas starting at once: the second waits here, then finds the version applied.
      if (tx.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(7262541)`);
      const done = await tx.get(`SELECT version FROM schema_migrations WHERE version = ?`, [migration.version]);
      if (done !== undefined) return;
      for (const statement of migration.statements(tx.dialect)) await tx.run(statement);
      await tx.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    });
  }
  return schemaVersion(db);
}

export async function schemaVersion(db: SqlDb): Promise<number> {
  const row = await db.get<{ v: number | null }>(`SELECT MAX(version) AS v FROM schema_migrations`);
  return Number(row?.v ?? 0);
}
