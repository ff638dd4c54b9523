// A small OrdDataset assembled from the real ORD recordings, so simulator tests can compare answers with recorded exchanges.
// Records are used as recorded; the only made-up records are the stubs rebuilt from the recorded search page (see below).

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OrdDataset } from '../../src/dataset/types.js';
import type {
  OrdOrganisation,
  OrdRecordClass,
  OrdRelType,
  OrdRoleType,
  OrdSummary,
} from '../../src/sources/ord/types.js';
import { ORD_ASSIGNING_AUTHORITY, ORD_ORG_ROOT } from '../../src/sources/ord/types.js';

export const RECORDED_DIR = fileURLToPath(new URL('../../data/recorded/', import.meta.url));
export const UEC_DIR = fileURLToPath(new URL('../../data/sources/nhs-uec-analytics-ord-json/', import.meta.url));

/** The fixture's "today": after the newest LastChangeDate in it (G6V2S, 2026-04-10). */
export const FIXTURE_AS_OF = '2026-04-15';

export function readRecorded(name: string): Buffer {
  return readFileSync(RECORDED_DIR + name);
}

export function readRecordedJson<T>(name: string): T {
  return JSON.parse(readRecorded(name).toString('utf8')) as T;
}

/** Codes of the full records taken from data/recorded (as recorded). */
/** The key order of a search-row summary, as ORD's recorded 2019 answer has it (a key absent from a row is skipped). */
export const ORD_SUMMARY_KEY_ORDER = [
  'Name',
  'OrgId',
  'Status',
  'OrgRecordClass',
  'PostCode',
  'LastChangeDate',
  'PrimaryRoleId',
  'PrimaryRoleDescription',
  'OrgLink',
] as const;

export const RECORDED_ORG_CODES = ['X26', '97T', 'RWR', 'RVVKC', 'RJY'] as const;

/**
 * Minimal full records for the 20 rows of the recorded `organisations?Name=nhs` page, rebuilt from the summaries, so the
 * fixture answers that exact page (every other NHS-named fixture record sorts after row 20). Only the fields a summary
 * shows are real; Date and uniqueRoleId are placeholders.
 */
function stubFromSummary(s: OrdSummary, i: number): OrdOrganisation {
  return {
    Name: s.Name,
    Date: [{ Type: 'Operational', Start: '2000-01-01' }],
    OrgId: { root: ORD_ORG_ROOT, assigningAuthorityName: ORD_ASSIGNING_AUTHORITY, extension: s.OrgId },
    Status: s.Status,
    LastChangeDate: s.LastChangeDate,
    orgRecordClass: s.OrgRecordClass,
    GeoLoc: { Location: s.PostCode === undefined ? {} : { PostCode: s.PostCode } },
    Roles: {
      Role: [
        {
          id: s.PrimaryRoleId,
          uniqueRoleId: 900000 + i,
          primaryRole: true,
          Date: [{ Type: 'Operational', Start: '2000-01-01' }],
          Status: s.Status,
        },
      ],
    },
  };
}

/**
 * The 14 real ORD records (data/recorded, then the nhs-uec-analytics folder), keyed by upper-case code; RJY is in both,
 * identical, and the recorded copy is kept. Fresh objects on every call.
 */
export function realRecords(): Map<string, OrdOrganisation> {
  const orgs = new Map<string, OrdOrganisation>();
  const add = (o: OrdOrganisation) => {
    const code = o.OrgId.extension.toUpperCase();
    if (!orgs.has(code)) orgs.set(code, o);
  };
  for (const code of RECORDED_ORG_CODES)
    add(readRecordedJson<{ Organisation: OrdOrganisation }>(`organisations_${code}.json`).Organisation);
  for (const f of readdirSync(UEC_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    add((JSON.parse(readFileSync(UEC_DIR + f, 'utf8')) as { Organisation: OrdOrganisation }).Organisation);
  }
  return orgs;
}

/** The code systems as recorded in 2019 (roles, relationship types, record classes), in their recorded order. */
export function recordedCodeSystems(): Pick<OrdDataset, 'roles' | 'rels' | 'recordClasses'> {
  return {
    roles: readRecordedJson<{ Roles: OrdRoleType[] }>('roles.json').Roles,
    rels: readRecordedJson<{ Relationships: OrdRelType[] }>('rels.json').Relationships,
    recordClasses: readRecordedJson<{ RecordClasses: OrdRecordClass[] }>('recordclasses.json').RecordClasses,
  };
}

/** Like the real dataset: insertion order sorted by code. */
export function sortedByCode(orgs: Map<string, OrdOrganisation>): Map<string, OrdOrganisation> {
  return new Map([...orgs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

let cached: OrdDataset | undefined;

export function recordedDataset(): OrdDataset {
  if (cached) return cached;
  const orgs = realRecords();
  readRecordedJson<{ Organisations: OrdSummary[] }>('search_Name_nhs.json').Organisations.forEach((s, i) => {
    if (!orgs.has(s.OrgId.toUpperCase())) orgs.set(s.OrgId.toUpperCase(), stubFromSummary(s, i));
  });
  cached = {
    tier: 'small',
    asOf: FIXTURE_AS_OF,
    organisations: sortedByCode(orgs),
    ...recordedCodeSystems(),
    synthetic: [],
  };
  return cached;
}

/** A recorded `.http.txt` exchange split into status line, headers (as recorded) and raw body bytes after the blank line. */
export interface RecordedExchange {
  statusLine: string;
  status: number;
  headers: [string, string][];
  header(name: string): string | undefined;
  /** Everything after the header block, as stored (may include a stray trailing CRLF beyond Content-Length). */
  rawBody: Buffer;
  /** The first Content-Length bytes of rawBody. */
  body: Buffer;
}

export function readExchange(name: string): RecordedExchange {
  const raw = readRecorded(name);
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, split).toString('latin1').split('\r\n');
  const statusLine = head[0] ?? '';
  const headers = head.slice(1).map((l): [string, string] => {
    const c = l.indexOf(':');
    return [l.slice(0, c), l.slice(c + 1).trim()];
  });
  const header = (n: string) => headers.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1];
  const rawBody = raw.subarray(split + 4);
  const len = Number(header('content-length'));
  return {
    statusLine,
    status: Number(statusLine.split(' ')[1]),
    headers,
    header,
    rawBody,
    body: rawBody.subarray(0, len),
  };
}
