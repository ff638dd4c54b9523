// The server engine: PostgreSQL through pg, for several replicas sharing one mirror.
// `?` placeholders become `$n`; bulk writes go as one UNNEST insert per table; locks are session advisory locks.

import pg from 'pg';
import { SerialQueue, type SqlDb, type SqlExecutor, type SqlValue } from './db.js';

/** Column types for UNNEST bulk inserts (every mirror column is text, integer or bigint). */
const INTEGER_COLUMNS = new Set([
  'pos',
  'done',
  'ref_only',
  'op_present',
  'legal_present',
  'address_present',
  'is_primary',
  'unique_role_id',
  'unique_rel_id',
  'unique_succ_id',
]);
const BIGINT_COLUMNS = new Set(['expires_at']);

function toPg(sql: string): string {
  let n = 0;
  // No SQL here holds a literal `?`: every value is a parameter.
  return sql.replace(/\?/g, () => `$${++n}`);
}

function columnType(column: string): string {
  return INTEGER_COLUMNS.has(column) ? 'int4' : BIGINT_COLUMNS.has(column) ? 'int8' : 'text';
}

class PgExecutor implements SqlExecutor {
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.client.query(toPg(sql), params as SqlValue[])).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.client.query(toPg(sql), params as SqlValue[])).rowCount ?? 0 };
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const arrays = columns.map((_, i) => rows.map((row) => row[i] ?? null));
    const unnest = columns.map((c, i) => `$${i + 1}::${columnType(c)}[]`).join(', ');
    await this.client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM UNNEST(${unnest})`, arrays);
  }

  async deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    return (await this.client.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::text[])`, [values])).rowCount ?? 0;
  }
}

export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly executor: PgExecutor;
  private readonly transactions = new SerialQueue();

  private constructor(
    pool: pg.Pool,
    readonly location: string,
  ) {
    this.pool = pool;
    this.executor = new PgExecutor(pool);
  }

  /** A pool on `url`, checked with one query so an unreachable server is a plain error at once. */
  static async connect(url: string): Promise<PostgresDb> {
    const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 5_000 });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const parsed = new URL(url);
    const location = `postgres://${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`;
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new Error(
        `The mirror's PostgreSQL at ${location} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return new PostgresDb(pool, location);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.executor.all<T>(sql, params);
  }
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.executor.get<T>(sql, params);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.executor.run(sql, params);
  }
  insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
    return this.executor.insertMany(table, columns, rows);
  }
  deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<number> {
    return this.executor.deleteWhereIn(table, column, values);
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.transactions.run(async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn(new PgExecutor(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  /** A session advisory lock on its own connection, held while `fn` runs: exactly one replica gets it. */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const client = await this.pool.connect();
    try {
      const got = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        name,
      ]);
      if (!got.rows[0]?.locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.transactions.run(async () => undefined);
    await this.pool.end();
  }
}
