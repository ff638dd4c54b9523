// The thin seam between the mirror's one set of SQL and its two engines (db.sqlite.ts, db.postgres.ts).
// SQL is written once with `?` placeholders; what the engines do differently (bulk writes, locks) is a named method here.

export type SqlValue = string | number | null;

/** One connection's worth of SQL: what the store needs, no more. */
export interface SqlExecutor {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Inserts many rows into `table` (columns in order) as fast as the engine can. */
  insertMany(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void>;
  /** Deletes the rows of `table` whose `column` is one of `values`. */
  deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<number>;
}

export interface SqlDb extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where it is, for `status` (a file path, or the URL without its password). */
  readonly location: string;
  /** Runs a multi-statement script (migrations). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction; transactions never interleave (one at a time per store). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `fn` holding a named lock no other process holds; `{ ran: false }` when another does. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  close(): Promise<void>;
}

/** `?, ?, ?` for `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Splits `values` into chunks of at most `size` (IN lists and bulk statements stay under engine limits). */
export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** A serial queue: each task starts when the previous one ended (so transactions on one connection never interleave). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
