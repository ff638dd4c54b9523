// MirrorStore over SQL, written once for both engines through the SqlDb seam: records, search, walks, jobs, history.
// Each record is stored whole with its child rows in position order, so reading it back gives exactly what was put.

import { randomUUID } from 'node:crypto';
import type {
  Address,
  Contact,
  ContactType,
  IsoDate,
  Organisation,
  OrganisationSummary,
  Period,
  RecordClassId,
  Relationship,
  Role,
  Status,
  Succession,
  SuccessionType,
} from '../../domain/types.js';
import { postcodeKey, postcodeSearchPrefix } from '../../domain/postcode.js';
import { SourceInvalidArgumentError } from '../errors.js';
import type { OrganisationSearch, SearchPage, WalkOptions, WalkStep } from '../types.js';
import { chunks, inList, type SqlDb, type SqlValue } from './db.js';
import { migrate, schemaVersion } from './migrations.js';
import type {
  ChangeOrigin,
  CodeSystemLists,
  MirrorChange,
  MirrorCounts,
  MirrorEngine,
  MirrorStateKey,
  MirrorStatus,
  MirrorStore,
  QueueCounts,
} from './store.js';

/** Codes per statement (bounds one query's rows and memory; the list itself is one parameter). */
const IN_CHUNK = 5000;
/** A SQLite lock row lives this long unless renewed (renewed every third of it while its holder runs). */
const SQLITE_LOCK_TTL_MS = 60_000;

const ORG_COLUMNS = [
  'code',
  'name',
  'upper_name',
  'status',
  'record_class',
  'ref_only',
  'last_change_date',
  'op_period',
  'op_start',
  'op_end',
  'legal_period',
  'legal_start',
  'legal_end',
  'has_address',
  'address_lines',
  'town',
  'county',
  'postcode',
  'country',
  'uprn',
  'postcode_upper',
  'postcode_key',
  'primary_role',
] as const;
const PERIOD_COLUMNS = ['op_period', 'op_start', 'op_end', 'legal_period', 'legal_start', 'legal_end'] as const;
const ROLE_COLUMNS = ['code', 'position', 'role_type', 'is_primary', 'status', ...PERIOD_COLUMNS, 'unique_id'];
const REL_COLUMNS = [
  'code',
  'position',
  'rel_type',
  'status',
  ...PERIOD_COLUMNS,
  'target',
  'target_primary_role',
  'unique_id',
];
const SUCC_COLUMNS = ['code', 'position', 'type', 'effective_date', 'target', 'target_primary_role', 'unique_id'];
const CONTACT_COLUMNS = ['code', 'position', 'type', 'value'];
const CHILD_TABLES = ['roles', 'relationships', 'successions', 'contacts'] as const;

type Row = Record<string, unknown>;

function periodValues(op: Period | null, legal: Period | null): SqlValue[] {
  return [op ? 1 : 0, op?.start ?? null, op?.end ?? null, legal ? 1 : 0, legal?.start ?? null, legal?.end ?? null];
}

function str(v: unknown): string {
  return String(v);
}
function optStr(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
function optNum(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
function period(row: Row, prefix: 'op' | 'legal'): Period | null {
  if (Number(row[`${prefix}_period`]) !== 1) return null;
  return { start: optStr(row[`${prefix}_start`]), end: optStr(row[`${prefix}_end`]) };
}

/**
 * SQL for the "as at a date" rule of src/domain/period.ts on one table alias: the operational period if there is one,
 * else the legal one; open ends are open; neither period never matches.
 */
export function activeOnSql(alias: string, date: IsoDate): { sql: string; params: SqlValue[] } {
  const inside = (p: string) =>
    `((${alias}.${p}_start IS NULL OR ${alias}.${p}_start <= ?) AND (${alias}.${p}_end IS NULL OR ${alias}.${p}_end >= ?))`;
  return {
    sql: `(CASE WHEN ${alias}.op_period = 1 THEN ${inside('op')} WHEN ${alias}.legal_period = 1 THEN ${inside('legal')} ELSE 1 = 0 END)`,
    params: [date, date, date, date],
  };
}

/** LIKE pattern for ORD's name filter: an upper-case substring where `_` is any one character, everything else literal. */
function namePattern(name: string): string {
  return `%${name.toUpperCase().replace(/[\\%]/g, (c) => `\\${c}`)}%`;
}

/** The next string after every string starting with `prefix` (for an index range scan: >= prefix AND < this). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** The words of a full-text query: letters and digits only (each word then matches as a prefix). */
function textWords(text: string): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase());
}

