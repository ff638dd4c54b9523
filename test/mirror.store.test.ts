// The mirror's store on both engines (SQLite in a temp file; a real PostgreSQL started by test/helpers/postgres.ts),
// filled from the small tier: records read back whole, searches equal ORD's (the simulator's) answers, walks, jobs, locks.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { Organisation } from '../src/domain/types.js';
import { SourceUnavailableError } from '../src/sources/errors.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { MirrorOrganisationSource } from '../src/sources/mirror/source.js';
import type { SqlMirrorStore } from '../src/sources/mirror/sqlStore.js';
import type { CodeSystemLists } from '../src/sources/mirror/store.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { toOrganisation, toRecordClass, toRelationshipType, toRoleType } from '../src/sources/ord/map.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import type { OrganisationSearch } from '../src/sources/types.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdSimulator } from '../src/simulators/ord/types.js';
import { postgresSkipReason, startPostgres, type RunningPostgres } from './helpers/postgres.js';

const dataset = loadDataset('small');
const records: Organisation[] = [...dataset.organisations.values()].map(toOrganisation);
const codeSystems: CodeSystemLists = {
  roleTypes: dataset.roles.map(toRoleType),
  relationshipTypes: dataset.rels.map(toRelationshipType),
  recordClasses: dataset.recordClasses.map(toRecordClass),
};
const byCode = new Map(records.map((r) => [r.odsCode, r]));
const primaryRoles = [...new Set(records.flatMap((r) => r.roles.filter((x) => x.isPrimary).map((x) => x.roleTypeId)))];

let sim: OrdSimulator;
let client: OrdClient;
let ord: OrdOrganisationSource;

beforeAll(async () => {
  sim = await startOrdSimulator({ tier: 'small', port: 0 });
  client = new OrdClient(
    { baseUrl: sim.baseUrl, rateLimit: 1000, maxConcurrency: 4, timeoutMs: 10000, maxRetries: 0, circuitFailures: 0 },
    { sleep: async () => {} },
  );
  ord = new OrdOrganisationSource(client);
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});

/** The search battery: every one is asked of the ORD simulator and of the mirror, and must get the same page. */
const BATTERY: { filter: OrganisationSearch; offset?: number; limit?: number }[] = [
  ...primaryRoles.map((role) => ({ filter: { primaryRoleTypeId: role } })),
  { filter: { name: 'whittington' } },
  { filter: { name: 'SURGERY' } },
  { filter: { name: 'medical centre' } },
  { filter: { name: 'ST_ ' } },
  { filter: { name: 'HEALTH_CENTRE' } },
  { filter: { name: 'nhs trust site', status: 'ACTIVE' } },
  { filter: { postcode: 'N1' } },
  { filter: { postcode: 'N19' } },
  { filter: { postcode: 'N195NF' } },
  { filter: { postcode: 'N19 5NF' } },
  { filter: { postcode: 'NW' } },
  { filter: { postcode: 'EN5 4' } },
  { filter: { status: 'INACTIVE' } },
  { filter: { status: 'ACTIVE', primaryRoleTypeId: 'RO177' } },
  { filter: { status: 'INACTIVE', primaryRoleTypeId: 'RO197' } },
  { filter: { nonPrimaryRoleTypeId: 'RO76' } },
  { filter: { anyRoleTypeIds: ['RO197', 'RO98'] } },
  { filter: { recordClassId: 'RC2', name: 'WHITTINGTON' } },
  { filter: { recordClassId: 'RC1', postcode: 'N19' } },
  { filter: { changedSince: '2025-10-01' } },
  { filter: { changedSince: '2025-12-01', recordClassId: 'RC1' } },
  { filter: { relatedTo: { odsCode: 'QMJ' } } },
  { filter: { relatedTo: { odsCode: 'QMJ', relationshipTypeIds: ['RE5'] } } },
  { filter: { relatedTo: { odsCode: 'QMJ', relationshipTypeIds: ['RE5', 'RE8'], status: 'INACTIVE' } } },
  { filter: { relatedTo: { odsCode: '93C', relationshipTypeIds: ['RE4'], status: 'ACTIVE' } } },
  { filter: { relatedTo: { odsCode: '07M', relationshipTypeIds: ['RE4'] } } },
  { filter: { relatedTo: { odsCode: '07M', relationshipTypeIds: ['RE4'], status: 'ACTIVE' } } },
  { filter: { relatedTo: { odsCode: 'RKE', relationshipTypeIds: ['RE6'] }, status: 'ACTIVE' } },
  { filter: { relatedTo: { odsCode: '93C', relationshipTypeIds: ['RE4'] }, name: 'SURGERY' } },
  { filter: { name: 'SURGERY' }, offset: 0, limit: 10 },
  { filter: { name: 'SURGERY' }, offset: 5, limit: 7 },
  { filter: { name: 'SURGERY' }, offset: 40, limit: 50 },
  { filter: { name: 'SURGERY' }, offset: 100000, limit: 5 },
  { filter: { primaryRoleTypeId: 'RO198' }, offset: 990, limit: 30 },
  { filter: { primaryRoleTypeId: 'RO177' }, offset: 3, limit: 0 },
];

