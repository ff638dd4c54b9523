// The simulator over the real built datasets (loadDataset 'small' and 'full'): every record served byte-for-byte as
// Python would serialise it, code systems and search/sync rows in ORD's format, and the 1000-row search on the full tier.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { OrdDataset } from '../src/dataset/types.js';
import { pythonJsonDumps } from '../src/simulators/ord/json.js';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { Agent, request } from 'undici';
import { ORD_SUMMARY_KEY_ORDER, readRecordedJson } from './helpers/recordedDataset.js';

const agent = new Agent({ connections: 8 });
async function get(url: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const res = await request(url, { dispatcher: agent });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
  return { status: res.statusCode, headers, text };
}

const primaryOf = (o: { Roles: { Role: { id: string; primaryRole?: true }[] } }) =>
  o.Roles.Role.find((r) => r.primaryRole)?.id;
const byNameThenCode = (a: { Name: string; OrgId: string }, b: { Name: string; OrgId: string }) =>
  a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : a.OrgId < b.OrgId ? -1 : a.OrgId > b.OrgId ? 1 : 0;

afterAll(async () => {
  await agent.close();
});

describe('small tier (loadDataset)', () => {
  let sim: OrdSimulator;
  let data: OrdDataset;
  beforeAll(async () => {
    data = loadDataset('small');
    sim = await startOrdSimulator({ tier: 'small' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('loads the tier itself and takes "today" from the dataset', () => {
    expect(sim.organisationCount).toBe(data.organisations.size);
    expect(sim.today).toBe(data.asOf);
  });

  it('serves every record as Python json.dumps of {"Organisation": record}', async () => {
    const codes = [...data.organisations.keys()];
    for (let i = 0; i < codes.length; i += 16) {
      await Promise.all(
        codes.slice(i, i + 16).map(async (code) => {
          const r = await get(`${sim.baseUrl}organisations/${encodeURIComponent(code.toLowerCase())}`);
          expect(r.status, code).toBe(200);
          expect(r.text).toBe(pythonJsonDumps({ Organisation: data.organisations.get(code) }));
          expect(r.headers['content-length']).toBe(String(r.text.length));
        }),
      );
    }
  });

  it('code systems keep the recorded item shape; every primary role in use is listed', async () => {
    const roles = JSON.parse((await get(`${sim.baseUrl}roles`)).text) as { Roles: Record<string, unknown>[] };
    const recordedKeys = Object.keys(
      readRecordedJson<{ Roles: Record<string, unknown>[] }>('roles.json').Roles[0] ?? {},
    );
    for (const r of roles.Roles) {
      expect(Object.keys(r)).toEqual(recordedKeys);
      expect(['true', 'false']).toContain(r.primaryRole);
      expect(typeof r.code).toBe('string');
    }
    const listed = new Set(roles.Roles.map((r) => r.id));
    for (const o of data.organisations.values()) expect(listed.has(primaryOf(o) ?? '')).toBe(true);
    const one = await get(`${sim.baseUrl}roles/${String(roles.Roles[0]?.id)}`);
    expect(one.text).toBe(pythonJsonDumps({ Roles: [roles.Roles[0]] }));
    const rels = await get(`${sim.baseUrl}rels`);
    expect(rels.text).toBe(pythonJsonDumps({ Relationships: data.rels }));
    const rcs = await get(`${sim.baseUrl}recordclasses`);
    expect(rcs.text).toBe(pythonJsonDumps({ RecordClasses: data.recordClasses }));
  });

  it('paging through a whole search yields every match once, sorted, in summary format', async () => {
    const role = 'RO177';
    const expected = [...data.organisations.values()].filter((o) => primaryOf(o) === role);
    expect(expected.length).toBeGreaterThan(25);
    const roleName = data.roles.find((r) => r.id === role)?.displayName;
    const seen: Record<string, unknown>[] = [];
    let url: string | undefined = `${sim.baseUrl}organisations?PrimaryRoleId=${role}&Limit=25`;
    while (url) {
      const r = await get(url);
      expect(r.headers['x-total-count']).toBe(String(expected.length));
      const doc = JSON.parse(r.text) as { Organisations: Record<string, unknown>[] };
      expect(pythonJsonDumps(doc)).toBe(r.text);
      seen.push(...doc.Organisations);
      // Links point at ORD's public host by default; follow them on the simulator.
      url = r.headers['next-page']?.replace('https://directory.spineservices.nhs.uk/ORD/2-0-0/', sim.baseUrl);
    }
    expect(seen.map((s) => s.OrgId)).toEqual(
      expected
        .map((o) => ({ Name: o.Name, OrgId: o.OrgId.extension }))
        .sort(byNameThenCode)
        .map((o) => o.OrgId),
    );
    for (const s of seen) {
      expect(Object.keys(s)).toEqual(ORD_SUMMARY_KEY_ORDER.filter((k) => k in s));
      expect(s.PrimaryRoleDescription).toBe(roleName);
    }
  });

  it('membership search finds the organisations with that relationship', async () => {
    const withRel = [...data.organisations.values()].find((o) => (o.Rels?.Rel.length ?? 0) > 0);
    const rel = withRel?.Rels?.Rel[0];
    expect(rel).toBeDefined();
    if (!withRel || !rel) return;
    const target = rel.Target.OrgId.extension;
    const expected = [...data.organisations.values()].filter((o) =>
      (o.Rels?.Rel ?? []).some(
        (r) => r.id === rel.id && r.Target.OrgId.extension === target && r.Status === rel.Status,
      ),
    );
    const r = await get(
      `${sim.baseUrl}organisations?RelTypeId=${rel.id}&TargetOrgId=${target}&RelStatus=${rel.Status.toLowerCase()}&Limit=1000`,
    );
    const got = (JSON.parse(r.text) as { Organisations: { OrgId: string }[] }).Organisations.map((o) => o.OrgId).sort();
    expect(got).toEqual(expected.map((o) => o.OrgId.extension).sort());
    expect(got).toContain(withRel.OrgId.extension);
  });

  it('sync lists recent changes in dataset order', async () => {
    const date = new Date(Date.parse(`${data.asOf}T00:00:00Z`) - 185 * 86_400_000).toISOString().slice(0, 10);
    const r = await get(`${sim.baseUrl}sync?LastChangeDate=${date}`);
    const doc = JSON.parse(r.text) as { Organisations: { OrgLink: string }[] };
    const expected = [...data.organisations.values()]
      .filter((o) => o.LastChangeDate >= date)
      .map((o) => o.OrgId.extension);
    expect(doc.Organisations.map((i) => i.OrgLink.split('/').pop())).toEqual(expected);
    expect(r.headers['x-total-count']).toBe(String(expected.length));
  });
});

describe('full tier', () => {
  let sim: OrdSimulator;
  let data: OrdDataset;
  beforeAll(async () => {
    data = loadDataset('full');
    sim = await startOrdSimulator({ tier: 'full' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers a 1000-row search over the whole dataset, sorted, with paging headers', async () => {
    const expected = [...data.organisations.values()]
      .filter((o) => primaryOf(o) === 'RO198')
      .map((o) => ({ Name: o.Name, OrgId: o.OrgId.extension }))
      .sort(byNameThenCode);
    expect(expected.length).toBeGreaterThan(2000);
    const r = await get(`${sim.baseUrl}organisations?PrimaryRoleId=RO198&Limit=1000&Offset=1000`);
    expect(r.status).toBe(200);
    expect(r.headers['x-total-count']).toBe(String(expected.length));
    expect(r.headers['returned-records']).toBe('1000');
    expect(r.headers['next-page']).toBe(
      'https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations?PrimaryRoleId=RO198&Limit=1000&Offset=2000',
    );
    expect(r.headers['previous-page']).toBe(
      'https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations?PrimaryRoleId=RO198&Limit=1000',
    );
    const rows = (JSON.parse(r.text) as { Organisations: { OrgId: string }[] }).Organisations;
    expect(rows.map((o) => o.OrgId)).toEqual(expected.slice(1000, 2000).map((o) => o.OrgId));
  });
});