function upperList(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim().toUpperCase()).filter((v) => v !== ''))];
}

export class SqlMirrorStore implements MirrorStore {
  readonly engine: MirrorEngine;

  constructor(
    private readonly db: SqlDb,
    private readonly location: string,
  ) {
    this.engine = db.dialect;
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---- writes ------------------------------------------------------------------------------------------------------

  async putOrganisations(
    records: readonly Organisation[],
    origin: ChangeOrigin,
    options: { queue?: string; alsoDone?: readonly string[] } = {},
  ): Promise<void> {
    const byCode = new Map<string, Organisation>();
    for (const r of records) byCode.set(r.odsCode, r); // a code twice in one batch: the last one wins
    const codes = [...byCode.keys()];
    const recordedAt = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const held = await this.removeRecords(tx, codes);
      const orgRows: SqlValue[][] = [];
      const roleRows: SqlValue[][] = [];
      const relRows: SqlValue[][] = [];
      const succRows: SqlValue[][] = [];
      const contactRows: SqlValue[][] = [];
      const history: SqlValue[][] = [];
      for (const [code, org] of byCode) {
        orgRows.push(organisationRow(code, org));
        org.roles.forEach((r, i) =>
          roleRows.push([
            code,
            i,
            r.roleTypeId,
            r.isPrimary ? 1 : 0,
            r.status,
            ...periodValues(r.operationalPeriod, r.legalPeriod),
            r.uniqueRoleId,
          ]),
        );
        org.relationships.forEach((r, i) =>
          relRows.push([
            code,
            i,
            r.relationshipTypeId,
            r.status,
            ...periodValues(r.operationalPeriod, r.legalPeriod),
            r.targetOdsCode,
            r.targetPrimaryRoleTypeId,
            r.uniqueRelId,
          ]),
        );
        org.successions.forEach((s, i) =>
          succRows.push([code, i, s.type, s.effectiveDate, s.targetOdsCode, s.targetPrimaryRoleTypeId, s.uniqueSuccId]),
        );
        org.contacts.forEach((c, i) => contactRows.push([code, i, c.type, c.value]));
        history.push([code, origin, held.has(code) ? 'updated' : 'created', org.lastChangeDate, recordedAt, null]);
      }
      await tx.insertRows('organisations', ORG_COLUMNS, orgRows);
      await tx.insertRows('roles', ROLE_COLUMNS, roleRows);
      await tx.insertRows('relationships', REL_COLUMNS, relRows);
      await tx.insertRows('successions', SUCC_COLUMNS, succRows);
      await tx.insertRows('contacts', CONTACT_COLUMNS, contactRows);
      if (tx.dialect === 'sqlite') await this.indexNames(tx, codes);
      await this.recordHistory(tx, history);
      if (options.queue !== undefined) await this.markDone(tx, options.queue, [...codes, ...(options.alsoDone ?? [])]);
    });
  }

  async deleteOrganisations(
    odsCodes: readonly string[],
    origin: ChangeOrigin,
    note: string,
    options: { queue?: string } = {},
  ): Promise<number> {
    const codes = upperList(odsCodes);
    const recordedAt = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      const held = await this.removeRecords(tx, codes);
      await this.recordHistory(
        tx,
        codes.filter((c) => held.has(c)).map((c) => [c, origin, 'deleted', null, recordedAt, note]),
      );
      if (options.queue !== undefined) await this.markDone(tx, options.queue, codes);
      return held.size;
    });
  }

  async putCodeSystems(lists: CodeSystemLists): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const [name, body] of Object.entries(lists))
        await tx.run(
          `INSERT INTO code_systems (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body`,
          [name, JSON.stringify(body)],
        );
    });
  }

  /** Deletes the records held among `codes` (and their child rows and name index); returns the codes that were held. */
  private async removeRecords(tx: SqlDb, codes: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (const part of chunks(codes, IN_CHUNK)) {
      const wanted = inList(tx.dialect, 'code', part);
      const rows = await tx.all<{ id: number; code: string }>(
        `SELECT id, code FROM organisations WHERE ${wanted.sql}`,
        wanted.params,
      );
      if (rows.length === 0) continue;
      for (const r of rows) held.add(r.code);
      const heldCodes = inList(
        tx.dialect,
        'code',
        rows.map((r) => r.code),
      );
      if (tx.dialect === 'sqlite') {
        const ids = inList(
          tx.dialect,
          'rowid',
          rows.map((r) => r.id),
        );
        await tx.run(`DELETE FROM organisations_fts WHERE ${ids.sql}`, ids.params);
      }
      for (const table of CHILD_TABLES) await tx.run(`DELETE FROM ${table} WHERE ${heldCodes.sql}`, heldCodes.params);
      await tx.run(`DELETE FROM organisations WHERE ${heldCodes.sql}`, heldCodes.params);
    }
    return held;
  }

  /** SQLite only: the FTS5 rows for these codes, keyed by organisations.id (PostgreSQL keeps a generated tsvector). */
  private async indexNames(tx: SqlDb, codes: readonly string[]): Promise<void> {
    for (const part of chunks(codes, IN_CHUNK)) {
      const wanted = inList(tx.dialect, 'code', part);
      await tx.run(
        `INSERT INTO organisations_fts (rowid, name) SELECT id, name FROM organisations WHERE ${wanted.sql}`,
        wanted.params,
      );
    }
  }

  private recordHistory(tx: SqlDb, rows: SqlValue[][]): Promise<void> {
    return tx.insertRows('change_history', ['code', 'origin', 'kind', 'last_change_date', 'recorded_at', 'note'], rows);
  }

  private async markDone(tx: SqlDb, queue: string, codes: readonly string[]): Promise<void> {
    for (const part of chunks(upperList(codes), IN_CHUNK)) {
      const wanted = inList(tx.dialect, 'code', part);
      await tx.run(`UPDATE job_queue SET done = 1 WHERE queue = ? AND ${wanted.sql}`, [queue, ...wanted.params]);
    }
  }

  // ---- job bookkeeping ------------------------------------------------------------------------------------------

  async getState(key: MirrorStateKey): Promise<string | null> {
    const row = await this.db.get<{ value: string }>(`SELECT value FROM mirror_state WHERE key = ?`, [key]);
    return row?.value ?? null;
  }

  async setState(key: MirrorStateKey, value: string | null): Promise<void> {
    if (value === null) await this.db.run(`DELETE FROM mirror_state WHERE key = ?`, [key]);
    else
      await this.db.run(
        `INSERT INTO mirror_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [key, value],
      );
  }

  async enqueue(queue: string, odsCodes: readonly string[]): Promise<void> {
    const codes = upperList(odsCodes);
    await this.db.transaction(async (tx) => {
      const row = await tx.get<{ p: number | null }>(`SELECT MAX(position) AS p FROM job_queue WHERE queue = ?`, [
        queue,
      ]);
      let next = Number(row?.p ?? -1) + 1;
      for (const part of chunks(codes, IN_CHUNK)) {
        const tuples = part.map(() => '(?, ?, ?, 0)').join(', ');
        const params: SqlValue[] = [];
        for (const code of part) params.push(queue, code, next++);
        await tx.run(
          `INSERT INTO job_queue (queue, code, position, done) VALUES ${tuples} ON CONFLICT (queue, code) DO NOTHING`,
          params,
        );
      }
    });
  }

  async pending(queue: string, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ code: string }>(
      `SELECT code FROM job_queue WHERE queue = ? AND done = 0 ORDER BY position LIMIT ?`,
      [queue, limit],
    );
    return rows.map((r) => r.code);
  }

  async queueCounts(queue: string): Promise<QueueCounts> {
    const row = await this.db.get<{ total: number; done: number | null }>(
      `SELECT COUNT(*) AS total, SUM(done) AS done FROM job_queue WHERE queue = ?`,
      [queue],
    );
    return { total: Number(row?.total ?? 0), done: Number(row?.done ?? 0) };
  }

  async clearQueue(queue: string): Promise<void> {
    await this.db.run(`DELETE FROM job_queue WHERE queue = ?`, [queue]);
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.db.dialect === 'postgres' ? this.withAdvisoryLock(name, fn) : this.withLockRow(name, fn);
  }

  /** PostgreSQL: a session advisory lock on one dedicated connection, held while `fn` runs. */
  private withAdvisoryLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.db.session(async (session) => {
      const got = await session.get<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext(?)) AS ok`, [name]);
      if (got?.ok !== true) return { ran: false as const };
      try {
        return { ran: true as const, value: await fn() };
      } finally {
        await session.run(`SELECT pg_advisory_unlock(hashtext(?))`, [name]);
      }
    });
  }

  /** SQLite: a lock row with an expiry (a crashed holder's row expires), renewed while `fn` runs. */
  private async withLockRow<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const holder = randomUUID();
    const got = await this.db.transaction(async (tx) => {
      const now = Date.now();
      await tx.run(`DELETE FROM locks WHERE name = ? AND expires_at < ?`, [name, now]);
      const { changes } = await tx.run(
        `INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
        [name, holder, now + SQLITE_LOCK_TTL_MS],
      );
      return changes === 1;
    });
    if (!got) return { ran: false };
    const renew = setInterval(() => {
      void this.db
        .run(`UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?`, [
          Date.now() + SQLITE_LOCK_TTL_MS,
          name,
          holder,
        ])
        .catch(() => {});
    }, SQLITE_LOCK_TTL_MS / 3);
    renew.unref();
    try {
      return { ran: true, value: await fn() };
    } finally {
      clearInterval(renew);
      await this.db.run(`DELETE FROM locks WHERE name = ? AND holder = ?`, [name, holder]);
    }
  }

  // ---- reads --------------------------------------------------------------------------------------------------------

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    const code = odsCode.trim().toUpperCase();
    return (await this.getOrganisations([code])).get(code) ?? null;
  }

  async getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>> {
    const out = new Map<string, Organisation>();
    for (const part of chunks(upperList(odsCodes), IN_CHUNK)) {
      const wanted = inList(this.db.dialect, 'code', part);
      const orgs = await this.db.all(`SELECT * FROM organisations WHERE ${wanted.sql}`, wanted.params);
      if (orgs.length === 0) continue;
      const held = inList(
        this.db.dialect,
        'code',
        orgs.map((o) => str(o.code)),
      );
      const children = async (table: string) =>
        groupByCode(await this.db.all(`SELECT * FROM ${table} WHERE ${held.sql} ORDER BY code, position`, held.params));
      // Side by side: PostgreSQL runs them on separate pooled connections; SQLite one after another anyway.
      const [roles, rels, succs, contacts] = await Promise.all([
        children('roles'),
        children('relationships'),
        children('successions'),
        children('contacts'),
      ]);
      for (const o of orgs) {
        const code = str(o.code);
        out.set(
          code,
          organisationFrom(
            o,
            roles.get(code) ?? [],
            rels.get(code) ?? [],
            succs.get(code) ?? [],
            contacts.get(code) ?? [],
          ),
        );
      }
    }
    return out;
  }

  async search(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    const where: string[] = ['o.primary_role IS NOT NULL'];
    const params: SqlValue[] = [];
    const add = (sql: string, ...values: SqlValue[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.name !== undefined) add(`o.upper_name LIKE ? ESCAPE '\\'`, namePattern(filter.name));
    if (filter.postcode !== undefined) {
      const prefix = postcodeSearchPrefix(filter.postcode);
      add(`o.postcode_upper >= ? AND o.postcode_upper < ?`, prefix, prefixUpperBound(prefix));
    }
    if (filter.postcodeStartsWith !== undefined) {
      const key = postcodeKey(filter.postcodeStartsWith);
      if (key === '')
        throw new SourceInvalidArgumentError(
          'postcodeStartsWith',
          filter.postcodeStartsWith,
          'give at least one character',
        );
      add(`o.postcode_key >= ? AND o.postcode_key < ?`, key, prefixUpperBound(key));
    }
    if (filter.status !== undefined) add(`o.status = ?`, filter.status);
    if (filter.primaryRoleTypeId !== undefined)
      add(`o.primary_role = ?`, filter.primaryRoleTypeId.trim().toUpperCase());
    if (filter.nonPrimaryRoleTypeId !== undefined)
      add(
        `EXISTS (SELECT 1 FROM roles r WHERE r.code = o.code AND r.is_primary = 0 AND r.role_type = ?)`,
        filter.nonPrimaryRoleTypeId.trim().toUpperCase(),
      );
    if (filter.anyRoleTypeIds !== undefined && filter.anyRoleTypeIds.length > 0) {
      const wanted = inList(this.db.dialect, 'r.role_type', upperList(filter.anyRoleTypeIds));
      add(`EXISTS (SELECT 1 FROM roles r WHERE r.code = o.code AND ${wanted.sql})`, ...wanted.params);
    }
    if (filter.recordClassId !== undefined) add(`o.record_class = ?`, filter.recordClassId.toUpperCase());
    if (filter.changedSince !== undefined) add(`o.last_change_date >= ?`, filter.changedSince);
    if (filter.activeOn !== undefined) {
      const active = activeOnSql('o', filter.activeOn);
      add(active.sql, ...active.params);
    }
    if (filter.relatedTo !== undefined) {
      const conditions = ['x.code = o.code', 'x.target = ?'];
      const values: SqlValue[] = [filter.relatedTo.odsCode.trim().toUpperCase()];
      const types = upperList(filter.relatedTo.relationshipTypeIds ?? []);
      if (types.length > 0) {
        const wanted = inList(this.db.dialect, 'x.rel_type', types);
        conditions.push(wanted.sql);
        values.push(...wanted.params);
      }
      if (filter.relatedTo.status !== undefined) {
        conditions.push('x.status = ?');
        values.push(filter.relatedTo.status);
      }
      if (filter.activeOn !== undefined) {
        const active = activeOnSql('x', filter.activeOn);
        conditions.push(active.sql);
        values.push(...active.params);
      }
      add(`EXISTS (SELECT 1 FROM relationships x WHERE ${conditions.join(' AND ')})`, ...values);
    }

    let from = 'organisations o';
    let order = 'o.name, o.code';
    const fromParams: SqlValue[] = [];
    if (filter.text !== undefined) {
      const words = textWords(filter.text);
      if (words.length === 0)
        throw new SourceInvalidArgumentError('text', filter.text, 'give at least one word of letters or digits');
      const ranked = rankedText(this.db.dialect, words);
      from = `organisations o JOIN (${ranked.sql}) t ON t.id = o.id`;
      fromParams.push(...ranked.params);
      order = `t.score DESC, o.name, o.code`;
    }
    const whereSql = where.join(' AND ');
    const countRow = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from} WHERE ${whereSql}`, [
      ...fromParams,
      ...params,
    ]);
    const totalCount = Number(countRow?.n ?? 0);
    if (limit === 0 || offset >= totalCount) return { totalCount, items: [] };
    const rows = await this.db.all(
      `SELECT o.code, o.name, o.status, o.record_class, o.postcode, o.last_change_date, o.primary_role
       FROM ${from} WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...fromParams, ...params, limit, offset],
    );
    return { totalCount, items: rows.map(summaryFrom) };
  }

  async descendantsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.walk(odsCode, options, 'down');
  }

  async ancestorsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.walk(odsCode, options, 'up');
  }

  /**
   * One recursive CTE: every (organisation, depth) reachable within `depth` levels, then each organisation's smallest
   * depth, then the edges from it to the level before (to pick `via`: the first by name, then code).
   * Down: `near` is the relationship's target (the level nearer the start) and `far` its owner; up: the reverse.
   */
  private async walk(odsCode: string, options: WalkOptions, direction: 'down' | 'up'): Promise<WalkStep[]> {
    const start = odsCode.trim().toUpperCase();
    const types = upperList(options.relationshipTypeIds);
    if (types.length === 0 || options.depth < 1) return [];
    const near = direction === 'down' ? 'target' : 'code';
    const far = direction === 'down' ? 'code' : 'target';
    const relCondition = (alias: string): { sql: string; params: SqlValue[] } => {
      const typeSql = inList(this.db.dialect, `${alias}.rel_type`, types);
      if (options.activeOn !== undefined) {
        const active = activeOnSql(alias, options.activeOn);
        return { sql: `${typeSql.sql} AND ${active.sql}`, params: [...typeSql.params, ...active.params] };
      }
      return { sql: `${typeSql.sql} AND ${alias}.status = ?`, params: [...typeSql.params, options.status ?? 'ACTIVE'] };
    };
    const c1 = relCondition('r');
    const rows = await this.db.all<{
      code: string;
      depth: number;
      via: string;
      rel_type: string;
      via_name: string | null;
      name: string | null;
      primary_role: string | null;
    }>(
      `WITH RECURSIVE walk (code, depth) AS (
         SELECT r.${far}, 1 FROM relationships r WHERE r.${near} = ? AND ${c1.sql}
         UNION
         SELECT r.${far}, w.depth + 1 FROM walk w JOIN relationships r ON r.${near} = w.code
         WHERE w.depth < ? AND ${c1.sql}
       ),
       best AS (SELECT code, MIN(depth) AS depth FROM walk WHERE code <> ? GROUP BY code),
       levels AS (SELECT code, depth FROM best UNION ALL SELECT ?, 0)
       SELECT b.code AS code, b.depth AS depth, r.${near} AS via, r.rel_type AS rel_type, vo.name AS via_name,
              fo.name AS name, fo.primary_role AS primary_role
       FROM best b
       JOIN relationships r ON r.${far} = b.code AND ${c1.sql}
       JOIN levels l ON l.code = r.${near} AND l.depth = b.depth - 1
       LEFT JOIN organisations vo ON vo.code = r.${near}
       LEFT JOIN organisations fo ON fo.code = b.code`,
      [start, ...c1.params, options.depth, ...c1.params, start, start, ...c1.params],
    );
    // Down, a step's own record holds the relationship; up, the step may be a code the mirror does not hold.
    const steps = new Map<string, { step: WalkStep; name: string; viaName: string; relPick: string }>();
    for (const r of rows) {
      const viaName = r.via_name ?? '';
      const current = steps.get(r.code);
      const better =
        current === undefined ||
        compare(viaName, current.viaName) < 0 ||
        (viaName === current.viaName && compare(r.via, current.step.viaOdsCode) < 0) ||
        (r.via === current.step.viaOdsCode && compare(r.rel_type, current.relPick) < 0);
      if (!better) continue;
      steps.set(r.code, {
        name: r.name ?? '',
        viaName,
        relPick: r.rel_type,
        step: {
          odsCode: r.code,
          depth: Number(r.depth),
          viaOdsCode: r.via,
          relationshipTypeId: r.rel_type,
          primaryRoleTypeId: r.primary_role,
        },
      });
    }
    return [...steps.values()]
      .sort((a, b) => a.step.depth - b.step.depth || compare(a.name, b.name) || compare(a.step.odsCode, b.step.odsCode))
      .map((s) => s.step);
  }

  async changedSince(date: IsoDate): Promise<string[]> {
    const rows = await this.db.all<{ code: string }>(
      `SELECT code FROM organisations WHERE last_change_date >= ? ORDER BY code`,
      [date],
    );
    return rows.map((r) => r.code);
  }

  async codeSystems(): Promise<CodeSystemLists | null> {
    const rows = await this.db.all<{ name: string; body: string }>(`SELECT name, body FROM code_systems`);
    const byName = new Map(rows.map((r) => [r.name, JSON.parse(r.body) as unknown]));
    const roleTypes = byName.get('roleTypes');
    const relationshipTypes = byName.get('relationshipTypes');
    const recordClasses = byName.get('recordClasses');
    if (roleTypes === undefined || relationshipTypes === undefined || recordClasses === undefined) return null;
    return { roleTypes, relationshipTypes, recordClasses } as CodeSystemLists;
  }

  async recentChanges(limit: number): Promise<MirrorChange[]> {
    const rows = await this.db.all(
      `SELECT code, origin, kind, last_change_date, recorded_at, note FROM change_history ORDER BY id DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      odsCode: str(r.code),
      origin: str(r.origin) as ChangeOrigin,
      kind: str(r.kind) as MirrorChange['kind'],
      lastChangeDate: optStr(r.last_change_date),
      recordedAt: str(r.recorded_at),
      note: optStr(r.note),
    }));
  }

  async status(): Promise<MirrorStatus> {
    const count = async (table: string) =>
      Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    const counts: MirrorCounts = {
      organisations: await count('organisations'),
      roles: await count('roles'),
      relationships: await count('relationships'),
      successions: await count('successions'),
      contacts: await count('contacts'),
      changes: await count('change_history'),
    };
    const stateRows = await this.db.all<{ key: string; value: string }>(`SELECT key, value FROM mirror_state`);
    const state: Partial<Record<MirrorStateKey, string>> = {};
    for (const r of stateRows) state[r.key as MirrorStateKey] = r.value;
    return {
      engine: this.engine,
      location: this.location,
      schemaVersion: await schemaVersion(this.db),
      counts,
      state,
    };
  }
}

