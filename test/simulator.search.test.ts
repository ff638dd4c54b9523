// ORD search, sync and routing rules in the simulator: validation order and texts, PostCode and Name rules, paging
// headers, membership search, format negotiation, methods and 404s — over real HTTP against the recordings fixture.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { rawRequest } from './helpers/http.js';
import { recordedDataset } from './helpers/recordedDataset.js';

let sim: OrdSimulator;
const PUBLIC = 'https://directory.spineservices.nhs.uk/ORD/2-0-0/';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function get(path: string, headers?: Record<string, string>, s: OrdSimulator = sim): Promise<Answer> {
  const res = await fetch(s.baseUrl + path, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function error406(path: string, headers?: Record<string, string>): Promise<string> {
  const a = await get(path, headers);
  expect(a.status, path).toBe(406);
  expect(a.text).toBe(`{\n  "errorCode": 406, \n  "errorText": ${JSON.stringify(a.json.errorText)}\n}\n`);
  return a.json.errorText as string;
}

async function codes(path: string): Promise<string[]> {
  const a = await get(path);
  expect(a.status, `${path}: ${a.text}`).toBe(200);
  return (a.json.Organisations as { OrgId: string }[]).map((o) => o.OrgId);
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset: recordedDataset(), port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('search validation', () => {
  it('checks in ORD order: format, unknown, repeated, any filter, Name … Offset', async () => {
    // Every parameter invalid, in reverse request order; fixing them one at a time walks the documented order.
    const steps: [string, string, string][] = [
      ['Offset', '0', 'Suppied Offset must be greater than 1'],
      ['Limit', '1001', 'Supplied Limit must be between 1 and 1000'],
      ['OrgRecordClass', 'RC12', 'Supplied OrgRecordClass is invalid.'],
      ['NonPrimaryRoleId', 'R!', 'Supplied NonPrimaryRoleId is invalid.'],
      ['PrimaryRoleId', 'RO', 'Supplied PrimaryRoleId is invalid.'],
      ['Status', 'Closed', 'Unknown Status supplied, specify Active or Inactive.'],
      ['LastChangeDate', '2026/01/01', 'Invalid date format.'],
      ['PostCode', 'L', 'Supplied PostCode is too short, min 2 Characters.'],
      ['Name', 'ab', 'Supplied Name needs a minimum of 3 Characters.'],
    ];
    const params = new Map(steps.map(([k, v]) => [k, v]));
    // Roles has no validation of its own, so a filter stays present once the invalid ones are removed.
    const query = () => [...[...params].map(([k, v]) => `${k}=${encodeURIComponent(v)}`), 'Roles=RO197'].join('&');
    const expectedOrder = [...steps].reverse();
    expect(await error406(`organisations?${query()}&_format=html&bogus=1`)).toBe('Unknown dialect specified "html"');
    expect(await error406(`organisations?${query()}&bogus=1&Name=x`)).toBe('Unknown argument found.');
    expect(await error406(`organisations?${query()}&Name=x`)).toBe('Repeated Name argument.');
    for (const [name, , text] of expectedOrder) {
      expect(await error406(`organisations?${query()}`)).toBe(text);
      params.delete(name);
    }
    expect(params.size).toBe(0);
  });

  it('needs at least one filter; Limit, Offset and _format do not count', async () => {
    for (const q of ['', '?Limit=10', '?Offset=5', '?_format=json', '?Limit=10&Offset=5&_format=json']) {
      expect(await error406(`organisations${q}`)).toBe('Supplied query must include some query parameters');
    }
    expect((await get('organisations?RelStatus=active')).status).toBe(200);
  });

  it('parameter names are case-sensitive', async () => {
    expect(await error406('organisations?name=nhs')).toBe('Unknown argument found.');
    expect(await error406('organisations?Name=nhs&limit=5')).toBe('Unknown argument found.');
  });

  it('repeated names → Repeated {Name} argument.', async () => {
    expect(await error406('organisations?Name=nhs&Status=Active&Name=trust')).toBe('Repeated Name argument.');
    expect(await error406('organisations?Name=nhs&Limit=5&Limit=6')).toBe('Repeated Limit argument.');
    expect(await error406('organisations/X26?_format=json&_format=json')).toBe('Repeated _format argument.');
  });

  it('Name: length and characters', async () => {
    expect(await error406('organisations?Name=')).toBe('Supplied Name needs a minimum of 3 Characters.');
    expect(await error406(`organisations?Name=${'a'.repeat(101)}`)).toBe('Supplied Name too long, max 100 Characters.');
    expect((await get(`organisations?Name=${'a'.repeat(100)}`)).status).toBe(200);
    for (const bad of ['nhs!', 'nhs%25', 'nh*', 'caf%C3%A9', 'a=b', 'x[y]']) {
      expect(await error406(`organisations?Name=${bad}`), bad).toBe('Supplied Name contains invalid Character/s.');
    }
    for (const ok of ["st%20john's", 'a(b)c', 'x%2By', 'a.b', 'a-b/c:d,e;f', '%22q%22', 'x%40y']) {
      expect((await get(`organisations?Name=${ok}`)).status, ok).toBe(200);
    }
  });

  it('PostCode: length and format', async () => {
    expect(await error406('organisations?PostCode=L')).toBe('Supplied PostCode is too short, min 2 Characters.');
    for (const bad of ['LS1%206AEX', '12', 'LS1--', 'L%201']) {
      expect(await error406(`organisations?PostCode=${bad}`), bad).toBe('Supplied PostCode format is invalid.');
    }
  });

  it('LastChangeDate: format, real date, not future, at most 185 days back', async () => {
    const today = sim.today;
    expect(await error406('organisations?LastChangeDate=20260101')).toBe('Invalid date format.');
    expect(await error406('organisations?LastChangeDate=2026-02-30')).toBe('Invalid date supplied.');
    expect(await error406(`organisations?LastChangeDate=${addDays(today, 1)}`)).toBe(
      'Supplied LastChangeDate date must be a past date, not future.',
    );
    expect(await error406(`organisations?LastChangeDate=${addDays(today, -186)}`)).toBe(
      'Supplied LastChangeDate exceeds the limit of 185 days past.',
    );
    expect((await get(`organisations?LastChangeDate=${addDays(today, -185)}`)).status).toBe(200);
    expect(await codes('organisations?LastChangeDate=2026-04-01')).toEqual(
      ['G6V2S', 'RRP', 'TAF', 'FBL'].sort((a, b) => {
        const names: Record<string, string> = {
          G6V2S: 'NORTH LONDON',
          RRP: 'BARNET, ENFIELD',
          TAF: 'CAMDEN AND ISLINGTON NHS',
          FBL: 'TAVISTOCK',
        };
        return (names[a] ?? '') < (names[b] ?? '') ? -1 : 1;
      }),
    );
  });

  it('Limit and Offset: digits only, 1..1000 and ≥ 1', async () => {
    for (const bad of ['0', '1001', '-1', 'ten', '1.5', '']) {
      expect(await error406(`organisations?Name=nhs&Limit=${bad}`), bad).toBe(
        'Supplied Limit must be between 1 and 1000',
      );
    }
    for (const bad of ['0', '-5', 'x', '']) {
      expect(await error406(`organisations?Name=nhs&Offset=${bad}`), bad).toBe('Suppied Offset must be greater than 1');
    }
  });
});

describe('search matching', () => {
  it('Name is a case-insensitive substring with _ as a one-character wildcard', async () => {
    expect(await codes('organisations?Name=nhs%20digital')).toEqual(['X26']);
    expect(await codes('organisations?Name=NHS_DIGITAL')).toEqual(['X26']);
    expect(await codes('organisations?Name=n_s_dig')).toEqual(['X26']);
    expect(await codes('organisations?Name=nhsdigital')).toEqual([]);
    expect(await codes('organisations?Name=h%26j')).toEqual(['97T']);
    expect(await codes('organisations?Name=h+%26+j')).toEqual([]); // "+" is a space in a query string
  });

  it('PostCode: outward code matches only that district; other values are prefixes; full postcodes with or without space', async () => {
    expect(await codes('organisations?PostCode=LS1')).toEqual(['X26']);
    expect(await codes('organisations?PostCode=AL1')).toEqual([]); // AL10 8YE (RWR) is another district
    expect(await codes('organisations?PostCode=AL10')).toEqual(['RWR']);
    expect((await codes('organisations?PostCode=ls')).sort()).toEqual(['97T', 'X26']);
    expect(await codes('organisations?PostCode=LS1%206')).toEqual(['X26']);
    expect(await codes('organisations?PostCode=ls1%206ae')).toEqual(['X26']);
    expect(await codes('organisations?PostCode=LS16AE')).toEqual(['X26']);
    expect((await codes('organisations?PostCode=N15')).sort()).toEqual(['RP2', 'RRP']);
    expect(await codes('organisations?PostCode=N1')).toEqual([]);
  });

  it('Status, PrimaryRoleId, NonPrimaryRoleId, OrgRecordClass are case-insensitive and AND together', async () => {
    const inactiveTrusts = await codes('organisations?PrimaryRoleId=ro197&Status=inactive&Limit=1000');
    expect(inactiveTrusts).toContain('RJY');
    expect(inactiveTrusts).not.toContain('RWR');
    expect(await codes('organisations?OrgRecordClass=rc2&PrimaryRoleId=RO198&Name=kent')).toEqual(['RVVKC']);
    expect((await codes('organisations?NonPrimaryRoleId=ro57')).sort()).toEqual(['G6V2S', 'RWR', 'TAF']);
    expect(await codes('organisations?PrimaryRoleId=RO57')).toEqual([]);
    expect(await codes('organisations?NonPrimaryRoleId=RO218')).toEqual(['97T']);
  });

  it('Roles: any of a comma list, primary or non-primary', async () => {
    expect((await codes('organisations?Roles=RO116,ro218')).sort()).toEqual(['97T', 'X26']);
    expect((await codes('organisations?Roles=RO57')).sort()).toEqual(['G6V2S', 'RWR', 'TAF']);
  });

  it('membership: RelTypeId (comma list) + TargetOrgId + RelStatus on the same relationship', async () => {
    expect((await codes('organisations?RelTypeId=RE5&TargetOrgId=Z9B2Z')).sort()).toEqual(['G6V2S', 'RRP', 'TAF']);
    expect((await codes('organisations?RelTypeId=RE5&TargetOrgId=Z9B2Z&RelStatus=active')).sort()).toEqual([
      'G6V2S',
      'RRP',
      'TAF',
    ]);
    expect(await codes('organisations?RelTypeId=RE5&TargetOrgId=Z9B2Z&RelStatus=inactive')).toEqual([]);
    expect((await codes('organisations?RelTypeId=RE8&TargetOrgId=QMJ&RelStatus=inactive')).sort()).toEqual([
      'G6V2S',
      'RRP',
      'TAF',
    ]);
    expect(await codes('organisations?RelTypeId=RE8&TargetOrgId=QMJ&RelStatus=active')).toEqual([]);
    expect(await codes('organisations?RelTypeId=RE4,RE6&TargetOrgId=rvv')).toEqual(['RVVKC']);
    expect(await codes('organisations?TargetOrgId=XDH')).toEqual(['X26']);
    expect(await codes('organisations?RelTypeId=RE3')).toEqual(['X26']);
    expect(await codes('organisations?RelTypeId=RE6&TargetOrgId=XDH')).toEqual([]);
  });

  it('zero matches: {"Organisations": []}, X-Total-Count 0, no paging headers', async () => {
    const a = await get('organisations?Name=zzzzzz');
    expect(a.status).toBe(200);
    expect(a.text).toBe('{"Organisations": []}');
    expect(a.headers.get('x-total-count')).toBe('0');
    expect(a.headers.get('access-control-expose-headers')).toBe('X-Total-Count');
    expect(a.headers.get('returned-records')).toBeNull();
    expect(a.headers.get('next-page')).toBeNull();
    expect(a.headers.get('previous-page')).toBeNull();
  });
});

describe('search paging', () => {
  let all: string[] = [];
  beforeAll(async () => {
    all = await codes('organisations?PrimaryRoleId=RO197&Limit=1000');
  });

  it('Limit=1000 returns everything in (Name, OrgId) order with no paging headers', async () => {
    const a = await get('organisations?PrimaryRoleId=RO197&Limit=1000');
    expect(a.headers.get('x-total-count')).toBe(String(all.length));
    expect(a.headers.get('returned-records')).toBeNull();
    expect(a.headers.get('next-page')).toBeNull();
    expect(all.length).toBeGreaterThan(12);
    const rows = a.json.Organisations as { Name: string; OrgId: string }[];
    const sorted = [...rows].sort((x, y) => (x.Name < y.Name ? -1 : x.Name > y.Name ? 1 : x.OrgId < y.OrgId ? -1 : 1));
    expect(rows).toEqual(sorted);
  });

  it('first page: Returned-Records and Next-Page, no Previous-Page; links keep request order and drop Limit/Offset', async () => {
    const a = await get('organisations?Limit=5&Status=Active&PrimaryRoleId=RO197');
    const active = await codes('organisations?PrimaryRoleId=RO197&Status=Active&Limit=1000');
    expect(a.headers.get('x-total-count')).toBe(String(active.length));
    expect(a.headers.get('returned-records')).toBe('5');
    expect(a.headers.get('next-page')).toBe(
      `${PUBLIC}organisations?Status=Active&PrimaryRoleId=RO197&Limit=5&Offset=5`,
    );
    expect(a.headers.get('previous-page')).toBeNull();
  });

  it('middle pages: Previous-Page omits Offset when Offset − Limit < 1', async () => {
    const m1 = await get('organisations?PrimaryRoleId=RO197&Limit=5&Offset=5');
    expect((m1.json.Organisations as { OrgId: string }[]).map((o) => o.OrgId)).toEqual(all.slice(5, 10));
    expect(m1.headers.get('next-page')).toBe(`${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5&Offset=10`);
    expect(m1.headers.get('previous-page')).toBe(`${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5`);
    const m2 = await get('organisations?Offset=7&PrimaryRoleId=RO197&Limit=5');
    expect(m2.headers.get('next-page')).toBe(`${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5&Offset=12`);
    expect(m2.headers.get('previous-page')).toBe(`${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5&Offset=2`);
    const m3 = await get('organisations?PrimaryRoleId=RO197&Limit=5&Offset=3');
    expect(m3.headers.get('previous-page')).toBe(`${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5`);
  });

  it('last page: no Next-Page; past the end: empty page with Previous-Page', async () => {
    const last = await get(`organisations?PrimaryRoleId=RO197&Limit=5&Offset=${all.length - 2}`);
    expect(last.headers.get('returned-records')).toBe('2');
    expect(last.headers.get('next-page')).toBeNull();
    expect(last.headers.get('previous-page')).toBe(
      `${PUBLIC}organisations?PrimaryRoleId=RO197&Limit=5&Offset=${all.length - 7}`,
    );
    const past = await get(`organisations?PrimaryRoleId=RO197&Limit=5&Offset=${all.length + 10}`);
    expect(past.text).toBe('{"Organisations": []}');
    expect(past.headers.get('returned-records')).toBe('0');
    expect(past.headers.get('previous-page')).not.toBeNull();
  });

  it('the default page size is 20 and made explicit in links; values are not re-encoded', async () => {
    const a = await get('organisations?Name=nhs%20tr&_format=json');
    expect((a.json.Organisations as unknown[]).length).toBeLessThanOrEqual(20);
    const b = await get('organisations?Name=nhs');
    expect(b.json.Organisations).toHaveLength(20);
    expect(b.headers.get('next-page')).toBe(`${PUBLIC}organisations?Name=nhs&Limit=20&Offset=20`);
    const c = await get('organisations?Name=nhs%20&Limit=3');
    expect(c.headers.get('next-page')).toBe(`${PUBLIC}organisations?Name=nhs &Limit=3&Offset=3`);
  });
});

describe('organisation, code systems, format, methods, 404', () => {
  it('only _format is allowed on organisations/{code}; unknown codes 404; validation before lookup', async () => {
    expect((await get('organisations/RWR?_format=json')).status).toBe(200);
    expect(await error406('organisations/RWR?Name=x')).toBe('Unknown argument found.');
    expect(await error406('organisations/NOPE?x=1')).toBe('Unknown argument found.');
    const nf = await get('organisations/NOPE');
    expect(nf.status).toBe(404);
    expect(nf.text).toBe('{\n  "errorCode": 404, \n  "errorText": "Not found"\n}\n');
    expect((await get('organisations/rvvkc')).json.Organisation.OrgId.extension).toBe('RVVKC');
    expect((await get('organisations/%52WR')).status).toBe(200);
  });

  it('unknown paths are 404 Not found (routes are case- and slash-strict)', async () => {
    for (const p of [
      '/ORD/2-0-0/',
      '/ORD/2-0-0/nothing',
      '/ORD/2-0-0/Organisations/X26',
      '/ORD/2-0-0/roles/',
      '/ORD/2-0-0/sync/x',
      '/',
      '/ORD/2-0-1/roles',
      '/ORD/2-0-0/organisations/X26/x',
    ]) {
      const r = await rawRequest(sim.port, p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).toBe('{\n  "errorCode": 404, \n  "errorText": "Not found"\n}\n');
      expect(r.header('Access-Control-Allow-Origin')).toBe('*');
    }
  });

  it('code systems: ids are case-sensitive; only _format allowed', async () => {
    expect((await get('roles/ro98')).status).toBe(404);
    expect((await get('roles?_format=json')).status).toBe(200);
    expect(await error406('rels?foo=bar')).toBe('Unknown argument found.');
  });

  it('format: Content-Type is checked before _format; xml is accepted but answered as JSON', async () => {
    expect(await error406('organisations/X26?_format=html')).toBe('Unknown dialect specified "html"');
    expect(await error406('organisations/X26?_format=JSON')).toBe('Unknown dialect specified "JSON"');
    expect(await error406('organisations/X26?_format=html', { 'Content-Type': 'text/plain' })).toBe(
      'Unknown content type specified "text/plain"',
    );
    expect(await error406('organisations/X26', { 'Content-Type': 'application/json; charset=utf-8' })).toBe(
      'Unknown content type specified "application/json; charset=utf-8"',
    );
    for (const [q, h] of [
      ['?_format=json', undefined],
      ['?_format=text/json', undefined],
      ['?_format=application/json', undefined],
      ['?_format=xml', undefined],
      ['?_format=text/xml', undefined],
      ['', { 'Content-Type': 'application/xml' }],
      ['', { 'Content-Type': 'application/json' }],
      ['', { Accept: 'application/xml' }],
    ] as [string, Record<string, string> | undefined][]) {
      const a = await get(`organisations/X26${q}`, h);
      expect(a.status, q).toBe(200);
      expect(a.headers.get('content-type')).toBe('application/json');
      expect(a.json.Organisation.OrgId.extension).toBe('X26');
    }
    // Format errors come before the search's own checks.
    expect(await error406('organisations?_format=bad')).toBe('Unknown dialect specified "bad"');
  });

  it('HEAD answers headers only; OPTIONS 200 with Allow; other methods 405 Werkzeug HTML', async () => {
    const head = await rawRequest(sim.port, '/ORD/2-0-0/organisations/X26', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.header('Content-Length')).toBe('1614');
    expect(head.body.length).toBe(0);
    const options = await rawRequest(sim.port, '/ORD/2-0-0/organisations/X26', { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.header('Allow')).toBe('HEAD, OPTIONS, GET');
    const post = await rawRequest(sim.port, '/ORD/2-0-0/organisations?Name=nhs', { method: 'POST', body: 'x=1' });
    expect(post.status).toBe(405);
    expect(post.header('Content-Type')).toBe('text/html');
    expect(post.header('Allow')).toBe('HEAD, OPTIONS, GET');
    expect(post.body.toString()).toContain('<title>405 Method Not Allowed</title>');
    const postUnknown = await rawRequest(sim.port, '/ORD/2-0-0/nowhere', { method: 'DELETE' });
    expect(postUnknown.status).toBe(404);
  });

  it('header names are sent as Flask spells them', async () => {
    const r = await rawRequest(sim.port, '/ORD/2-0-0/organisations?Name=nhs');
    const names = r.headers.map(([k]) => k);
    for (const n of [
      'Content-Type',
      'Content-Length',
      'X-Total-Count',
      'Access-Control-Expose-Headers',
      'Returned-Records',
      'Next-Page',
      'Access-Control-Allow-Origin',
      'Server',
      'Date',
    ]) {
      expect(names).toContain(n);
    }
    expect(r.header('Server')).toBe('Werkzeug/0.12.2 Python/3.6.8');
  });
});

describe('sync', () => {
  it('validates: unknown/repeated args, missing date, format, real date, window', async () => {
    const today = sim.today;
    expect(await error406('sync')).toBe('Supplied query must include some query parameters');
    expect(await error406('sync?_format=json')).toBe('Supplied query must include some query parameters');
    expect(await error406('sync?LastChangeDate=2026-04-01&Limit=5')).toBe('Unknown argument found.');
    expect(await error406('sync?LastChangeDate=2026-04-01&LastChangeDate=2026-04-02')).toBe(
      'Repeated LastChangeDate argument.',
    );
    expect(await error406('sync?LastChangeDate=')).toBe('Invalid date format.');
    expect(await error406('sync?LastChangeDate=2026-13-01')).toBe('Invalid date supplied.');
    expect(await error406(`sync?LastChangeDate=${addDays(today, 1)}`)).toBe(
      'Supplied LastChangeDate date must be a past date, not future.',
    );
    expect(await error406(`sync?LastChangeDate=${addDays(today, -186)}`)).toBe(
      'Supplied LastChangeDate exceeds the limit of 185 days past.',
    );
    expect((await get(`sync?LastChangeDate=${addDays(today, -185)}`)).status).toBe(200);
    expect((await get(`sync?LastChangeDate=${today}`)).status).toBe(200);
  });

  it('lists every record changed on or after the date, in dataset order, with X-Total-Count and no paging', async () => {
    const a = await get('sync?LastChangeDate=2026-04-01');
    expect(a.json.Organisations).toEqual(
      ['FBL', 'G6V2S', 'RRP', 'TAF'].map((c) => ({ OrgLink: `${PUBLIC}organisations/${c}` })),
    );
    expect(a.headers.get('x-total-count')).toBe('4');
    expect(a.headers.get('returned-records')).toBeNull();
    const none = await get(`sync?LastChangeDate=${sim.today}`);
    expect(none.text).toBe('{"Organisations": []}');
    expect(none.headers.get('x-total-count')).toBe('0');
  });

  it('`today` and `linkBaseUrl` options move the window and the links', async () => {
    const other = await startOrdSimulator({
      dataset: recordedDataset(),
      today: '2026-12-31',
      linkBaseUrl: 'http://sim.example/ORD/2-0-0',
    });
    try {
      expect(other.today).toBe('2026-12-31');
      expect((await get('sync?LastChangeDate=2026-04-01', undefined, other)).status).toBe(406);
      const a = await get('sync?LastChangeDate=2026-07-01', undefined, other);
      expect(a.text).toBe('{"Organisations": []}');
      const s = await get('organisations?Name=nhs&Limit=1', undefined, other);
      expect(s.json.Organisations[0].OrgLink).toMatch(/^http:\/\/sim\.example\/ORD\/2-0-0\/organisations\/[A-Z0-9]+$/);
      expect(s.headers.get('next-page')).toBe('http://sim.example/ORD/2-0-0/organisations?Name=nhs&Limit=1&Offset=1');
    } finally {
      await other.close();
    }
  });
});
