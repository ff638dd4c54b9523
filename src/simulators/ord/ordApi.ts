// The ORD API's behaviour as a pure function: routing, validation (in ORD's order, with its exact texts), search, sync, code systems.
// No sockets here: server.ts adds HTTP, faults and logging; this module decides status, headers and body bytes.
//
// Choices where docs/ord-api.md is unsure (all [INF]):
// * XML: a valid xml `_format`/Content-Type is accepted and answered in JSON (Content-Type: application/json) — ORD's XML
//   dialect is not simulated yet; answering 406 `Unknown dialect specified` for a value ORD accepts would be wrong.
// * `_format` wins over the request Content-Type when both are valid; both are checked, Content-Type first, exact match
//   (so `application/json; charset=utf-8` is refused with 406, as the 2018 source compares the whole header).
// * Query values are form-decoded (`+` = space) like Werkzeug; paging links carry them decoded, not re-encoded.
// * A filter counts as "given" when its name is present, even with an empty value.
// * Roles / RelTypeId / TargetOrgId / RelStatus have no documented validation: values are matched case-insensitively and
//   anything unknown simply matches nothing. Membership = the org has at least one Rel satisfying all of RelTypeId (any of
//   the comma list), TargetOrgId and RelStatus that were given.
// * Code-system ids (`/roles/{id}` …) are matched case-sensitively; only `_format` is allowed as a query parameter there.
// * HEAD is answered like GET without a body, OPTIONS with 200 and `Allow` (Flask's automatic handlers); any other method on
//   a known route gets Werkzeug's HTML 405 page; an unknown path is 404 `Not found` whatever the method.
// * PostCode: the "UK-postcode-prefix regex" is not known; POSTCODE_PREFIX below accepts area, district, sector and full
//   postcodes with or without the space. A full postcode without its space is matched as if the space were there.
// * Dates must be exactly YYYY-MM-DD (zero-padded) else `Invalid date format.` (the 2019 live text).

import type { OrdDataset } from '../../dataset/types.js';
import { ORD_SEARCH_FILTERS } from '../../sources/ord/types.js';
import { OrdIndex, type IndexedOrg } from './dataIndex.js';
import { flaskErrorBody, pythonJsonDumps } from './json.js';
import { ordPostcodePrefix } from '../../domain/postcode.js';
import { applyChangesTo, notificationsBody, type OrdChanges } from './notifications.js';

export const BASE_PATH = '/ORD/2-0-0/';
export const SERVER_HEADER = 'Werkzeug/0.12.2 Python/3.6.8';
const SYNC_WINDOW_DAYS = 185;

type Endpoint = 'organisation' | 'search' | 'sync' | 'notifications' | 'roles' | 'rels' | 'recordclasses' | 'other';

export interface OrdResponse {
  status: number;
  /** In send order, names spelt as Flask/Werkzeug set them. `Date` is added by the server at send time. */
  headers: [string, string][];
  body: Buffer;
}

interface OrdRoute {
  endpoint: Endpoint;
  /** Decoded path segment after the collection (`organisations/{code}`), if any. */
  id?: string;
}

const JSON_DIALECTS = new Set(['json', 'text/json', 'application/json']);
const XML_DIALECTS = new Set(['xml', 'text/xml', 'application/xml']);

const SEARCH_ARGS = new Set<string>([...ORD_SEARCH_FILTERS, 'Limit', 'Offset', '_format']);
const SYNC_ARGS = new Set(['LastChangeDate', '_format']);
const FORMAT_ONLY_ARGS = new Set(['_format']);

