// MirrorStore over either engine: writes whole records, reads them back exactly, searches with ORD's semantics and walks.
// All SQL lives here, written once; db.sqlite.ts and db.postgres.ts only run it (see db.ts for the seam).

import type {
  Address,
  Contact,
  IsoDate,
  Organisation,
  OrganisationSummary,
  Period,
  Relationship,
  Role,
  Succession,
} from '../../domain/types.js';
import { ordPostcodePrefix, postcodeKey } from '../../domain/postcode.js';
import type { OrganisationSearch, SearchPage, WalkOptions, WalkStep } from '../types.js';
import { chunks, placeholders, type SqlDb, type SqlExecutor, type SqlValue } from './db.js';
import { appliedVersion, migrate } from './migrations.js';
import type {
  ChangeOrigin,
  CodeSystemLists,
  MirrorChange,
  MirrorStateKey,
  MirrorStatus,
  MirrorStore,
  QueueCounts,
} from './store.js';

const ORG_COLUMNS = [
  'ods_code',
  'name',
  'name_upper',
  'status',
  'record_class',
  'ref_only',
  'last_change_date',
  'op_present',
  'op_start',
  'op_end',
  'legal_present',
  'legal_start',
  'legal_end',
  'address_present',
  'address_lines',
  'town',
  'county',
  'postcode',
  'country',
  'uprn',
  'postcode_upper',
  'postcode_key',
  'primary_role_id',
] as const;
const PERIOD_COLUMNS = ['op_present', 'op_start', 'op_end', 'legal_present', 'legal_start', 'legal_end'] as const;
const ROLE_COLUMNS = ['ods_code', 'pos', 'role_id', 'is_primary', 'status', ...PERIOD_COLUMNS, 'unique_role_id'];
const REL_COLUMNS = [
  'ods_code',
  'pos',
  'rel_type_id',
  'status',
  ...PERIOD_COLUMNS,
  'target_ods_code',
  'target_primary_role_id',
  'unique_rel_id',
];
const SUCC_COLUMNS = [
  'ods_code',
  'pos',
  'type',
  'effective_date',
  'target_ods_code',
  'target_primary_role_id',
  'unique_succ_id',
];
const CONTACT_COLUMNS = ['ods_code', 'pos', 'type', 'value'];
const CHILD_TABLES = ['contacts', 'roles', 'relationships', 'successions'] as const;

/** Codes per IN list or bulk statement (under SQLite's and PostgreSQL's parameter limits). */
const CHUNK = 500;

interface PeriodRow {
  op_present: number;
  op_start: string | null;
  op_end: string | null;
  legal_present: number;
  legal_start: string | null;
  legal_end: string | null;
}

interface OrgRow extends PeriodRow {
  ods_code: string;
  name: string;
  status: string;
  record_class: string;
  ref_only: number;
  last_change_date: string | null;
  address_present: number;
  address_lines: string | null;
  town: string | null;
  county: string | null;
  postcode: string | null;
  country: string | null;
  uprn: string | null;
  primary_role_id: string | null;
}

interface RoleRow extends PeriodRow {
  ods_code: string;
  role_id: string;
  is_primary: number;
  status: string;
  unique_role_id: number | null;
}

interface RelRow extends PeriodRow {
  ods_code: string;
  rel_type_id: string;
  status: string;
  target_ods_code: string;
  target_primary_role_id: string | null;
  unique_rel_id: number | null;
}

interface SuccRow {
  ods_code: string;
  type: string;
  effective_date: string | null;
  target_ods_code: string;
  target_primary_role_id: string | null;
  unique_succ_id: number | null;
}

interface SummaryRow {
  ods_code: string;
  name: string;
  status: string;
  record_class: string;
  postcode: string | null;
  last_change_date: string | null;
  primary_role_id: string | null;
}

const SUMMARY_COLUMNS =
  'o.ods_code, o.name, o.status, o.record_class, o.postcode, o.last_change_date, o.primary_role_id';

// ---------------------------------------------------------------------------------------------------------------
// Rows ↔ domain

