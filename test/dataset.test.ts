// Tests for the deterministic national ORD dataset (src/dataset): real counts and records from data/, closed joins,
// ORD key order, no empty values, real records kept byte-for-byte, and determinism across builds.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, loadDataset } from '../src/dataset/build.js';
import { readCodeSystems } from '../src/dataset/codeSystems.js';
import { parseCsv } from '../src/dataset/csv.js';
import type { BuiltDataset, DatasetTier } from '../src/dataset/types.js';
import type { OrdOrganisation, OrdRoleType } from '../src/sources/ord/types.js';

const readJson = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../data/${path}`, import.meta.url), 'utf8'));
const realOrganisation = (path: string): OrdOrganisation =>
  (readJson(path) as { Organisation: OrdOrganisation }).Organisation;

const primaryRole = (r: OrdOrganisation): string | undefined => r.Roles.Role.find((x) => x.primaryRole === true)?.id;
const countRecords = (d: BuiltDataset, role: string, refOnly = false): number =>
  [...d.organisations.values()].filter((r) => primaryRole(r) === role && (r.refOnly === true) === refOnly).length;

function get(d: BuiltDataset, code: string): OrdOrganisation {
  const record = d.organisations.get(code);
  if (record === undefined) throw new Error(`${code} is not in the ${d.tier} tier`);
  return record;
}

function datasetHash(d: BuiltDataset): string {
  const hash = createHash('sha256');
  for (const [code, record] of d.organisations) hash.update(`${code}\n${JSON.stringify(record)}\n`);
  hash.update(JSON.stringify([d.roles, d.rels, d.recordClasses, d.synthetic, [...d.realRecordFiles]]));
  return hash.digest('hex');
}

let full: BuiltDataset;
let small: BuiltDataset;
beforeAll(() => {
  full = loadDataset('full');
  small = loadDataset('small');
});

describe('csv parser', () => {
  it('reads quoted ODS rows, "" escapes, unquoted rows and CRLF', () => {
    expect(parseCsv('"A81001","THE ""DENSHAM"" SURGERY","",""\r\nK0N6A,THE ONLINE NHS TRUST,,\n')).toEqual([
      ['A81001', 'THE "DENSHAM" SURGERY', '', ''],
      ['K0N6A', 'THE ONLINE NHS TRUST', '', ''],
    ]);
  });
});

describe('full tier: node counts from the sources', () => {
  it('has the 7 NHS England regions and 42 ICBs', () => {
    expect(countRecords(full, 'RO209')).toBe(7);
    for (const y of ['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63']) expect(primaryRole(get(full, y))).toBe('RO209');
    expect(countRecords(full, 'RO261')).toBe(42);
    const qmj = get(full, 'QMJ');
    expect(qmj.Name).toBe('NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD');
    expect(qmj.Roles.Role.map((r) => r.id)).toEqual(['RO261', 'RO318']);
    expect(qmj.Rels?.Rel.map((r) => [r.id, r.Target.OrgId.extension])).toEqual([['RE5', 'Y56']]);
  });

  it('has all 15,407 prescribing cost centres, 1,385 PCNs, 320 eccg records, 274 trusts and 38,093 trust sites', () => {
    expect(countRecords(full, 'RO177')).toBe(15_407);
    expect(countRecords(full, 'RO272')).toBe(1_385);
    expect(countRecords(full, 'RO98')).toBe(320);
    // etr (273) ∪ the ORD-active list (adds K0N6A); the real RRP/G6V2S records replace their generated twins.
    expect(countRecords(full, 'RO197')).toBe(274);
    expect(countRecords(full, 'RO198')).toBe(38_093);
    const sites = [...full.organisations.values()].filter((r) => primaryRole(r) === 'RO198' && r.refOnly !== true);
    expect(sites.every((s) => s.orgRecordClass === 'RC2')).toBe(true);
  });

  it('counts sub-ICB locations, reporting entities and GP practices as docs/ord-data.md §4 does', () => {
    const records = [...full.organisations.values()];
    const withRole = (role: string, active = true): number =>
      records.filter((r) => r.Roles.Role.some((x) => x.id === role) && (!active || r.Status === 'Active')).length;
    expect(withRole('RO319')).toBe(106);
    expect(withRole('RO326')).toBe(6);
    expect(withRole('RO327')).toBe(37);
    expect(withRole('RO76', false)).toBe(8_189);
  });
});

describe('a known GP practice: A81001 THE DENSHAM SURGERY', () => {
  it('has its address, phone, roles and relationships from epraccur and the partner file', () => {
    const r = get(full, 'A81001');
    expect(r.Name).toBe('THE DENSHAM SURGERY');
    expect(r.Status).toBe('Active');
    expect(r.Date).toEqual([{ Type: 'Operational', Start: '1974-04-01' }]);
    expect(r.GeoLoc?.Location).toEqual({
      AddrLn1: 'HEALTH CENTRE',
      AddrLn2: 'LAWSON STREET',
      Town: 'STOCKTON-ON-TEES',
      PostCode: 'TS18 1HU',
      Country: 'ENGLAND',
    });
    expect(r.Contacts).toEqual({ Contact: [{ type: 'tel', value: '01642 672351' }] });
    expect(r.Roles.Role.map((x) => [x.id, x.primaryRole ?? false])).toEqual([
      ['RO177', true],
      ['RO76', false],
    ]);
    const rels = r.Rels?.Rel ?? [];
    const re4 = rels.find((x) => x.id === 'RE4' && x.Status === 'Active');
    expect(re4?.Target.OrgId.extension).toBe('16C');
    expect(re4?.Date).toEqual([{ Type: 'Operational', Start: '2020-04-01' }]);
    expect(re4?.Target.PrimaryRoleId.id).toBe('RO98');
    const re8 = rels.find((x) => x.id === 'RE8');
    expect(re8?.Target.OrgId.extension).toBe('U89141'); // STOCKTON PCN, partner file cols 5 and 9
    expect(re8?.Date).toEqual([{ Type: 'Operational', Start: '2019-10-01' }]);
    expect(rels.find((x) => x.id === 'RE6')?.Target.OrgId.extension).toBe('16C');
    // epcmem 2019 history: 5E1 (PCT) 2001–2013, then 00K (CCG) until the 16C relationship started.
    const historic = rels
      .filter((x) => x.id === 'RE4' && x.Status === 'Inactive')
      .map((x) => [x.Target.OrgId.extension, x.Date[0]?.End]);
    expect(historic).toContainEqual(['5E1', '2013-03-31']);
    expect(historic).toContainEqual(['00K', '2020-03-31']);
    expect(get(full, 'U89141').Name).toBe('STOCKTON PCN');
    expect(get(full, 'U89141').Rels?.Rel[0]?.Target.OrgId.extension).toBe('16C');
  });
});

describe('trusts and trust sites', () => {
  it('links a generated trust site to its trust with RE6 and keeps the real sample name', () => {
    const site = get(full, 'A0A1E'); // ods-parents: A0A1E → RWR; ord-sample: CAMHS - ADASH, AL10 8HR
    expect(site.orgRecordClass).toBe('RC2');
    expect(site.Name).toBe('CAMHS - ADASH');
    expect(site.GeoLoc?.Location.PostCode).toBe('AL10 8HR');
    expect(site.Rels?.Rel.map((r) => [r.id, r.Target.OrgId.extension, r.Target.PrimaryRoleId])).toEqual([
      ['RE6', 'RWR', { id: 'RO197', uniqueRoleId: 102782 }], // RWR's real primary uniqueRoleId
    ]);
  });

  it('names sites without a sample after their trust and lists the name as synthetic', () => {
    const siteCode = [...full.organisations.keys()].find(
      (c) => c.startsWith('RNK') && c.length === 5 && full.organisations.get(c)?.refOnly !== true,
    );
    expect(siteCode).toBeDefined();
    const site = get(full, siteCode as string);
    expect(site.Name).toBe(`TAVISTOCK AND PORTMAN NHS FOUNDATION TRUST SITE ${siteCode}`);
    expect(full.synthetic.some((s) => s.odsCode === siteCode && s.path === 'Name')).toBe(true);
  });

  it('keeps legally closed but ORD-active trusts Active, and infers RO57 for foundation trusts', () => {
    const rnk = get(full, 'RNK');
    expect(rnk.Status).toBe('Active');
    expect(rnk.Roles.Role.map((r) => r.id)).toEqual(['RO197', 'RO57']);
    expect(rnk.Rels?.Rel.map((r) => [r.id, r.Target.OrgId.extension])).toEqual([
      ['RE5', 'QMJ'],
      ['RE8', 'QMJ'],
    ]);
    expect(full.synthetic.some((s) => s.odsCode === 'RNK' && s.path === 'Roles.Role[1]')).toBe(true);
    const legallyClosedActive = [...full.organisations.values()].filter(
      (r) =>
        primaryRole(r) === 'RO197' &&
        r.Status === 'Active' &&
        r.Date.some((d) => d.Type === 'Legal' && d.End !== undefined && d.End < full.asOf) &&
        !full.realRecordFiles.has(r.OrgId.extension),
    );
    expect(legallyClosedActive.length).toBeGreaterThanOrEqual(39); // 41 in etr, minus RRP and TAF which are real records
  });
});

describe('successions', () => {
  it('stores RY2 → RWW (2026-04-01) on both records with different ids and the right target roles', () => {
    const ry2 = get(full, 'RY2');
    const rww = get(full, 'RWW');
    const onOld = ry2.Succs?.Succ.find((s) => s.Target.OrgId.extension === 'RWW');
    const onNew = rww.Succs?.Succ.find((s) => s.Target.OrgId.extension === 'RY2');
    expect(onOld?.Type).toBe('Successor');
    expect(onNew?.Type).toBe('Predecessor');
    expect(onOld?.Date).toEqual([{ Type: 'Legal', Start: '2026-04-01' }]);
    expect(onNew?.Date).toEqual([{ Type: 'Legal', Start: '2026-04-01' }]);
    expect(onOld?.uniqueSuccId).not.toBe(onNew?.uniqueSuccId);
    expect(onOld?.Target.PrimaryRoleId).toEqual({ id: 'RO197', uniqueRoleId: rww.Roles.Role[0]?.uniqueRoleId });
    expect(onNew?.Target.PrimaryRoleId).toEqual({ id: 'RO197', uniqueRoleId: ry2.Roles.Role[0]?.uniqueRoleId });
    expect(ry2.Status).toBe('Active'); // the succession is future-dated as of 2026-03-01
  });

  it('points RNK at the real G6V2S record with G6V2S’s real primary role id', () => {
    const succ = get(full, 'RNK').Succs?.Succ.find((s) => s.Target.OrgId.extension === 'G6V2S');
    expect(succ?.Type).toBe('Successor');
    expect(succ?.Target.PrimaryRoleId).toEqual({ id: 'RO197', uniqueRoleId: 527938 });
  });

  it('makes refOnly stubs for the April 2026 ICBs, reusing the id a real record quotes', () => {
    const z = get(full, 'Z9B2Z');
    expect(z.refOnly).toBe(true);
    expect(z.Status).toBe('Inactive');
    expect(z.Roles.Role).toEqual([
      {
        id: 'RO261',
        uniqueRoleId: 550372,
        primaryRole: true,
        Date: [{ Type: 'Operational', Start: '2026-04-01' }],
        Status: 'Inactive',
      },
    ]);
    expect(z.Rels).toBeUndefined();
    expect(z.Succs).toBeUndefined();
    expect(get(full, 'QMJ').Succs?.Succ.map((s) => [s.Type, s.Target.OrgId.extension])).toEqual([
      ['Successor', 'Z9B2Z'],
    ]);
    expect(get(full, 'QMJ').Status).toBe('Active'); // ends 2026-03-31, after the as-of date
  });
});

describe('real records', () => {
  const realFiles = (): [string, string][] => [...full.realRecordFiles];

  it('includes all 13 distinct real records (RJY is in both folders)', () => {
    expect(realFiles().map(([code]) => code)).toEqual([
      '97T',
      'FBL',
      'G6V2S',
      'RCZ',
      'RHC',
      'RJY',
      'RP2',
      'RRP',
      'RRQ',
      'RVVKC',
      'RWR',
      'TAF',
      'X26',
    ]);
  });

  it.each(['full', 'small'] as DatasetTier[])('keeps every real record unmodified in the %s tier', (tier) => {
    const d = tier === 'full' ? full : small;
    for (const [code, file] of realFiles()) {
      expect(JSON.stringify(get(d, code))).toBe(JSON.stringify(realOrganisation(file)));
    }
  });
});

describe('joins, code systems and shape', () => {
  it.each(['full', 'small'] as DatasetTier[])(
    'resolves every Rel and Succ target in the %s tier, with the target’s primary role',
    (tier) => {
      const d = tier === 'full' ? full : small;
      const realCodes = new Set(d.realRecordFiles.keys());
      const problems: string[] = [];
      let checked = 0;
      for (const [code, record] of d.organisations) {
        const targets = [
          ...(record.Rels?.Rel ?? []).map((r) => r.Target),
          ...(record.Succs?.Succ ?? []).map((s) => s.Target),
        ];
        for (const t of targets) {
          checked++;
          const target = d.organisations.get(t.OrgId.extension);
          if (target === undefined) problems.push(`${code} → ${t.OrgId.extension}: missing`);
          if (realCodes.has(code) || target === undefined) continue; // real records quote ORD's ids, not ours
          const role = target.Roles.Role.find((x) => x.primaryRole === true);
          if (t.PrimaryRoleId.id !== role?.id || t.PrimaryRoleId.uniqueRoleId !== role.uniqueRoleId) {
            problems.push(`${code} → ${t.OrgId.extension}: quotes ${JSON.stringify(t.PrimaryRoleId)}`);
          }
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(tier === 'full' ? 100_000 : 1_000);
    },
  );

  it('serves the recorded code systems first, then the added codes, and covers every role used', () => {
    const recorded = (readJson('recorded/roles_2022-10-12.reconstructed.json') as { Roles: OrdRoleType[] }).Roles;
    expect(full.roles.slice(0, 190)).toEqual(recorded);
    expect(full.roles.slice(190).map((r) => r.id)).toEqual([
      'RO321',
      'RO323',
      'RO326',
      'RO327',
      'RO328',
      'RO248',
      'RO253',
    ]);
    expect(full.rels.map((r) => r.id)).toEqual(['RE3', 'RE6', 'RE4', 'RE5', 'RE2', 'RE8', 'RE9', 'RE10', 'RE11']);
    expect(full.recordClasses).toEqual(
      (readJson('recorded/recordclasses.json') as { RecordClasses: unknown }).RecordClasses,
    );
    const ids = new Set(full.roles.map((r) => r.id));
    const unknown = new Set<string>();
    for (const record of full.organisations.values())
      for (const role of record.Roles.Role) if (!ids.has(role.id)) unknown.add(role.id);
    expect([...unknown]).toEqual([]);
    expect(readCodeSystems().roles).toEqual(full.roles);
  });

  it('keeps records in code order with unique ids in 1..700,000 per record', () => {
    const codes = [...full.organisations.keys()];
    expect(codes).toEqual([...codes].sort());
    const problems: string[] = [];
    for (const [code, record] of full.organisations) {
      if (full.realRecordFiles.has(code)) continue;
      const ids = [
        ...record.Roles.Role.map((r) => `role:${r.uniqueRoleId}`),
        ...(record.Rels?.Rel ?? []).map((r) => `rel:${r.uniqueRelId}`),
        ...(record.Succs?.Succ ?? []).map((s) => `succ:${s.uniqueSuccId}`),
      ];
      if (new Set(ids).size !== ids.length) problems.push(`${code}: duplicate ids`);
      for (const id of ids) {
        const n = Number(id.split(':')[1]);
        if (!(Number.isInteger(n) && n >= 1 && n <= 700_000)) problems.push(`${code}: ${id} out of range`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('has no null, undefined, empty string, empty array or empty object anywhere', () => {
    const problems: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === null || value === undefined || value === '') problems.push(path);
      else if (Array.isArray(value)) {
        if (value.length === 0) problems.push(path);
        value.forEach((v, i) => walk(v, `${path}[${i}]`));
      } else if (typeof value === 'object') {
        const entries = Object.entries(value);
        if (entries.length === 0) problems.push(path);
        for (const [k, v] of entries) walk(v, `${path}.${k}`);
      }
    };
    for (const [code, record] of full.organisations) walk(record, code);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('emits keys in the real records’ order at every level', () => {
    const rrp = realOrganisation('sources/nhs-uec-analytics-ord-json/RRP.json');
    const g6v2s = realOrganisation('sources/nhs-uec-analytics-ord-json/G6V2S.json');
    const rjy = realOrganisation('sources/nhs-uec-analytics-ord-json/RJY.json');
    const rwr = realOrganisation('recorded/organisations_RWR.json');
    const keys = (o: object | undefined): string[] => Object.keys(o ?? {});
    /** Generated keys must appear in the same relative order as the real ones (optional keys may be absent). */
    const inRealOrder = (generated: string[], real: string[]): void => {
      expect(generated.filter((k) => real.includes(k))).toEqual(generated);
      expect(generated).toEqual(real.filter((k) => generated.includes(k)));
    };

    const rww = get(full, 'RWW'); // generated trust with GeoLoc, Contacts, Roles, Rels and Succs, like RRP
    expect(keys(rww)).toEqual(keys(rrp));
    expect(keys(rww.OrgId)).toEqual(keys(rrp.OrgId));
    inRealOrder(keys(rww.GeoLoc?.Location), [
      'AddrLn1',
      'AddrLn2',
      'AddrLn3',
      'Town',
      'County',
      'PostCode',
      'Country',
      'UPRN',
    ]);
    expect(keys(rww.Contacts?.Contact[0])).toEqual(keys(rrp.Contacts?.Contact[0]));
    expect(keys(rww.Roles.Role[0])).toEqual(keys(rwr.Roles.Role[0])); // primary
    expect(keys(rww.Roles.Role[1])).toEqual(keys(rwr.Roles.Role[1])); // non-primary: no primaryRole key
    // RWW is open with Operational and Legal starts and no ends, as G6V2S is.
    for (const [g, r] of [
      [rww.Date, g6v2s.Date],
      [rww.Roles.Role[0]?.Date, g6v2s.Roles.Role[0]?.Date],
    ] as const) {
      expect(g?.map(keys)).toEqual(r?.map(keys));
    }
    const rel = rww.Rels?.Rel[0];
    const realRel = rrp.Rels?.Rel[4];
    expect(keys(rel)).toEqual(keys(realRel));
    expect(keys(rel?.Target)).toEqual(keys(realRel?.Target));
    expect(keys(rel?.Target.PrimaryRoleId)).toEqual(keys(realRel?.Target.PrimaryRoleId));
    const succ = rww.Succs?.Succ[0];
    const realSucc = g6v2s.Succs?.Succ[0];
    expect(keys(succ)).toEqual(keys(realSucc));
    expect(keys(succ?.Target)).toEqual(keys(realSucc?.Target));
    expect(succ?.Date.map(keys)).toEqual(realSucc?.Date.map(keys));

    const stub = get(full, 'Z9B2Z'); // refOnly stub vs the real refOnly RJY (the stub has no address)
    inRealOrder(keys(stub), keys(rjy));
    expect(keys(stub.Roles.Role[0])).toEqual(keys(rjy.Roles.Role[0]));
  });
});

describe('small tier (QMJ, North Central London)', () => {
  it('holds the ICB, its region, its sub-ICB locations and reporting entities, trusts, PCNs, practices and sites', () => {
    for (const code of ['QMJ', 'Y56', '93C', 'B1G9X', 'RNK', 'RAL', 'G6V2S', 'Z9B2Z'])
      expect(small.organisations.has(code), code).toBe(true);
    const records = [...small.organisations.values()];
    const pointsAt = (r: OrdOrganisation, code: string): boolean =>
      (r.Rels?.Rel ?? []).some((x) => x.Target.OrgId.extension === code);
    // Every practice commissioned by the NCL sub-ICB location 93C, and every site of a NCL trust, is included.
    const practices93C = [...full.organisations.values()].filter(
      (r) => primaryRole(r) === 'RO177' && pointsAt(r, '93C'),
    );
    expect(practices93C.length).toBeGreaterThan(100);
    for (const p of practices93C) expect(small.organisations.has(p.OrgId.extension)).toBe(true);
    const ralSites = [...full.organisations.values()].filter((r) => primaryRole(r) === 'RO198' && pointsAt(r, 'RAL'));
    expect(ralSites.length).toBeGreaterThan(10);
    for (const s of ralSites) expect(small.organisations.has(s.OrgId.extension)).toBe(true);
    // …but nothing from elsewhere in England unless something in the tier points at it.
    expect(small.organisations.has('A81001')).toBe(false);
    expect(records.length).toBeLessThan(full.organisations.size / 10);
    // Records are the very same objects as in the full tier (a projection), so ids agree across tiers.
    expect(small.organisations.get('QMJ')).toBe(full.organisations.get('QMJ'));
    expect(small.synthetic.every((s) => small.organisations.has(s.odsCode))).toBe(true);
  });
});

describe('determinism', () => {
  it('builds the small tier identically twice (bypassing the memo) and the same as the memoised one', () => {
    const a = datasetHash(buildDataset('small'));
    const b = datasetHash(buildDataset('small'));
    expect(a).toBe(b);
    expect(datasetHash(small)).toBe(a);
  });

  it('builds the full tier identically twice (bypassing the memo)', () => {
    const again = buildDataset('full');
    expect(datasetHash(again)).toBe(datasetHash(full));
    expect(loadDataset('full')).toBe(full); // memoised
  });
});
