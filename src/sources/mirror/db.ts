// The thin seam between the mirror's SQL and its two engines: `?` placeholders, rows as plain objects, transactions.
// SQL is written once against this; the few dialect differences live in the named helpers below, not in the queries.

export type SqlDialect = 'sqlite' | 'postgres';
/** A bound value; a list only as made by inList() for PostgreSQL (SQLite gets it as JSON text). */
export type SqlValue = string | number | null | readonly (string | number)[];
export type SqlRow = Record<string, unknown>;

export interface SqlDb {
  readonly dialect: SqlDialect;
  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Inserts many rows into one table: prepared per-row statements (SQLite) or multi-row VALUES (PostgreSQL). */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  /** Runs `fn` on one dedicated connection (what a PostgreSQL session advisory lock needs). */
  session<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `(?, ?, …)` for an IN list of `n` values. */
export function placeholders(n: number): string {
  return `(${new Array<string>(n).fill('?').join(', ')})`;
}

/**
 * `column IN <values>` with one bound parameter whatever the list's length, so one statement serves every length (and
 * SQLite's statement cache stays small): SQLite reads a JSON array (json_each), PostgreSQL an array (`= ANY`).
 */
export function inList(
  dialect: SqlDialect,
  column: string,
  values: readonly (string | number)[],
): { sql: string; params: SqlValue[] } {
  return dialect === 'sqlite'
    ? { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] }
    : { sql: `${column} = ANY(?)`, params: [values] };
}

/** Splits a list into chunks of at most `size` (IN lists and multi-row inserts stay under the engines' limits). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Column types that differ: text compared in code-unit order (PostgreSQL needs `COLLATE "C"`), an identity key. */
export function ddl(dialect: SqlDialect): { text: string; identity: string; bigint: string } {
  return dialect === 'postgres'
    ? { text: 'TEXT COLLATE "C"', identity: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' }
    : { text: 'TEXT', identity: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' };
}

/** Rewrites `?` placeholders as `$1, $2, …` (PostgreSQL), leaving quoted literals and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else out += ch;
  }
  return out;
}
