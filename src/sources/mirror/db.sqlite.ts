// The embedded engine: a SQLite file through better-sqlite3 (WAL, so the server reads while a sync writes).
// Two connections: reads never wait for a write transaction, and writes run one transaction at a time.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { chunks, placeholders, SerialQueue, type SqlDb, type SqlExecutor, type SqlValue } from './db.js';

/** How long a lock row lives without renewal: a process that died leaves the lock free after this. */
const LOCK_TTL_MS = 60_000;

type Statement = Database.Statement<unknown[]>;

class SqliteExecutor implements SqlExecutor {
  private readonly statements = new Map<string, Statement>();
  constructor(readonly db: Database.Database) {}

  prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  allSync<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.allSync<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  runSync(sql: string, params: readonly SqlValue[] = []): { changes: number } {
    return { changes: this.prepare(sql).run(...params).changes };
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.runSync(sql, params);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
    const statement = this.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})`,
    );
    for (const row of rows) statement.run(...row);
  }

  async deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<number> {
    let changes = 0;
    for (const part of chunks(values, 500)) {
      changes += this.prepare(`DELETE FROM ${table} WHERE ${column} IN (${placeholders(part.length)})`).run(
        ...part,
      ).changes;
    }
    return changes;
  }
}

export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly reader: SqliteExecutor;
  private readonly writer: SqliteExecutor;
  private readonly writes = new SerialQueue();
  private readonly owner = randomUUID();

  constructor(readonly location: string) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    const write = new Database(location);
    write.pragma('journal_mode = WAL');
    write.pragma('synchronous = NORMAL');
    write.pragma('busy_timeout = 10000');
    write.pragma('foreign_keys = OFF');
    this.writer = new SqliteExecutor(write);
    // An in-memory database is one connection's own: read through the writer.
    if (location === ':memory:') this.reader = this.writer;
    else {
      const read = new Database(location, { readonly: false });
      read.pragma('busy_timeout = 10000');
      read.pragma('query_only = ON');
      this.reader = new SqliteExecutor(read);
    }
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.reader.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.reader.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.writes.run(() => this.writer.run(sql, params));
  }

  insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
    return this.transaction((tx) => tx.insertMany(table, columns, rows));
  }

  deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<number> {
    return this.transaction((tx) => tx.deleteWhereIn(table, column, values));
  }

  async exec(script: string): Promise<void> {
    await this.writes.run(async () => this.writer.db.exec(script));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      this.writer.db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(this.writer);
        this.writer.db.exec('COMMIT');
        return value;
      } catch (error) {
        if (this.writer.db.inTransaction) this.writer.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** A lock row with an expiry, renewed while `fn` runs: another process on the same file sees it held. */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const acquired = await this.writes.run(async () => {
      const now = Date.now();
      this.writer.runSync('DELETE FROM locks WHERE name = ? AND expires_at < ?', [name, now]);
      return (
        this.writer.runSync(
          'INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
          [name, this.owner, now + LOCK_TTL_MS],
        ).changes === 1
      );
    });
    if (!acquired) return { ran: false };
    const renew = setInterval(() => {
      void this.run('UPDATE locks SET expires_at = ? WHERE name = ? AND owner = ?', [
        Date.now() + LOCK_TTL_MS,
        name,
        this.owner,
      ]);
    }, LOCK_TTL_MS / 3);
    renew.unref();
    try {
      return { ran: true, value: await fn() };
    } finally {
      clearInterval(renew);
      await this.run('DELETE FROM locks WHERE name = ? AND owner = ?', [name, this.owner]);
    }
  }

  async close(): Promise<void> {
    await this.writes.run(async () => undefined);
    if (this.reader !== this.writer) this.reader.db.close();
    this.writer.db.close();
  }
}