const NAME_CHARS = /^[a-zA-Z0-9_@&.()'" /:,+;-]*$/;
const ROLE_ID = /^[a-zA-Z0-9]{3,10}$/;
const RECORD_CLASS = /^[a-zA-Z0-9]{3}$/;
const DIGITS = /^[0-9]+$/;
/** Area ("LS"), district ("LS1", "EC1A"), sector ("LS1 6"), unit ("LS1 6A", "LS1 6AE", "LS16AE"); optional trailing space. */
const POSTCODE_PREFIX = /^[A-Z]{1,2}(?:[0-9][A-Z0-9]?(?: ?[0-9](?:[A-Z]{1,2})?)?)? ?$/i;

class OrdError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

function fail(code: number, text: string): never {
  throw new OrdError(code, text);
}

/** Map a path (after the host) to an ORD route; null = no such route (404). Flask routes are case-sensitive and slash-strict. */
export function routeOf(pathname: string): OrdRoute | null {
  if (!pathname.startsWith(BASE_PATH)) return null;
  let rest: string;
  try {
    rest = decodeURIComponent(pathname.slice(BASE_PATH.length));
  } catch {
    return null;
  }
  const slash = rest.indexOf('/');
  const head = slash < 0 ? rest : rest.slice(0, slash);
  const id = slash < 0 ? undefined : rest.slice(slash + 1);
  if (id !== undefined && (id === '' || id.includes('/'))) return null;
  switch (head) {
    case 'organisations':
      return id === undefined ? { endpoint: 'search' } : { endpoint: 'organisation', id };
    case 'sync':
      return id === undefined ? { endpoint: 'sync' } : null;
    case 'notifications':
      return id === undefined ? { endpoint: 'notifications' } : null;
    case 'roles':
    case 'rels':
    case 'recordclasses':
      return id === undefined ? { endpoint: head } : { endpoint: head, id };
    default:
      return null;
  }
}

function isoDayNumber(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(t / 86_400_000);
}

interface OrdApiOptions {
  today: string;
  linkBaseUrl: string;
}

export class OrdApi {
  // Replaced whole by applyChanges (never mutated), so an answer being built always sees one consistent dataset.
  private current: OrdIndex;
  private todayIso: string;
  private todayDay: number;

  constructor(dataset: OrdDataset, options: OrdApiOptions) {
    const today = isoDayNumber(options.today);
    if (today === null) throw new Error(`today must be a real date YYYY-MM-DD; got "${options.today}"`);
    this.todayIso = options.today;
    this.todayDay = today;
    this.current = new OrdIndex(dataset, options.linkBaseUrl);
  }

  get index(): OrdIndex {
    return this.current;
  }

  get today(): string {
    return this.todayIso;
  }

  /** Moves today and applies upserts and deletions (see notifications.ts), then rebuilds the index. */
  applyChanges(changes: OrdChanges): void {
    const today = changes.today ?? this.todayIso;
    const day = isoDayNumber(today);
    if (day === null) throw new Error(`applyChanges: today must be a real date YYYY-MM-DD; got "${today}"`);
    const dataset = applyChangesTo(this.current.dataset, changes, today);
    this.current = new OrdIndex(dataset, this.current.linkBaseUrl);
    this.todayIso = today;
    this.todayDay = day;
  }

  /**
   * Answer one request. `pathAndQuery` is the raw request target (e.g. `/ORD/2-0-0/organisations?Name=nhs`);
   * `contentType` the request's Content-Type header, if any.
   */
  handle(method: string, pathAndQuery: string, contentType: string | undefined): OrdResponse & { endpoint: Endpoint } {
    const q = pathAndQuery.indexOf('?');
    const pathname = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    const rawQuery = q < 0 ? '' : pathAndQuery.slice(q + 1);
    const route = routeOf(pathname);
    if (!route) return { endpoint: 'other', ...errorResponse(404, 'Not found') };
    const endpoint = route.endpoint;
    if (method === 'OPTIONS') {
      return {
        endpoint,
        status: 200,
        headers: [
          ['Content-Type', 'text/html; charset=utf-8'],
          ['Allow', 'HEAD, OPTIONS, GET'],
          ['Content-Length', '0'],
          ['Access-Control-Allow-Origin', '*'],
          ['Server', SERVER_HEADER],
        ],
        body: Buffer.alloc(0),
      };
    }
    if (method !== 'GET' && method !== 'HEAD') return { endpoint, ...methodNotAllowed() };
    const params = [...new URLSearchParams(rawQuery)];
    try {
      checkFormat(params, contentType);
      switch (endpoint) {
        case 'search':
          return { endpoint, ...this.search(params) };
        case 'organisation':
          return { endpoint, ...this.organisation(params, route.id ?? '') };
        case 'sync':
          return { endpoint, ...this.sync(params) };
        case 'notifications':
          return { endpoint, ...this.notifications(params) };
        default:
          return { endpoint, ...this.codeSystem(endpoint, params, route.id) };
      }
    } catch (err) {
      if (err instanceof OrdError) return { endpoint, ...errorResponse(err.code, err.text) };
      throw err;
    }
  }

  private organisation(params: [string, string][], code: string): OrdResponse {
    checkArgs(params, FORMAT_ONLY_ARGS);
    const e = this.index.byCode.get(code.toUpperCase());
    if (!e) fail(404, 'Not found');
    return jsonResponse(`{"Organisation": ${pythonJsonDumpsOrg(e)}}`);
  }

  private codeSystem(collection: string, params: [string, string][], id: string | undefined): OrdResponse {
    checkArgs(params, FORMAT_ONLY_ARGS);
    const body = this.index.codeSystemBodies.get(collection)?.get(id ?? '');
    if (body === undefined) fail(404, 'Not found');
    return jsonResponse(body);
  }

  private checkDate(value: string): string {
    const day = isoDayNumber(value);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(406, 'Invalid date format.');
    if (day === null) fail(406, 'Invalid date supplied.');
    if (day > this.todayDay) fail(406, 'Supplied LastChangeDate date must be a past date, not future.');
    if (day < this.todayDay - SYNC_WINDOW_DAYS)
      fail(406, 'Supplied LastChangeDate exceeds the limit of 185 days past.');
    return value;
  }

  private sync(params: [string, string][]): OrdResponse {
    checkArgs(params, SYNC_ARGS);
    const date = params.find(([k]) => k === 'LastChangeDate')?.[1];
    if (date === undefined) fail(406, 'Supplied query must include some query parameters');
    this.checkDate(date);
    const items: string[] = [];
    for (const e of this.index.databaseOrder) if (e.lastChangeDate >= date) items.push(this.index.syncItemJson(e));
    return jsonResponse(`{"Organisations": [${items.join(', ')}]}`, [
      ['X-Total-Count', String(items.length)],
      ['Access-Control-Expose-Headers', 'X-Total-Count'],
    ]);
  }

  private notifications(params: [string, string][]): OrdResponse {
    checkArgs(params, FORMAT_ONLY_ARGS);
    const body = Buffer.from(notificationsBody(this.current.dataset.deletions ?? [], this.todayIso), 'latin1');
    return {
      status: 200,
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(body.length)],
        ['Content-Disposition', 'attachment; filename=notifications.json'],
        ['Access-Control-Allow-Origin', '*'],
        ['Server', SERVER_HEADER],
      ],
      body,
    };
  }

  private search(params: [string, string][]): OrdResponse {
    checkArgs(params, SEARCH_ARGS);
    const get = (k: string): string | undefined => params.find(([name]) => name === k)?.[1];
    if (!ORD_SEARCH_FILTERS.some((f) => get(f) !== undefined))
      fail(406, 'Supplied query must include some query parameters');

    const preds: ((e: IndexedOrg) => boolean)[] = [];
    const candidateLists: IndexedOrg[][] = [];
    const idx = this.index;

    const name = get('Name');
    if (name !== undefined) {
      const len = [...name].length;
      if (len < 3) fail(406, 'Supplied Name needs a minimum of 3 Characters.');
      if (len > 100) fail(406, 'Supplied Name too long, max 100 Characters.');
      if (!NAME_CHARS.test(name)) fail(406, 'Supplied Name contains invalid Character/s.');
      const upper = name.toUpperCase();
      if (upper.includes('_')) {
        // SQL LIKE: `_` is exactly one character; everything else is literal.
        const re = new RegExp(
          upper
            .split('_')
            .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.'),
          's',
        );
        preds.push((e) => re.test(e.upperName));
      } else {
        preds.push((e) => e.upperName.includes(upper));
      }
    }

    const postCode = get('PostCode');
    if (postCode !== undefined) {
      if ([...postCode].length < 2) fail(406, 'Supplied PostCode is too short, min 2 Characters.');
      if (postCode.length > 8 || !POSTCODE_PREFIX.test(postCode)) fail(406, 'Supplied PostCode format is invalid.');
      const prefix = ordPostcodePrefix(postCode);
      preds.push((e) => e.postcode !== null && e.postcode.startsWith(prefix));
      candidateLists.push(idx.postcodePrefix(prefix));
    }

    const lastChange = get('LastChangeDate');
    if (lastChange !== undefined) {
      this.checkDate(lastChange);
      preds.push((e) => e.lastChangeDate >= lastChange);
    }

    const status = get('Status');
    if (status !== undefined) {
      const s = status.toUpperCase();
      if (s !== 'ACTIVE' && s !== 'INACTIVE') fail(406, 'Unknown Status supplied, specify Active or Inactive.');
      preds.push((e) => e.statusUpper === s);
    }

    const primary = get('PrimaryRoleId');
    if (primary !== undefined) {
      if (!ROLE_ID.test(primary)) fail(406, 'Supplied PrimaryRoleId is invalid.');
      const r = primary.toUpperCase();
      preds.push((e) => e.primaryRole === r);
      candidateLists.push(idx.byPrimaryRole.get(r) ?? []);
    }

    const nonPrimary = get('NonPrimaryRoleId');
    if (nonPrimary !== undefined) {
      if (!ROLE_ID.test(nonPrimary)) fail(406, 'Supplied NonPrimaryRoleId is invalid.');
      const r = nonPrimary.toUpperCase();
      preds.push((e) => e.nonPrimaryRoles.includes(r));
      candidateLists.push(idx.byNonPrimaryRole.get(r) ?? []);
    }

    const recordClass = get('OrgRecordClass');
    if (recordClass !== undefined) {
      if (!RECORD_CLASS.test(recordClass)) fail(406, 'Supplied OrgRecordClass is invalid.');
      const rc = recordClass.toUpperCase();
      preds.push((e) => e.recordClassUpper === rc);
    }

    const limitRaw = get('Limit');
    let limit = 20;
    if (limitRaw !== undefined) {
      limit = DIGITS.test(limitRaw) ? Number(limitRaw) : NaN;
      if (!(limit >= 1 && limit <= 1000)) fail(406, 'Supplied Limit must be between 1 and 1000');
    }
    const offsetRaw = get('Offset');
    let offset = 0;
    if (offsetRaw !== undefined) {
      offset = DIGITS.test(offsetRaw) ? Number(offsetRaw) : NaN;
      if (!(offset >= 1)) fail(406, 'Suppied Offset must be greater than 1');
    }

    // Filters added in 2019 without documented validation (see module header).
    const roles = get('Roles');
    if (roles !== undefined) {
      const set = new Set(splitList(roles));
      preds.push(
        (e) => (e.primaryRole !== null && set.has(e.primaryRole)) || e.nonPrimaryRoles.some((r) => set.has(r)),
      );
      candidateLists.push(
        union([...set].flatMap((r) => [idx.byPrimaryRole.get(r) ?? [], idx.byNonPrimaryRole.get(r) ?? []])),
      );
    }
    const relTypesRaw = get('RelTypeId');
    const targetRaw = get('TargetOrgId');
    const relStatusRaw = get('RelStatus');
    if (relTypesRaw !== undefined || targetRaw !== undefined || relStatusRaw !== undefined) {
      const types = relTypesRaw === undefined ? null : new Set(splitList(relTypesRaw));
      const target = targetRaw?.trim().toUpperCase();
      const relStatus = relStatusRaw?.trim().toLowerCase();
      preds.push((e) =>
        e.rels.some(
          (r) =>
            (types === null || types.has(r.type)) &&
            (target === undefined || r.target === target) &&
            (relStatus === undefined || r.status === relStatus),
        ),
      );
      if (target !== undefined) candidateLists.push(idx.byRelTarget.get(target) ?? []);
      if (types !== null) candidateLists.push(union([...types].map((t) => idx.byRelType.get(t) ?? [])));
    }

    // Scan the smallest index list (already in search order) instead of all organisations.
    let candidates = idx.sorted;
    for (const list of candidateLists) if (list.length < candidates.length) candidates = list;
    const matches = candidates.filter((e) => preds.every((p) => p(e)));

    const total = matches.length;
    const page = matches.slice(offset, offset + limit);
    const headers: [string, string][] = [
      ['X-Total-Count', String(total)],
      ['Access-Control-Expose-Headers', 'X-Total-Count'],
    ];
    if (page.length !== total) {
      headers.push(['Returned-Records', String(page.length)]);
      // Link = base_url + "?" + "k=v&" per original parameter (request order, decoded, not re-encoded) + Limit [+ Offset].
      let link = `${idx.linkBaseUrl}organisations?`;
      for (const [k, v] of params) if (k !== 'Limit' && k !== 'Offset') link += `${k}=${v}&`;
      link += `Limit=${limit}`;
      if (offset + limit < total) headers.push(['Next-Page', `${link}&Offset=${offset + limit}`]);
      if (offset > 0) headers.push(['Previous-Page', offset - limit < 1 ? link : `${link}&Offset=${offset - limit}`]);
    }
    return jsonResponse(`{"Organisations": [${page.map((e) => idx.summaryJson(e)).join(', ')}]}`, headers);
  }
}

