// The simulator's /notifications against the documented example's bytes, its 185-day window and 406s, and the
// in-process change API (applyChanges): deletions answer 404 and are listed, changed records show in /sync.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdDeletedOrganisation, OrdOrganisation } from '../src/sources/ord/types.js';
import { rawRequest } from './helpers/http.js';
import { readRecordedJson, recordedDataset } from './helpers/recordedDataset.js';

const EXAMPLE = readFileSync(
  fileURLToPath(new URL('../data/recorded/ord-xml/notifications_example.json', import.meta.url)),
);
const exampleDeletions = (): OrdDeletedOrganisation[] =>
  (JSON.parse(EXAMPLE.toString('utf8')) as { DeletedOrganisations: OrdDeletedOrganisation[] }).DeletedOrganisations;

let sim: OrdSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: { today: string; deletions?: OrdDeletedOrganisation[] }): Promise<OrdSimulator> {
  const dataset = { ...recordedDataset(), deletions: options.deletions };
  sim = await startOrdSimulator({ dataset, today: options.today });
  return sim;
}
const get = (s: OrdSimulator, path: string) => rawRequest(s.port, `/ORD/2-0-0/${path}`);
const record = (code: string) => readRecordedJson<{ Organisation: OrdOrganisation }>(`organisations_${code}.json`);

describe('/notifications', () => {
  it('answers the documented example byte for byte, with JSON and download headers', async () => {
    const s = await start({ today: '2023-09-10', deletions: exampleDeletions() });
    const r = await get(s, 'notifications');
    expect(r.status).toBe(200);
    expect(r.body.equals(EXAMPLE)).toBe(true);
    expect(r.body.toString('latin1')).toContain('\t\t\t"OrgID": "I8M8X",\n');
    expect(r.header('content-type')).toBe('application/json');
    expect(r.header('content-length')).toBe(String(EXAMPLE.length));
    expect(r.header('content-disposition')).toBe('attachment; filename=notifications.json');
    expect(r.header('access-control-allow-origin')).toBe('*');
    expect(s.requests().map((q) => [q.endpoint, q.path, q.status])).toEqual([['notifications', 'notifications', 200]]);
  });

  it('answers an empty list when nothing was deleted', async () => {
    const s = await start({ today: '2026-04-15' });
    const r = await get(s, 'notifications');
    expect(r.status).toBe(200);
    expect(r.body.toString('latin1')).toBe('{\n\t"DeletedOrganisations": []\n}\n');
  });

  it('lists a deletion for 185 days, then no more', async () => {
    // 2023-09-01 + 185 days = 2024-03-04.
    const last = await start({ today: '2024-03-04', deletions: exampleDeletions() });
    const onLastDay = JSON.parse((await get(last, 'notifications')).body.toString('utf8')) as {
      DeletedOrganisations: OrdDeletedOrganisation[];
    };
    expect(onLastDay.DeletedOrganisations.map((d) => d.OrgID)).toEqual(['I8M8X', 'F3W7C']);
    last.applyChanges({ today: '2024-03-05' });
    expect((await get(last, 'notifications')).body.toString('latin1')).toBe('{\n\t"DeletedOrganisations": []\n}\n');
  });

  it('refuses any parameter but _format with ORD’s 406 text', async () => {
    const s = await start({ today: '2023-09-10', deletions: exampleDeletions() });
    for (const path of ['notifications?LastChangeDate=2023-09-01', 'notifications?Limit=1', 'notifications?x=']) {
      const r = await get(s, path);
      expect(r.status, path).toBe(406);
      expect(JSON.parse(r.body.toString('utf8')), path).toEqual({
        errorCode: 406,
        errorText: 'Unknown argument found.',
      });
    }
    expect((await get(s, 'notifications?_format=json')).body.equals(EXAMPLE)).toBe(true);
    expect((await get(s, 'notifications?_format=xml')).body.equals(EXAMPLE)).toBe(true);
    const badDialect = await get(s, 'notifications?_format=csv');
    expect(badDialect.status).toBe(406);
    expect(JSON.parse(badDialect.body.toString('utf8')).errorText).toBe('Unknown dialect specified "csv"');
    expect((await get(s, 'notifications/I8M8X')).status).toBe(404);
  });
});