interface Engine {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  open(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    skip: null,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ods-graphql-mirror-'));
      return { url: `sqlite:${join(dir, 'mirror.sqlite')}`, cleanup: async () => rmSync(dir, { recursive: true }) };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkipReason(),
    async open() {
      const server: RunningPostgres = await startPostgres();
      return { url: server.url, cleanup: () => server.stop() };
    },
  },
];

for (const engine of ENGINES) {
  const title =
    engine.skip === null
      ? `mirror store on ${engine.name}`
      : `mirror store on ${engine.name} (skipped: ${engine.skip})`;
  describe.skipIf(engine.skip !== null)(title, () => {
    let url: string;
    let cleanup: () => Promise<void>;
    let store: SqlMirrorStore;

    beforeAll(async () => {
      ({ url, cleanup } = await engine.open());
      store = await openMirrorStore(url);
      for (let i = 0; i < records.length; i += 500) await store.putOrganisations(records.slice(i, i + 500), 'build');
      await store.putCodeSystems(codeSystems);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('reads every record back exactly as it was put (same order, same nulls)', async () => {
      expect(records.length).toBeGreaterThan(1000);
      const held = await store.getOrganisations(records.map((r) => r.odsCode));
      expect(held.size).toBe(records.length);
      for (const r of records) expect(held.get(r.odsCode)).toStrictEqual(r);
      expect(await store.getOrganisation('RKE')).toStrictEqual(byCode.get('RKE'));
      expect((await store.getOrganisation('RKE'))?.name).toBe('WHITTINGTON HEALTH NHS TRUST');
      expect(await store.getOrganisation('ZZZ999')).toBeNull();
    });

    it('answers the whole search battery exactly as ORD does', async () => {
      expect(primaryRoles.length).toBeGreaterThan(5);
      for (const { filter, offset = 0, limit = 2000 } of BATTERY) {
        const expected = await ord.searchOrganisations(filter, offset, limit);
        const got = await store.search(filter, offset, limit);
        expect({ filter, offset, limit, page: got }).toStrictEqual({ filter, offset, limit, page: expected });
      }
      // The battery is not vacuous: these filters find real organisations.
      expect((await store.search({ postcode: 'N195NF' }, 0, 10)).items.map((i) => i.odsCode)).toContain('RKE');
      expect((await store.search({ postcode: 'N1' }, 0, 100)).items.every((i) => i.postcode?.startsWith('N1 '))).toBe(
        true,
      );
      expect(
        (await store.search({ relatedTo: { odsCode: '93C', relationshipTypeIds: ['RE4'], status: 'ACTIVE' } }, 0, 0))
          .totalCount,
      ).toBe(298);
    }, 60_000);

    it('walks down from the ICB QMJ to its sub-ICB location and trusts, then to 93C’s 298 practices', async () => {
      const steps = await store.descendantsOf('QMJ', { relationshipTypeIds: ['RE5', 'RE4'], depth: 2 });
      const first = steps.filter((s) => s.depth === 1);
      expect(first.map((s) => s.odsCode)).toEqual(['RV3', 'RP4', 'RP6', '93C', 'RAP', 'RAL', 'RNK', 'RRV', 'RKE']);
      expect(first.every((s) => s.viaOdsCode === 'QMJ' && s.relationshipTypeId === 'RE5')).toBe(true);
      const practice = steps.find((s) => s.odsCode === 'E83003');
      expect(practice).toEqual({
        odsCode: 'E83003',
        depth: 2,
        viaOdsCode: '93C',
        relationshipTypeId: 'RE4',
        primaryRoleTypeId: 'RO177',
      });
      expect(steps.filter((s) => s.depth === 2 && s.viaOdsCode === '93C').length).toBe(298);
      expect(new Set(steps.map((s) => s.odsCode)).size).toBe(steps.length);
      // Depth 1 stops there.
      expect(await store.descendantsOf('QMJ', { relationshipTypeIds: ['RE5'], depth: 1 })).toHaveLength(9);
    });

    it('walks a trust’s sites (RKE, RE6) and a site’s ancestors up to the region', async () => {
      const sites = await store.descendantsOf('RKE', { relationshipTypeIds: ['RE6'], depth: 1 });
      expect(sites.length).toBe(52);
      expect(sites.map((s) => s.odsCode)).toContain('A1O7X');
      const up = await store.ancestorsOf('A1O7X', { relationshipTypeIds: ['RE6', 'RE5'], depth: 5 });
      expect(up.map((s) => [s.odsCode, s.depth, s.viaOdsCode, s.relationshipTypeId])).toEqual([
        ['RKE', 1, 'A1O7X', 'RE6'],
        ['QMJ', 2, 'RKE', 'RE5'],
        ['Y56', 3, 'QMJ', 'RE5'],
      ]);
    });

    it('as at a real historic date: E83003 was commissioned by 07M on 2015-06-30, by 93C on 2021-06-30', async () => {
      expect(
        await store.ancestorsOf('E83003', { relationshipTypeIds: ['RE4'], depth: 1, activeOn: '2015-06-30' }),
      ).toEqual([
        { odsCode: '07M', depth: 1, viaOdsCode: 'E83003', relationshipTypeId: 'RE4', primaryRoleTypeId: 'RO98' },
      ]);
      const now = await store.ancestorsOf('E83003', { relationshipTypeIds: ['RE4'], depth: 1, activeOn: '2021-06-30' });
      expect(now.map((s) => s.odsCode)).toEqual(['93C']);
      const in2015 = await store.search(
        { relatedTo: { odsCode: '07M', relationshipTypeIds: ['RE4'] }, activeOn: '2015-06-30' },
        0,
        1000,
      );
      expect(in2015.items.map((i) => i.odsCode)).toContain('E83003');
      const in2021 = await store.search(
        { relatedTo: { odsCode: '07M', relationshipTypeIds: ['RE4'] }, activeOn: '2021-06-30' },
        0,
        1000,
      );
      expect(in2021.items.map((i) => i.odsCode)).not.toContain('E83003');
      // Without activeOn the (now inactive) relationship still counts, as ORD's membership search has it.
      expect(in2015.totalCount).toBeLessThan(
        (await store.search({ relatedTo: { odsCode: '07M', relationshipTypeIds: ['RE4'] } }, 0, 0)).totalCount + 1,
      );
    });

    it('ranks full-text matches: an exact name first, every word as a prefix', async () => {
      const page = await store.search({ text: 'whittington health nhs trust' }, 0, 10);
      expect(page.items[0]?.odsCode).toBe('RKE');
      expect(page.totalCount).toBeGreaterThan(50);
      const prefix = await store.search({ text: 'whitt heal' }, 0, 200);
      expect(prefix.items.map((i) => i.odsCode)).toContain('RKE');
      expect(prefix.items.every((i) => /\bWHITT/.test(i.name) && /\bHEAL/.test(i.name))).toBe(true);
    });

    it('finds postcodes by prefix, spaces ignored (N195 finds N19 5NF)', async () => {
      const page = await store.search({ postcodeStartsWith: 'n19 5' }, 0, 100);
      expect(page.items.map((i) => i.odsCode)).toContain('RKE');
      expect(page.items.every((i) => i.postcode?.replace(' ', '').startsWith('N195'))).toBe(true);
      const wide = await store.search({ postcodeStartsWith: 'N1' }, 0, 2000);
      expect(wide.items.some((i) => i.postcode?.startsWith('N19'))).toBe(true);
    });

    it('serves as an OrganisationSource with no upstream calls and its freshness', async () => {
      await store.setState('completeAsOf', '2026-03-01T06:00:00.000Z');
      const source = await MirrorOrganisationSource.create(store);
      expect(source.sourceName).toBe('mirror');
      expect(source.dataAsOf()).toBe('2026-03-01T06:00:00.000Z');
      expect(source.upstreamCallCosts.record()).toBe(0);
      expect(source.upstreamCallCosts.searchPage(5000)).toBe(0);
      expect((await source.getOrganisation('RKE'))?.name).toBe('WHITTINGTON HEALTH NHS TRUST');
      expect(await source.getOrganisation('NOPE1')).toBeNull();
      expect(await source.roleTypes()).toStrictEqual(await ord.roleTypes());
      expect(await source.relationshipTypes()).toStrictEqual(await ord.relationshipTypes());
      expect(await source.recordClasses()).toStrictEqual(await ord.recordClasses());
      expect(await source.changedSince('2025-10-01')).toStrictEqual([...(await ord.changedSince('2025-10-01'))].sort());
    });

    it('putOrganisations replaces child rows; deletes and history lines are kept', async () => {
      const original = byCode.get('E83003');
      if (original === undefined) throw new Error('E83003 missing from the small tier');
      const fewer: Organisation = { ...original, relationships: original.relationships.slice(1) };
      await store.putOrganisations([fewer], 'sync');
      const back = await store.getOrganisation('E83003');
      expect(back?.relationships).toHaveLength(original.relationships.length - 1);
      expect(back).toStrictEqual(fewer);
      let changes = await store.recentChanges(1);
      expect(changes[0]).toMatchObject({
        odsCode: 'E83003',
        origin: 'sync',
        kind: 'updated',
        lastChangeDate: '2020-04-01',
      });

      expect(await store.deleteOrganisations(['E83003', 'NOTHELD1'], 'sync', 'ORD notification: deleted')).toBe(1);
      expect(await store.getOrganisation('E83003')).toBeNull();
      changes = await store.recentChanges(1);
      expect(changes[0]).toMatchObject({ odsCode: 'E83003', kind: 'deleted', note: 'ORD notification: deleted' });
      await store.putOrganisations([original], 'sync');
      expect((await store.recentChanges(1))[0]?.kind).toBe('created');
      expect(await store.getOrganisation('E83003')).toStrictEqual(original);
      const status = await store.status();
      expect(status.engine).toBe(engine.name);
      expect(status.counts.organisations).toBe(records.length);
      expect(status.counts.relationships).toBe(records.reduce((n, r) => n + r.relationships.length, 0));
      expect(status.counts.changes).toBe(records.length + 3);
      expect(status.schemaVersion).toBe(1);
      expect(status.location).not.toMatch(/password/);
    });

    it('keeps job state and queues: enqueue twice keeps once, pending in order, done marked with the put', async () => {
      expect(await store.getState('watermark')).toBeNull();
      await store.setState('watermark', '2026-02-28');
      expect(await store.getState('watermark')).toBe('2026-02-28');
      await store.setState('watermark', '2026-03-01');
      expect((await store.status()).state.watermark).toBe('2026-03-01');
      await store.setState('watermark', null);
      expect(await store.getState('watermark')).toBeNull();

      await store.enqueue('build', ['RKE', 'RAL', 'E83003']);
      await store.enqueue('build', ['RAL', 'RP4']);
      expect(await store.pending('build', 10)).toEqual(['RKE', 'RAL', 'E83003', 'RP4']);
      expect(await store.queueCounts('build')).toEqual({ total: 4, done: 0 });
      const rke = byCode.get('RKE') as Organisation;
      await store.putOrganisations([rke], 'build', { queue: 'build', alsoDone: ['E83003'] });
      expect(await store.pending('build', 10)).toEqual(['RAL', 'RP4']);
      await store.enqueue('build', ['RKE']);
      expect(await store.queueCounts('build')).toEqual({ total: 4, done: 2 });
      // A failed put marks nothing done (one transaction).
      const broken = { ...rke, odsCode: 'RAL', name: null } as unknown as Organisation;
      await expect(store.putOrganisations([broken], 'build', { queue: 'build' })).rejects.toThrow();
      expect(await store.pending('build', 1)).toEqual(['RAL']);
      expect(await store.getOrganisation('RAL')).toStrictEqual(byCode.get('RAL'));
      await store.deleteOrganisations(['NOTHELD2'], 'build', 'gone', { queue: 'build' });
      await store.clearQueue('build');
      expect(await store.queueCounts('build')).toEqual({ total: 0, done: 0 });
    });

    it('withLock lets one holder in at a time, across connections', async () => {
      const other = await openMirrorStore(url);
      try {
        let inner: unknown;
        const outer = await store.withLock('sync', async () => {
          inner = await other.withLock('sync', async () => 'second');
          return 'first';
        });
        expect(outer).toEqual({ ran: true, value: 'first' });
        expect(inner).toEqual({ ran: false });
        expect(await other.withLock('sync', async () => 'after')).toEqual({ ran: true, value: 'after' });
        expect(await other.withLock('other-name', async () => 1)).toEqual({ ran: true, value: 1 });
      } finally {
        await other.close();
      }
    });

    it('migrations are idempotent: opening again applies nothing and loses nothing', async () => {
      const again = await openMirrorStore(url);
      try {
        expect((await again.status()).schemaVersion).toBe(1);
        expect((await again.getOrganisation('RKE'))?.name).toBe('WHITTINGTON HEALTH NHS TRUST');
      } finally {
        await again.close();
      }
    });
  });
}

describe('opening a mirror', () => {
  it('refuses a URL of another form, naming MIRROR_URL and the accepted forms', async () => {
    await expect(openMirrorStore('mysql://u:secret@h/db')).rejects.toThrow(/MIRROR_URL.*sqlite:<path>.*postgres:\/\//);
    await expect(openMirrorStore('mysql://u:secret@h/db')).rejects.not.toThrow(/secret/);
  });

  it('says plainly when PostgreSQL cannot be reached, without the password', async () => {
    const error = await openMirrorStore('postgres://someone:hunter2@127.0.0.1:1/mirror').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Cannot reach the mirror's PostgreSQL at 127\.0\.0\.1:1\/mirror/);
    expect((error as Error).message).not.toMatch(/hunter2/);
  });

  it('an empty mirror says to build or import before serving code systems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ods-graphql-mirror-empty-'));
    const store = await openMirrorStore(`sqlite:${join(dir, 'sub', 'm.sqlite')}`);
    try {
      const source = await MirrorOrganisationSource.create(store);
      expect(source.dataAsOf()).toBeNull();
      const error = await source.roleTypes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceUnavailableError);
      expect((error as SourceUnavailableError).kind).toBe('mirror_empty');
      expect((error as Error).message).toMatch(/npm run mirror -- build/);
      expect(await source.getOrganisation('RKE')).toBeNull();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });
});