/** Full-record bodies for the most recently asked codes; bounded so the full dataset never sits in memory twice. */
const ORG_BODY_CACHE_LIMIT = 5000;
const orgBodyCache = new WeakMap<IndexedOrg, string>();
let orgBodyCacheSize = 0;
let orgBodyCacheKeys: IndexedOrg[] = [];

function pythonJsonDumpsOrg(e: IndexedOrg): string {
  let s = orgBodyCache.get(e);
  if (s === undefined) {
    s = pythonJsonDumps(e.org);
    if (orgBodyCacheSize >= ORG_BODY_CACHE_LIMIT) {
      for (const k of orgBodyCacheKeys) orgBodyCache.delete(k);
      orgBodyCacheKeys = [];
      orgBodyCacheSize = 0;
    }
    orgBodyCache.set(e, s);
    orgBodyCacheKeys.push(e);
    orgBodyCacheSize++;
  }
  return s;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
}

/** Merge index lists (each in search order) into one de-duplicated list in search order. */
function union(lists: IndexedOrg[][]): IndexedOrg[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0] ?? [];
  const seen = new Map<number, IndexedOrg>();
  for (const l of nonEmpty) for (const e of l) seen.set(e.rank, e);
  return [...seen.values()].sort((a, b) => a.rank - b.rank);
}