/** Code-unit order (what SQLite's BINARY and PostgreSQL's "C" collation give). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ranked name matches as (id, score), higher score first: FTS5 bm25 (negated) or tsvector ts_rank. */
function rankedText(dialect: SqlDb['dialect'], words: string[]): { sql: string; params: SqlValue[] } {
  if (dialect === 'sqlite') {
    const query = words.map((w) => `"${w}"*`).join(' ');
    return {
      sql: `SELECT rowid AS id, -bm25(organisations_fts) AS score FROM organisations_fts WHERE organisations_fts MATCH ?`,
      params: [query],
    };
  }
  const query = words.map((w) => `${w}:*`).join(' & ');
  // Normalisation 1 divides by the log of the name's length, so an exact short name outranks a longer one.
  return {
    sql: `SELECT id, ts_rank(name_tsv, to_tsquery('simple', ?), 1) AS score FROM organisations
          WHERE name_tsv @@ to_tsquery('simple', ?)`,
    params: [query, query],
  };
}

function organisationRow(code: string, org: Organisation): SqlValue[] {
  const a = org.address;
  const primary = org.roles.find((r) => r.isPrimary);
  return [
    code,
    org.name,
    org.name.toUpperCase(),
    org.status,
    org.recordClassId,
    org.isReferenceOnly ? 1 : 0,
    org.lastChangeDate,
    ...periodValues(org.operationalPeriod, org.legalPeriod),
    a ? 1 : 0,
    a ? JSON.stringify(a.lines) : null,
    a?.town ?? null,
    a?.county ?? null,
    a?.postcode ?? null,
    a?.country ?? null,
    a?.uprn ?? null,
    a?.postcode ? a.postcode.toUpperCase() : null,
    a?.postcode ? postcodeKey(a.postcode) : null,
    primary ? primary.roleTypeId : null,
  ];
}