function periodValues(operational: Period | null, legal: Period | null): SqlValue[] {
  return [
    operational ? 1 : 0,
    operational?.start ?? null,
    operational?.end ?? null,
    legal ? 1 : 0,
    legal?.start ?? null,
    legal?.end ?? null,
  ];
}

function operationalOf(row: PeriodRow): Period | null {
  return Number(row.op_present) ? { start: row.op_start, end: row.op_end } : null;
}

function legalOf(row: PeriodRow): Period | null {
  return Number(row.legal_present) ? { start: row.legal_start, end: row.legal_end } : null;
}

function orgValues(org: Organisation): SqlValue[] {
  const address = org.address;
  const primary = org.roles.find((r) => r.isPrimary);
  return [
    org.odsCode,
    org.name,
    org.name.toUpperCase(),
    org.status,
    org.recordClassId,
    org.isReferenceOnly ? 1 : 0,
    org.lastChangeDate,
    ...periodValues(org.operationalPeriod, org.legalPeriod),
    address ? 1 : 0,
    address ? JSON.stringify(address.lines) : null,
    address?.town ?? null,
    address?.county ?? null,
    address?.postcode ?? null,
    address?.country ?? null,
    address?.uprn ?? null,
    address?.postcode ? address.postcode.toUpperCase() : null,
    address?.postcode ? postcodeKey(address.postcode) : null,
    primary?.roleTypeId ?? null,
  ];
}

function toAddress(row: OrgRow): Address | null {
  if (!Number(row.address_present)) return null;
  return {
    lines: row.address_lines ? (JSON.parse(row.address_lines) as string[]) : [],
    town: row.town,
    county: row.county,
    postcode: row.postcode,
    country: row.country,
    uprn: row.uprn,
  };
}

function toRole(row: RoleRow): Role {
  return {
    roleTypeId: row.role_id,
    isPrimary: Number(row.is_primary) === 1,
    status: row.status as Role['status'],
    operationalPeriod: operationalOf(row),
    legalPeriod: legalOf(row),
    uniqueRoleId: row.unique_role_id === null ? null : Number(row.unique_role_id),
  };
}

function toRelationship(row: RelRow): Relationship {
  return {
    relationshipTypeId: row.rel_type_id,
    status: row.status as Relationship['status'],
    operationalPeriod: operationalOf(row),
    legalPeriod: legalOf(row),
    targetOdsCode: row.target_ods_code,
    targetPrimaryRoleTypeId: row.target_primary_role_id,
    uniqueRelId: row.unique_rel_id === null ? null : Number(row.unique_rel_id),
  };
}

function toSuccession(row: SuccRow): Succession {
  return {
    type: row.type as Succession['type'],
    effectiveDate: row.effective_date,
    targetOdsCode: row.target_ods_code,
    targetPrimaryRoleTypeId: row.target_primary_role_id,
    uniqueSuccId: row.unique_succ_id === null ? null : Number(row.unique_succ_id),
  };
}

function toSummary(row: SummaryRow): OrganisationSummary {
  return {
    kind: 'summary',
    odsCode: row.ods_code,
    name: row.name,
    status: row.status as OrganisationSummary['status'],
    recordClassId: row.record_class as OrganisationSummary['recordClassId'],
    postcode: row.postcode,
    lastChangeDate: row.last_change_date,
    primaryRoleTypeId: row.primary_role_id,
  };
}