/** Format negotiation (§0.1): request Content-Type first, then `_format`; see the module header for the XML choice. */
function checkFormat(params: [string, string][], contentType: string | undefined): 'json' | 'xml' {
  let dialect: 'json' | 'xml' = 'json';
  if (contentType !== undefined && contentType !== '') {
    if (contentType === 'application/json') dialect = 'json';
    else if (contentType === 'application/xml') dialect = 'xml';
    else fail(406, `Unknown content type specified "${contentType}"`);
  }
  const format = params.find(([k]) => k === '_format')?.[1];
  if (format !== undefined) {
    if (JSON_DIALECTS.has(format)) dialect = 'json';
    else if (XML_DIALECTS.has(format)) dialect = 'xml';
    else fail(406, `Unknown dialect specified "${format}"`);
  }
  return dialect;
}

/** Unknown names first (any of them), then repeated known names, each in request order. */
function checkArgs(params: [string, string][], allowed: Set<string>): void {
  for (const [k] of params) if (!allowed.has(k)) fail(406, 'Unknown argument found.');
  const seen = new Set<string>();
  for (const [k] of params) {
    if (seen.has(k)) fail(406, `Repeated ${k} argument.`);
    seen.add(k);
  }
}

function jsonResponse(body: string, extra: [string, string][] = []): OrdResponse {
  // pythonJsonDumps output is pure ASCII, so string length = byte length.
  const buf = Buffer.from(body, 'latin1');
  return {
    status: 200,
    headers: [
      ['Content-Type', 'application/json'],
      ['Content-Length', String(buf.length)],
      ...extra,
      ['Access-Control-Allow-Origin', '*'],
      ['Server', SERVER_HEADER],
    ],
    body: buf,
  };
}

