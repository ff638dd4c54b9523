// The SQLite engine behind the SqlDb seam: better-sqlite3 in WAL mode, synchronous=NORMAL, a prepared-statement cache.
// better-sqlite3 is synchronous; an async transaction holds a per-connection mutex so no other call interleaves with it.

import Database from 'better-sqlite3';
import type { SqlDb, SqlRow, SqlValue } from './db.js';

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  /** Settles when the running transaction ends; calls from outside it wait for it. */
  private busy: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: Database.Database,
    private readonly inTransaction: boolean,
    private readonly root: SqliteDb | null,
  ) {}

  static open(path: string): SqliteDb {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = OFF');
    return new SqliteDb(db, false, null);
  }

  private owner(): SqliteDb {
    return this.root ?? this;
  }

  private prepare(sql: string): Statement {
    const cache = this.owner().statements;
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }

  /** Outside a transaction, waits for the one running (if any) so it never reads or writes inside it. */
  private async ready(): Promise<void> {
    if (!this.inTransaction) await this.owner().busy;
  }

  async all<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.ready();
    return this.prepare(sql).all(...params) as T[];
  }

  async get<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    await this.ready();
    return this.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    await this.ready();
    const stmt = this.prepare(sql);
    if (!stmt.reader) return { changes: stmt.run(...params).changes };
    stmt.all(...params);
    return { changes: 0 };
  }

  /** Runs DDL (several statements at once), uncached. */
  async exec(sql: string): Promise<void> {
    await this.ready();
    this.db.exec(sql);
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    await this.ready();
    if (rows.length === 0) return;
    const stmt = this.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    for (const row of rows) stmt.run(...row);
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const owner = this.owner();
    const before = owner.busy;
    let release!: () => void;
    owner.busy = new Promise<void>((resolve) => (release = resolve));
    await before;
    try {
      // IMMEDIATE takes the write lock now, so two connections never deadlock upgrading a read lock.
      this.db.exec('BEGIN IMMEDIATE');
      const tx = new SqliteDb(this.db, true, owner);
      try {
        const value = await fn(tx);
        this.db.exec('COMMIT');
        return value;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      release();
    }
  }

  session<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    await this.owner().busy;
    this.statements.clear();
    this.db.close();
  }
}