function groupByCode(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const code = str(r.code);
    const list = out.get(code);
    if (list) list.push(r);
    else out.set(code, [r]);
  }
  return out;
}

function organisationFrom(o: Row, roles: Row[], rels: Row[], succs: Row[], contacts: Row[]): Organisation {
  const address: Address | null =
    Number(o.has_address) === 1
      ? {
          lines: JSON.parse(str(o.address_lines)) as string[],
          town: optStr(o.town),
          county: optStr(o.county),
          postcode: optStr(o.postcode),
          country: optStr(o.country),
          uprn: optStr(o.uprn),
        }
      : null;
  return {
    kind: 'full',
    odsCode: str(o.code),
    name: str(o.name),
    status: str(o.status) as Status,
    recordClassId: str(o.record_class) as RecordClassId,
    isReferenceOnly: Number(o.ref_only) === 1,
    lastChangeDate: optStr(o.last_change_date),
    operationalPeriod: period(o, 'op'),
    legalPeriod: period(o, 'legal'),
    address,
    contacts: contacts.map((c): Contact => ({ type: str(c.type) as ContactType, value: str(c.value) })),
    roles: roles.map((r): Role => ({
      roleTypeId: str(r.role_type),
      isPrimary: Number(r.is_primary) === 1,
      status: str(r.status) as Status,
      operationalPeriod: period(r, 'op'),
      legalPeriod: period(r, 'legal'),
      uniqueRoleId: optNum(r.unique_id),
    })),
    relationships: rels.map((r): Relationship => ({
      relationshipTypeId: str(r.rel_type),
      status: str(r.status) as Status,
      operationalPeriod: period(r, 'op'),
      legalPeriod: period(r, 'legal'),
      targetOdsCode: str(r.target),
      targetPrimaryRoleTypeId: optStr(r.target_primary_role),
      uniqueRelId: optNum(r.unique_id),
    })),
    successions: succs.map((s): Succession => ({
      type: str(s.type) as SuccessionType,
      effectiveDate: optStr(s.effective_date),
      targetOdsCode: str(s.target),
      targetPrimaryRoleTypeId: optStr(s.target_primary_role),
      uniqueSuccId: optNum(s.unique_id),
    })),
  };
}

function summaryFrom(o: Row): OrganisationSummary {
  return {
    kind: 'summary',
    odsCode: str(o.code),
    name: str(o.name),
    status: str(o.status) as Status,
    recordClassId: str(o.record_class) as RecordClassId,
    postcode: optStr(o.postcode),
    lastChangeDate: optStr(o.last_change_date),
    primaryRoleTypeId: optStr(o.primary_role),
  };
}
