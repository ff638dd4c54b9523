// Every recorded ORD exchange replayed against the simulator (fixture dataset built from the same recordings).
// Byte-exact where PROVENANCE.md says the recording is byte-exact; JSON-equal or format-only where it is not.

import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonJsonDumps } from '../src/simulators/ord/json.js';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { rawRequest, type RawResponse } from './helpers/http.js';
import {
  FIXTURE_AS_OF,
  ORD_SUMMARY_KEY_ORDER,
  RECORDED_DIR,
  readExchange,
  readRecorded,
  readRecordedJson,
  recordedDataset,
} from './helpers/recordedDataset.js';

let sim: OrdSimulator;
const get = (path: string, headers?: Record<string, string>) => rawRequest(sim.port, `/ORD/2-0-0/${path}`, { headers });

/** Response header names that are HTTP/1.1 connection management, not ORD's (the recordings are HTTP/2). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
function ordHeaderNames(r: RawResponse): string[] {
  return r.headers
    .map(([k]) => k.toLowerCase())
    .filter((k) => !HOP_BY_HOP.has(k))
    .sort();
}

/** The recorder stripped the trailing space after `406,`/`404,` and some stored CRLF; restore ORD's true bytes. */
function restoredErrorBody(name: string): Buffer {
  const text = readExchange(name)
    .rawBody.toString('latin1')
    .replace(/\r\n/g, '\n')
    .replace(/("errorCode": \d+),\n/, '$1, \n');
  return Buffer.from(text, 'latin1');
}

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset: recordedDataset(), port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('recorded exchanges', () => {
  it('covers every recorded .http.txt exchange in this file', () => {
    // If a recording is added, this list (and a test for it below) must grow with it.
    const covered = [
      'error_404_codesystem_unknown_id',
      'error_406_organisations_no_params',
      'error_406_search_unknown_argument',
      'error_406_sync_invalid_date',
      'organisations_X26',
      'recordclasses',
      'recordclasses_RC2',
      'rels',
      'rels_RE6',
      'roles',
      'roles_RO98',
      'search_Name_nhs',
      'sync_2019-06-11',
    ];
    const recorded = readdirSync(RECORDED_DIR)
      .filter((f) => f.endsWith('.http.txt'))
      .map((f) => f.replace('.http.txt', ''));
    expect(recorded.sort()).toEqual(covered.sort());
  });

  it('organisations/X26: body, status and headers byte-exact', async () => {
    const rec = readExchange('organisations_X26.http.txt');
    const r = await get('organisations/X26');
    expect(r.status).toBe(200);
    expect(r.body.equals(rec.body)).toBe(true);
    expect(r.body.equals(readRecorded('organisations_X26.json'))).toBe(true);
    for (const h of ['content-type', 'content-length', 'access-control-allow-origin', 'server']) {
      expect(r.header(h), h).toBe(rec.header(h));
    }
    expect(ordHeaderNames(r)).toEqual(rec.headers.map(([k]) => k.toLowerCase()).sort());
    expect(r.header('date')).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('organisations/x26 (lower case code) is the same record', async () => {
    const r = await get('organisations/x26');
    expect(r.body.equals(readRecorded('organisations_X26.json'))).toBe(true);
  });

  const codeSystemCases: [string, string][] = [
    ['roles/RO98', 'roles_RO98'],
    ['rels/RE6', 'rels_RE6'],
    ['recordclasses/RC2', 'recordclasses_RC2'],
    ['rels', 'rels'],
    ['recordclasses', 'recordclasses'],
    // The fixture's role list *is* the recorded 2019 list, so here it is byte-exact too (the real dataset's is checked by format).
    ['roles', 'roles'],
  ];
  for (const [path, name] of codeSystemCases) {
    it(`${path}: body byte-exact, headers as recorded`, async () => {
      const rec = readExchange(`${name}.http.txt`);
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.body.toString('latin1')).toBe(rec.body.toString('latin1'));
      expect(r.body.equals(readRecorded(`${name}.json`))).toBe(true);
      expect(r.header('content-length')).toBe(rec.header('content-length'));
      expect(r.header('content-type')).toBe('application/json');
      expect(r.header('x-total-count')).toBeUndefined();
      expect(ordHeaderNames(r)).toEqual(rec.headers.map(([k]) => k.toLowerCase()).sort());
    });
  }

  const errorCases: [string, string, string][] = [
    ['error_404_codesystem_unknown_id', 'roles/Wrong', 'Not found'],
    ['error_404_codesystem_unknown_id', 'rels/Wrong', 'Not found'],
    ['error_404_codesystem_unknown_id', 'recordclasses/RC3', 'Not found'],
    ['error_406_organisations_no_params', 'organisations', 'Supplied query must include some query parameters'],
    ['error_406_search_unknown_argument', 'organisations?wrong_param=nhs', 'Unknown argument found.'],
    // The invalid date actually sent was not recorded; these are all "not YYYY-MM-DD".
    ['error_406_sync_invalid_date', 'sync?LastChangeDate=11-06-2019', 'Invalid date format.'],
    ['error_406_sync_invalid_date', 'sync?LastChangeDate=yesterday', 'Invalid date format.'],
    ['error_406_sync_invalid_date', 'sync?LastChangeDate=2019-6-11', 'Invalid date format.'],
  ];
  for (const [name, path, text] of errorCases) {
    it(`${path}: ${name} with the real trailing-space bytes`, async () => {
      const rec = readExchange(`${name}.http.txt`);
      const r = await get(path);
      expect(r.status).toBe(rec.status);
      expect(r.body.toString('latin1')).toBe(restoredErrorBody(`${name}.http.txt`).toString('latin1'));
      expect(r.header('content-length')).toBe(rec.header('content-length'));
      expect(r.body.length).toBe(Number(rec.header('content-length')));
      expect(JSON.parse(r.body.toString())).toEqual({ errorCode: rec.status, errorText: text });
      expect(JSON.parse(r.body.toString())).toEqual(readRecordedJson(`${name}.json`));
      for (const h of ['content-type', 'access-control-allow-origin', 'server'])
        expect(r.header(h), h).toBe(rec.header(h));
      expect(ordHeaderNames(r)).toEqual(rec.headers.map(([k]) => k.toLowerCase()).sort());
    });
  }

  it('organisations/97T is byte-exact; RWR, RVVKC, RJY (reformatted recordings) are JSON-equal with the same key order', async () => {
    const exact = await get('organisations/97T');
    expect(exact.body.equals(readRecorded('organisations_97T.json'))).toBe(true);
    for (const code of ['RWR', 'RVVKC', 'RJY']) {
      const r = await get(`organisations/${code}`);
      expect(r.status).toBe(200);
      const recorded = readRecordedJson<unknown>(`organisations_${code}.json`);
      expect(JSON.parse(r.body.toString())).toEqual(recorded);
      // Same key order too: Python-serialising the recording gives our bytes.
      expect(r.body.toString('latin1')).toBe(pythonJsonDumps(recorded));
    }
  });

  it('organisations?Limit=500&PrimaryRoleId=RO197 contains the recorded RWR summary item', async () => {
    const r = await get('organisations?Limit=500&PrimaryRoleId=RO197');
    const items = (JSON.parse(r.body.toString()) as { Organisations: { OrgId: string }[] }).Organisations;
    const rwr = items.find((i) => i.OrgId === 'RWR');
    const recorded = readRecordedJson<Record<string, unknown>>('search_PrimaryRoleId_RO197_item_RWR.json');
    expect(rwr).toEqual(recorded);
    expect(Object.keys(rwr ?? {})).toEqual(Object.keys(recorded));
  });

  it('organisations?Name=nhs: the recorded 2019 page, held to format (and, on this fixture, to the rows)', async () => {
    // The 2019 totals depend on the data of that day, so the comparison is on format: header names and shape, the
    // paging-link format, 20 rows by default, key set and order of every row, Python spacing (re-serialising is identity),
    // and (Name, OrgId) order. The fixture contains the 20 recorded rows (rebuilt as stubs), and every other NHS-named
    // fixture record sorts after them, so here page 1 is also byte-identical; X-Total-Count differs (1706 then).
    const rec = readExchange('search_Name_nhs.http.txt');
    const r = await get('organisations?Name=nhs');
    expect(r.status).toBe(200);
    expect(ordHeaderNames(r)).toEqual(rec.headers.map(([k]) => k.toLowerCase()).sort());
    expect(r.header('access-control-expose-headers')).toBe('X-Total-Count');
    expect(r.header('returned-records')).toBe('20');
    expect(r.header('next-page')).toBe(
      'https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations?Name=nhs&Limit=20&Offset=20',
    );
    expect(r.header('next-page')).toBe(rec.header('next-page'));
    expect(r.header('previous-page')).toBeUndefined();
    expect(Number(r.header('x-total-count'))).toBeGreaterThan(20);

    const text = r.body.toString('latin1');
    const doc = JSON.parse(text) as { Organisations: Record<string, unknown>[] };
    expect(pythonJsonDumps(doc)).toBe(text);
    expect(doc.Organisations).toHaveLength(20);
    const recordedDoc = JSON.parse(rec.body.toString()) as { Organisations: Record<string, unknown>[] };
    for (const item of [...doc.Organisations, ...recordedDoc.Organisations]) {
      expect(Object.keys(item)).toEqual(ORD_SUMMARY_KEY_ORDER.filter((k) => k in item));
      expect(item.OrgLink).toBe(`https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations/${String(item.OrgId)}`);
    }
    const sortKey = (i: Record<string, unknown>) => [String(i.Name), String(i.OrgId)] as const;
    for (let i = 1; i < doc.Organisations.length; i++) {
      const [a, b] = [sortKey(doc.Organisations[i - 1] ?? {}), sortKey(doc.Organisations[i] ?? {})];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true);
    }
    expect(text).toBe(rec.body.toString('latin1'));
    expect(r.header('content-length')).toBe(rec.header('content-length'));
  });

  it('sync: the recorded 2019 list, held to format', async () => {
    // The recorded request date is unknown and its 250 rows are 2019 data, so: same header names, X-Total-Count = items,
    // no paging headers, items are exactly {"OrgLink": public URL}, Python spacing, database (dataset Map) order.
    const rec = readExchange('sync_2019-06-11.http.txt');
    const date = '2026-03-16'; // inside the fixture's window (today 2026-04-15 minus 30 days)
    expect(FIXTURE_AS_OF).toBe('2026-04-15');
    const r = await get(`sync?LastChangeDate=${date}`);
    expect(r.status).toBe(200);
    expect(ordHeaderNames(r)).toEqual(rec.headers.map(([k]) => k.toLowerCase()).sort());
    const text = r.body.toString('latin1');
    const doc = JSON.parse(text) as { Organisations: { OrgLink: string }[] };
    expect(pythonJsonDumps(doc)).toBe(text);
    expect(r.header('x-total-count')).toBe(String(doc.Organisations.length));
    const recordedDoc = JSON.parse(rec.body.toString()) as { Organisations: { OrgLink: string }[] };
    expect(rec.header('x-total-count')).toBe(String(recordedDoc.Organisations.length));
    for (const item of [...doc.Organisations, ...recordedDoc.Organisations]) {
      expect(Object.keys(item)).toEqual(['OrgLink']);
      expect(item.OrgLink).toMatch(
        /^https:\/\/directory\.spineservices\.nhs\.uk\/ORD\/2-0-0\/organisations\/[A-Z0-9]+$/,
      );
    }
    const expected = [...recordedDataset().organisations.values()]
      .filter((o) => o.LastChangeDate >= date)
      .map((o) => o.OrgId.extension);
    expect(doc.Organisations.map((i) => i.OrgLink.split('/').pop())).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});