export function errorResponse(code: number, text: string): OrdResponse {
  const buf = Buffer.from(flaskErrorBody(code, text), 'latin1');
  return {
    status: code,
    headers: [
      ['Content-Type', 'application/json'],
      ['Content-Length', String(buf.length)],
      ['Access-Control-Allow-Origin', '*'],
      ['Server', SERVER_HEADER],
    ],
    body: buf,
  };
}

/** Werkzeug 0.12's default HTML error page (what Flask sends for an abort() without a custom handler). */
export function werkzeugHtmlError(
  code: number,
  name: string,
  description: string,
  extra: [string, string][] = [],
): OrdResponse {
  const html =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n' +
    `<title>${code} ${name}</title>\n` +
    `<h1>${name}</h1>\n` +
    `<p>${description}</p>\n`;
  const buf = Buffer.from(html, 'utf8');
  return {
    status: code,
    headers: [
      ['Content-Type', 'text/html'],
      ...extra,
      ['Content-Length', String(buf.length)],
      ['Access-Control-Allow-Origin', '*'],
      ['Server', SERVER_HEADER],
    ],
    body: buf,
  };
}

function methodNotAllowed(): OrdResponse {
  return werkzeugHtmlError(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.', [
    ['Allow', 'HEAD, OPTIONS, GET'],
  ]);
}
