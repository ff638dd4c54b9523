// The PostgreSQL engine behind the SqlDb seam: a pg Pool, `?` rewritten to `$n`, a transaction on one pooled client.
// BIGINT (and COUNT) come back as JS numbers: every value the mirror keeps fits in 2^53.

import pg from 'pg';
import { chunks, numberPlaceholders, type SqlDb, type SqlRow, type SqlValue } from './db.js';

/** PostgreSQL accepts at most 65535 parameters in one statement. */
const MAX_PARAMETERS = 60000;

const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

interface Queryable {
  query(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult>;
}

/** SQL text → its statement name (process-wide: the same text always gets the same name on every connection). */
const preparedNames = new Map<string, { name: string; text: string }>();
/** Beyond this many distinct statements (multi-row inserts of odd sizes), statements run unnamed. */
const MAX_PREPARED = 500;

class PgConnection implements SqlDb {
  readonly dialect = 'postgres' as const;
  constructor(
    protected readonly target: Queryable,
    private readonly pool: pg.Pool | null,
    private readonly inTransaction: boolean,
  ) {}

  protected async query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    // Named statements are prepared once per connection and then skip parsing and planning (a card is five queries).
    let prepared = preparedNames.get(sql);
    if (prepared === undefined) {
      prepared = { name: `mirror_${preparedNames.size + 1}`, text: numberPlaceholders(sql) };
      if (preparedNames.size < MAX_PREPARED) preparedNames.set(sql, prepared);
      else return this.target.query(prepared.text, params as unknown[]);
    }
    return this.target.query({ ...prepared, values: params as unknown[] });
  }

  async all<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (const part of chunks(rows, perStatement)) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => tuple).join(', ')}`;
      await this.query(sql, part.flat());
    }
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const value = await fn(new PgConnection(client, null, true));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  session<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    if (this.pool === null) return fn(this);
    return this.withClient((client) => fn(new PgConnection(client, null, false)));
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.pool === null) throw new Error('A PostgreSQL transaction was started on a connection without its pool');
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}

export class PostgresDb extends PgConnection {
  private constructor(pool: pg.Pool) {
    super(pool, pool, false);
  }

  /** Opens a pool and checks the server answers; an unreachable server is a plain error naming host and port. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresDb> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 8, types });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => {});
      const where = describePostgresUrl(url);
      throw new Error(`Cannot reach the mirror's PostgreSQL at ${where}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new PostgresDb(pool);
  }
}

/** `host:port/database` of a PostgreSQL URL, never its password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || decodeURIComponent(u.searchParams.get('host') ?? 'localhost');
    return `${host}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(an unparseable PostgreSQL URL)';
  }
}

/** The URL without its password, for `status`. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(an unparseable PostgreSQL URL)';
  }
}