function groupBy<R extends { ods_code: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) {
    const list = out.get(row.ods_code);
    if (list) list.push(row);
    else out.set(row.ods_code, [row]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// SQL fragments

/** `alias`'s governing period (operational, else legal) contains the date: src/domain/period.ts's rule, in SQL. */
function activeOnSql(alias: string): string {
  const inside = (p: 'op' | 'legal') =>
    `(${alias}.${p}_start IS NULL OR ${alias}.${p}_start <= ?) AND (${alias}.${p}_end IS NULL OR ${alias}.${p}_end >= ?)`;
  return `((${alias}.op_present = 1 AND ${inside('op')}) OR (${alias}.op_present = 0 AND ${alias}.legal_present = 1 AND ${inside('legal')}))`;
}

function activeOnParams(date: IsoDate): SqlValue[] {
  return [date, date, date, date];
}

/** A LIKE pattern matching `text` literally (with `\` as the escape), except `_` when `keepUnderscore`. */
function likeLiteral(text: string, keepUnderscore: boolean): string {
  const escaped = text.replace(/[\\%]/g, (c) => `\\${c}`);
  return keepUnderscore ? escaped : escaped.replace(/_/g, '\\_');
}

/** The words of a `text` search as a full-text query: each word a prefix, all required. */
function textWords(text: string): string[] {
  return text
    .toUpperCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export class SqlMirrorStore implements MirrorStore {
  readonly engine: MirrorStore['engine'];

  constructor(private readonly db: SqlDb) {
    this.engine = db.dialect;
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  async putOrganisations(
    records: readonly Organisation[],
    origin: ChangeOrigin,
    options: { queue?: string; alsoDone?: readonly string[] } = {},
  ): Promise<void> {
    if (records.length === 0 && !options.alsoDone?.length) return;
    const recordedAt = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const codes = records.map((r) => r.odsCode);
      const held = await this.heldCodes(tx, codes);
      for (const table of CHILD_TABLES) await tx.deleteWhereIn(table, 'ods_code', codes);
      await tx.deleteWhereIn('organisations', 'ods_code', codes);
      if (this.db.dialect === 'sqlite') await tx.deleteWhereIn('organisation_names', 'ods_code', codes);
      const contacts: SqlValue[][] = [];
      const roles: SqlValue[][] = [];
      const rels: SqlValue[][] = [];
      const succs: SqlValue[][] = [];
      for (const org of records) {
        const code = org.odsCode;
        org.contacts.forEach((c: Contact, i) => contacts.push([code, i, c.type, c.value]));
        org.roles.forEach((r, i) =>
          roles.push([
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
          rels.push([
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
          succs.push([code, i, s.type, s.effectiveDate, s.targetOdsCode, s.targetPrimaryRoleTypeId, s.uniqueSuccId]),
        );
      }
      await tx.insertMany('organisations', ORG_COLUMNS, records.map(orgValues));
      await tx.insertMany('contacts', CONTACT_COLUMNS, contacts);
      await tx.insertMany('roles', ROLE_COLUMNS, roles);
      await tx.insertMany('relationships', REL_COLUMNS, rels);
      await tx.insertMany('successions', SUCC_COLUMNS, succs);
      if (this.db.dialect === 'sqlite')
        await tx.insertMany(
          'organisation_names',
          ['ods_code', 'name'],
          records.map((r) => [r.odsCode, r.name]),
        );
      await tx.insertMany(
        'change_history',
        ['ods_code', 'origin', 'kind', 'last_change_date', 'recorded_at', 'note'],
        records.map((r) => [
          r.odsCode,
          origin,
          held.has(r.odsCode) ? 'updated' : 'created',
          r.lastChangeDate,
          recordedAt,
          null,
        ]),
      );
      if (options.queue) await this.markDone(tx, options.queue, [...codes, ...(options.alsoDone ?? [])]);
    });
  }

  async deleteOrganisations(
    odsCodes: readonly string[],
    origin: ChangeOrigin,
    note: string,
    options: { queue?: string } = {},
  ): Promise<number> {
    const recordedAt = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      const held = [...(await this.heldCodes(tx, odsCodes))];
      for (const table of CHILD_TABLES) await tx.deleteWhereIn(table, 'ods_code', held);
      await tx.deleteWhereIn('organisations', 'ods_code', held);
      if (this.db.dialect === 'sqlite') await tx.deleteWhereIn('organisation_names', 'ods_code', held);
      await tx.insertMany(
        'change_history',
        ['ods_code', 'origin', 'kind', 'last_change_date', 'recorded_at', 'note'],
        held.map((code) => [code, origin, 'deleted', null, recordedAt, note]),
      );
      if (options.queue) await this.markDone(tx, options.queue, odsCodes);
      return held.length;
    });
  }

  async putCodeSystems(lists: CodeSystemLists): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM code_systems');
      const rows: SqlValue[][] = [];
      lists.roleTypes.forEach((r, i) => rows.push(['roleTypes', i, r.id, r.code, r.displayName, r.isPrimary ? 1 : 0]));
      lists.relationshipTypes.forEach((r, i) => rows.push(['relationshipTypes', i, r.id, r.code, r.displayName, 0]));
      lists.recordClasses.forEach((r, i) => rows.push(['recordClasses', i, r.id, r.code, r.displayName, 0]));
      await tx.insertMany('code_systems', ['system', 'pos', 'id', 'code', 'display_name', 'is_primary'], rows);
    });
  }

  private async heldCodes(tx: SqlExecutor, codes: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (const part of chunks(codes, CHUNK)) {
      const rows = await tx.all<{ ods_code: string }>(
        `SELECT ods_code FROM organisations WHERE ods_code IN (${placeholders(part.length)})`,
        part,
      );
      for (const row of rows) held.add(row.ods_code);
    }
    return held;
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------------------

  async getState(key: MirrorStateKey): Promise<string | null> {
    const row = await this.db.get<{ value: string }>('SELECT value FROM mirror_state WHERE key = ?', [key]);
    return row?.value ?? null;
  }

  async setState(key: MirrorStateKey, value: string | null): Promise<void> {
    if (value === null) await this.db.run('DELETE FROM mirror_state WHERE key = ?', [key]);
    else
      await this.db.run(
        'INSERT INTO mirror_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
  }

  async enqueue(queue: string, odsCodes: readonly string[]): Promise<void> {
    if (odsCodes.length === 0) return;
    await this.db.transaction(async (tx) => {
      const row = await tx.get<{ p: number | null }>('SELECT MAX(pos) AS p FROM job_queue WHERE queue = ?', [queue]);
      let pos = Number(row?.p ?? 0);
      for (const part of chunks(odsCodes, CHUNK)) {
        const values = part.map(() => '(?, ?, ?, 0)').join(', ');
        const params: SqlValue[] = [];
        for (const code of part) params.push(queue, code, ++pos);
        await tx.run(
          `INSERT INTO job_queue (queue, ods_code, pos, done) VALUES ${values} ON CONFLICT (queue, ods_code) DO NOTHING`,
          params,
        );
      }
    });
  }

  async pending(queue: string, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ ods_code: string }>(
      'SELECT ods_code FROM job_queue WHERE queue = ? AND done = 0 ORDER BY pos LIMIT ?',
      [queue, limit],
    );
    return rows.map((r) => r.ods_code);
  }

  async queueCounts(queue: string): Promise<QueueCounts> {
    const row = await this.db.get<{ total: number; done: number | null }>(
      'SELECT COUNT(*) AS total, SUM(done) AS done FROM job_queue WHERE queue = ?',
      [queue],
    );
    return { total: Number(row?.total ?? 0), done: Number(row?.done ?? 0) };
  }

  async clearQueue(queue: string): Promise<void> {
    await this.db.run('DELETE FROM job_queue WHERE queue = ?', [queue]);
  }

  private async markDone(tx: SqlExecutor, queue: string, codes: readonly string[]): Promise<void> {
    for (const part of chunks(codes, CHUNK))
      await tx.run(`UPDATE job_queue SET done = 1 WHERE queue = ? AND ods_code IN (${placeholders(part.length)})`, [
        queue,
        ...part,
      ]);
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.db.withLock(name, fn);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  async getOrganisation(odsCode: string): Promise<Organisation | null> {
    return (await this.getOrganisations([odsCode])).get(odsCode) ?? null;
  }

  async getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>> {
    const out = new Map<string, Organisation>();
    for (const part of chunks([...new Set(odsCodes)], CHUNK)) {
      const list = placeholders(part.length);
      const orgs = await this.db.all<OrgRow>(`SELECT * FROM organisations WHERE ods_code IN (${list})`, part);
      if (orgs.length === 0) continue;
      const held = orgs.map((o) => o.ods_code);
      const heldList = placeholders(held.length);
      const child = <R extends { ods_code: string }>(table: string) =>
        this.db.all<R>(`SELECT * FROM ${table} WHERE ods_code IN (${heldList}) ORDER BY ods_code, pos`, held);
      const [contacts, roles, rels, succs] = await Promise.all([
        child<{ ods_code: string; type: string; value: string }>('contacts'),
        child<RoleRow>('roles'),
        child<RelRow>('relationships'),
        child<SuccRow>('successions'),
      ]);
      const contactsBy = groupBy(contacts);
      const rolesBy = groupBy(roles);
      const relsBy = groupBy(rels);
      const succsBy = groupBy(succs);
      for (const row of orgs) {
        const code = row.ods_code;
        out.set(code, {
          kind: 'full',
          odsCode: code,
          name: row.name,
          status: row.status as Organisation['status'],
          recordClassId: row.record_class as Organisation['recordClassId'],
          isReferenceOnly: Number(row.ref_only) === 1,
          lastChangeDate: row.last_change_date,
          operationalPeriod: operationalOf(row),
          legalPeriod: legalOf(row),
          address: toAddress(row),
          contacts: (contactsBy.get(code) ?? []).map((c) => ({ type: c.type as Contact['type'], value: c.value })),
          roles: (rolesBy.get(code) ?? []).map(toRole),
          relationships: (relsBy.get(code) ?? []).map(toRelationship),
          successions: (succsBy.get(code) ?? []).map(toSuccession),
        });
      }
    }
    return out;
  }

  async search(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage> {
    const where: string[] = ['o.primary_role_id IS NOT NULL'];
    const params: SqlValue[] = [];
    let from = 'organisations o';
    const fromParams: SqlValue[] = [];
    let order = `o.name${this.collate()}, o.ods_code${this.collate()}`;
    if (filter.name !== undefined) {
      where.push(`o.name_upper LIKE ? ESCAPE '\\'`);
      params.push(`%${likeLiteral(filter.name.toUpperCase(), true)}%`);
    }
    if (filter.postcode !== undefined) {
      where.push(`o.postcode_upper LIKE ? ESCAPE '\\'`);
      params.push(`${likeLiteral(ordPostcodePrefix(filter.postcode), false)}%`);
    }
    if (filter.postcodeStartsWith !== undefined) {
      where.push(`o.postcode_key LIKE ? ESCAPE '\\'`);
      params.push(`${likeLiteral(postcodeKey(filter.postcodeStartsWith), false)}%`);
    }
    if (filter.status !== undefined) {
      where.push('o.status = ?');
      params.push(filter.status);
    }
    if (filter.primaryRoleTypeId !== undefined) {
      where.push('o.primary_role_id = ?');
      params.push(filter.primaryRoleTypeId.toUpperCase());
    }
    // Role and relationship filters are `o.ods_code IN (subquery)`, not correlated EXISTS: SQLite then starts from the
    // few matching rows and looks organisations up by key, instead of probing once per organisation (RA9's sites: 1 s →
    // 1 ms); PostgreSQL plans both as a semi-join.
    if (filter.nonPrimaryRoleTypeId !== undefined) {
      where.push('o.ods_code IN (SELECT r.ods_code FROM roles r WHERE r.role_id = ? AND r.is_primary = 0)');
      params.push(filter.nonPrimaryRoleTypeId.toUpperCase());
    }
    if (filter.anyRoleTypeIds !== undefined && filter.anyRoleTypeIds.length > 0) {
      const ids = filter.anyRoleTypeIds.map((id) => id.toUpperCase());
      where.push(`o.ods_code IN (SELECT r.ods_code FROM roles r WHERE r.role_id IN (${placeholders(ids.length)}))`);
      params.push(...ids);
    }
    if (filter.recordClassId !== undefined) {
      where.push('o.record_class = ?');
      params.push(filter.recordClassId);
    }
    if (filter.changedSince !== undefined) {
      where.push('o.last_change_date >= ?');
      params.push(filter.changedSince);
    }
    if (filter.activeOn !== undefined) {
      where.push(activeOnSql('o'));
      params.push(...activeOnParams(filter.activeOn));
    }
    if (filter.relatedTo !== undefined) {
      const related = filter.relatedTo;
      const conditions = ['l.target_ods_code = ?'];
      params.push(related.odsCode.trim().toUpperCase());
      if (related.relationshipTypeIds !== undefined && related.relationshipTypeIds.length > 0) {
        conditions.push(`l.rel_type_id IN (${placeholders(related.relationshipTypeIds.length)})`);
        params.push(...related.relationshipTypeIds.map((t) => t.toUpperCase()));
      }
      if (related.status !== undefined) {
        conditions.push('l.status = ?');
        params.push(related.status);
      }
      if (filter.activeOn !== undefined) {
        conditions.push(activeOnSql('l'));
        params.push(...activeOnParams(filter.activeOn));
      }
      where.push(`o.ods_code IN (SELECT l.ods_code FROM relationships l WHERE ${conditions.join(' AND ')})`);
    }
    if (filter.text !== undefined) {
      const words = textWords(filter.text);
      if (words.length === 0) return { totalCount: 0, items: [] };
      if (this.db.dialect === 'sqlite') {
        from = `organisations o JOIN (SELECT ods_code, bm25(organisation_names) AS rank FROM organisation_names WHERE organisation_names MATCH ?) f ON f.ods_code = o.ods_code`;
        fromParams.push(words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' '));
        order = `f.rank, ${order}`;
      } else {
        const query = words.map((w) => `${w.replace(/[^\p{L}\p{N}]/gu, '')}:*`).join(' & ');
        where.push(`to_tsvector('simple', o.name) @@ to_tsquery('simple', ?)`);
        params.push(query);
        order = `ts_rank(to_tsvector('simple', o.name), to_tsquery('simple', ?)) DESC, ${order}`;
      }
    }
    const whereSql = where.join(' AND ');
    const count = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from} WHERE ${whereSql}`, [
      ...fromParams,
      ...params,
    ]);
    const totalCount = Number(count?.n ?? 0);
    if (limit === 0 || offset >= totalCount) return { totalCount, items: [] };
    const orderParams: SqlValue[] =
      filter.text !== undefined && this.db.dialect === 'postgres' ? [params[params.length - 1] ?? null] : [];
    const rows = await this.db.all<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...fromParams, ...params, ...orderParams, limit, offset],
    );
    return { totalCount, items: rows.map(toSummary) };
  }

  /** The collation that makes ORDER BY compare code units (ORD's order): SQLite's default BINARY already does. */
  private collate(): string {
    return this.db.dialect === 'postgres' ? ' COLLATE "C"' : '';
  }

  async changedSince(date: IsoDate): Promise<string[]> {
    const rows = await this.db.all<{ ods_code: string }>(
      `SELECT ods_code FROM organisations WHERE last_change_date >= ? ORDER BY ods_code${this.collate()}`,
      [date],
    );
    return rows.map((r) => r.ods_code);
  }

  async codeSystems(): Promise<CodeSystemLists | null> {
    const rows = await this.db.all<{
      system: string;
      id: string;
      code: string;
      display_name: string;
      is_primary: number;
    }>('SELECT system, id, code, display_name, is_primary FROM code_systems ORDER BY system, pos');
    if (rows.length === 0) return null;
    const lists: CodeSystemLists = { roleTypes: [], relationshipTypes: [], recordClasses: [] };
    for (const r of rows) {
      if (r.system === 'roleTypes')
        lists.roleTypes.push({
          id: r.id,
          code: r.code,
          displayName: r.display_name,
          isPrimary: Number(r.is_primary) === 1,
        });
      else if (r.system === 'relationshipTypes')
        lists.relationshipTypes.push({ id: r.id, code: r.code, displayName: r.display_name });
      else if (r.system === 'recordClasses')
        lists.recordClasses.push({ id: r.id, code: r.code, displayName: r.display_name });
    }
    return lists;
  }

  async dataVersion(): Promise<number> {
    return Number((await this.db.get<{ n: number | null }>('SELECT MAX(id) AS n FROM change_history'))?.n ?? 0);
  }

  async recentChanges(limit: number): Promise<MirrorChange[]> {
    const rows = await this.db.all<{
      ods_code: string;
      origin: string;
      kind: string;
      last_change_date: string | null;
      recorded_at: string;
      note: string | null;
    }>(
      'SELECT ods_code, origin, kind, last_change_date, recorded_at, note FROM change_history ORDER BY id DESC LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      odsCode: r.ods_code,
      origin: r.origin as ChangeOrigin,
      kind: r.kind as MirrorChange['kind'],
      lastChangeDate: r.last_change_date,
      recordedAt: r.recorded_at,
      note: r.note,
    }));
  }

  async status(): Promise<MirrorStatus> {
    const count = async (table: string) =>
      Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    const [organisations, roles, relationships, successions, contacts, changes] = await Promise.all([
      count('organisations'),
      count('roles'),
      count('relationships'),
      count('successions'),
      count('contacts'),
      count('change_history'),
    ]);
    const state: MirrorStatus['state'] = {};
    for (const row of await this.db.all<{ key: MirrorStateKey; value: string }>('SELECT key, value FROM mirror_state'))
      state[row.key] = row.value;
    return {
      engine: this.engine,
      location: this.db.location,
      schemaVersion: await appliedVersion(this.db),
      counts: { organisations, roles, relationships, successions, contacts, changes },
      state,
    };
  }

  // ---- walks: level by level, one query per level over the whole frontier ----------------------------------------

  descendantsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.walk(odsCode, options, 'down');
  }

  ancestorsOf(odsCode: string, options: WalkOptions): Promise<WalkStep[]> {
    return this.walk(odsCode, options, 'up');
  }

  private async walk(start: string, options: WalkOptions, direction: 'down' | 'up'): Promise<WalkStep[]> {
    const types = options.relationshipTypeIds.map((t) => t.toUpperCase());
    if (types.length === 0) return [];
    const startCode = start.trim().toUpperCase();
    const seen = new Set<string>([startCode]);
    const steps: WalkStep[] = [];
    // The frontier in walk order (name, then code): a node's `via` is the first frontier parent that reaches it.
    let frontier: string[] = [startCode];
    const condition = options.activeOn !== undefined ? activeOnSql('l') : 'l.status = ?';
    const conditionParams: SqlValue[] =
      options.activeOn !== undefined ? activeOnParams(options.activeOn) : [options.status ?? 'ACTIVE'];
    // down: members whose relationship targets the frontier; up: the targets of the frontier's relationships.
    const [fromCol, toCol] =
      direction === 'down' ? ['l.target_ods_code', 'l.ods_code'] : ['l.ods_code', 'l.target_ods_code'];
    for (let depth = 1; depth <= options.depth && frontier.length > 0; depth++) {
      const rank = new Map(frontier.map((code, i) => [code, i]));
      const reached = new Map<string, { via: string; type: string; name: string; role: string | null }>();
      for (const part of chunks(frontier, CHUNK)) {
        const rows = await this.db.all<{
          code: string;
          via: string;
          type: string;
          name: string;
          role: string | null;
        }>(
          `SELECT ${toCol} AS code, ${fromCol} AS via, l.rel_type_id AS type, o.name AS name, o.primary_role_id AS role
           FROM relationships l JOIN organisations o ON o.ods_code = ${toCol}
           WHERE ${fromCol} IN (${placeholders(part.length)}) AND l.rel_type_id IN (${placeholders(types.length)})
             AND ${condition}`,
          [...part, ...types, ...conditionParams],
        );
        for (const row of rows) {
          if (seen.has(row.code)) continue;
          const current = reached.get(row.code);
          const better =
            !current ||
            (rank.get(row.via) ?? 0) < (rank.get(current.via) ?? 0) ||
            (row.via === current.via && row.type < current.type);
          if (better) reached.set(row.code, { via: row.via, type: row.type, name: row.name, role: row.role });
        }
      }
      const level = [...reached.entries()].sort(
        ([codeA, a], [codeB, b]) => compare(a.name, b.name) || compare(codeA, codeB),
      );
      for (const [code, r] of level) {
        seen.add(code);
        steps.push({ odsCode: code, depth, viaOdsCode: r.via, relationshipTypeId: r.type, primaryRoleTypeId: r.role });
      }
      frontier = level.map(([code]) => code);
    }
    return steps;
  }
}

/** Code-unit order, as ORD sorts names. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