describe('applyChanges', () => {
  it('deletes a code: 404 afterwards, listed with today’s time and its primary role', async () => {
    const s = await start({ today: '2026-04-15' });
    expect((await get(s, 'organisations/RWR')).status).toBe(200);
    const before = s.organisationCount;
    s.applyChanges({ today: '2026-04-20', delete: [{ odsCode: 'RWR', reason: 2 }] });
    expect(s.today).toBe('2026-04-20');
    expect(s.organisationCount).toBe(before - 1);
    expect((await get(s, 'organisations/RWR')).status).toBe(404);
    const body = JSON.parse((await get(s, 'notifications')).body.toString('utf8'));
    expect(body).toEqual({
      DeletedOrganisations: [
        {
          OrgID: 'RWR',
          PrimaryRoleId: 'RO197',
          reason: { code: 2, description: 'ORG DOES NOT EXIST' },
          time: '2026-04-20 00:00:00',
          type: { code: 1, description: 'Machine' },
        },
      ],
    });
    expect(() => s.applyChanges({ delete: [{ odsCode: 'NOSUCH1' }] })).toThrow(/no such code/);
  });

  it('upserts: a renamed record in ORD’s key order with LastChangeDate = today, listed by /sync; a new code served', async () => {
    const s = await start({ today: '2026-04-15' });
    const { LastChangeDate: _old, ...x26 } = record('X26').Organisation;
    const added = { ...record('X26').Organisation, Name: 'A NEW TEST ORGANISATION' };
    added.OrgId = { ...added.OrgId, extension: 'ZZ9NEW' };
    added.LastChangeDate = '2026-04-12';
    s.applyChanges({ today: '2026-04-16', upsert: [{ ...x26, Name: 'NHS DIGITAL RENAMED' }, added] });

    const fetched = JSON.parse((await get(s, 'organisations/X26')).body.toString('utf8')).Organisation;
    expect(fetched.Name).toBe('NHS DIGITAL RENAMED');
    expect(fetched.LastChangeDate).toBe('2026-04-16');
    expect(Object.keys(fetched)).toEqual(Object.keys(record('X26').Organisation));

    const sync = JSON.parse((await get(s, 'sync?LastChangeDate=2026-04-16')).body.toString('utf8'));
    expect(sync.Organisations).toEqual([
      { OrgLink: 'https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations/X26' },
    ]);
    const since12 = JSON.parse((await get(s, 'sync?LastChangeDate=2026-04-12')).body.toString('utf8'));
    expect(since12.Organisations.map((o: { OrgLink: string }) => o.OrgLink.split('/').pop()).sort()).toEqual(
      ['X26', 'ZZ9NEW'].sort(),
    );

    const created = JSON.parse((await get(s, 'organisations/ZZ9NEW')).body.toString('utf8')).Organisation;
    expect(created.Name).toBe('A NEW TEST ORGANISATION');
    const search = await get(s, 'organisations?Name=A%20NEW%20TEST');
    expect(JSON.parse(search.body.toString('utf8')).Organisations.map((o: { OrgId: string }) => o.OrgId)).toEqual([
      'ZZ9NEW',
    ]);
    // The shared fixture is untouched: another simulator still serves the recorded name.
    expect(recordedDataset().organisations.get('X26')?.Name).toBe('NHS DIGITAL');
  });

  it('re-creating a deleted code withdraws its notice', async () => {
    const s = await start({ today: '2026-04-15' });
    const rwr = record('RWR').Organisation;
    s.applyChanges({ delete: [{ odsCode: 'RWR' }] });
    expect(JSON.parse((await get(s, 'notifications')).body.toString('utf8')).DeletedOrganisations).toHaveLength(1);
    s.applyChanges({ upsert: [rwr] });
    expect((await get(s, 'organisations/RWR')).status).toBe(200);
    expect(JSON.parse((await get(s, 'notifications')).body.toString('utf8')).DeletedOrganisations).toEqual([]);
  });
});
