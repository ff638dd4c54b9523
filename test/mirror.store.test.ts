// The mirror's store on each engine (SQLite file; a real PostgreSQL started here): records read back exactly as put,
// searches equal to ORD's answers for the same data (the ORD simulator over the small tier), walks, bookkeeping, locks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { Organisation } from '../src/domain/types.js';
import { toOrganisation } from '../src/sources/ord/map.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import type { OrganisationSearch } from '../src/sources/types.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdSimulator } from '../src/simulators/ord/types.js';
import { fillFromDataset, freshMirror, MIRROR_ENGINES, stopSharedPostgres, type TestMirror } from './helpers/mirror.js';

const dataset = loadDataset('small');
let sim: OrdSimulator;
let client: OrdClient;
let ord: OrdOrganisationSource;

beforeAll(async () => {
  sim = await startOrdSimulator({ tier: 'small', port: 0 });
  client = new OrdClient(
    { baseUrl: sim.baseUrl, rateLimit: 1000, maxConcurrency: 8, timeoutMs: 5000, maxRetries: 0, circuitFailures: 0 },
    { sleep: async () => {} },
  );
  ord = new OrdOrganisationSource(client);
});
afterAll(async () => {
  await client.close();
  await sim.close();
  await stopSharedPostgres();
});

/** Searches whose answers the mirror must give exactly as ORD does. */
const SEARCHES: [OrganisationSearch, number, number][] = [
  [{ name: 'surgery' }, 0, 1000],
  [{ name: 'h_alth' }, 0, 1000],
  [{ name: 'NHS TRUST' }, 3, 7],
  [{ postcode: 'CT1' }, 0, 1000],
  [{ postcode: 'CT' }, 0, 1000],
  [{ postcode: 'ct11' }, 0, 1000],
  [{ status: 'INACTIVE' }, 0, 1000],
  [{ status: 'ACTIVE', recordClassId: 'RC2' }, 100, 50],
  [{ nonPrimaryRoleTypeId: 'RO76' }, 0, 1000],
  [{ anyRoleTypeIds: ['RO98', 'RO261', 'RO272'] }, 0, 1000],
  [{ changedSince: '2026-01-01' }, 0, 1000],
  [{ relatedTo: { odsCode: 'RVV', relationshipTypeIds: ['RE6'], status: 'ACTIVE' } }, 0, 1000],
  [{ relatedTo: { odsCode: '93C' } }, 0, 1000],
  [{ relatedTo: { odsCode: 'QMJ', relationshipTypeIds: ['RE5', 'RE8'] }, primaryRoleTypeId: 'RO98' }, 0, 1000],
  [{ primaryRoleTypeId: 'RO177' }, 0, 0],
];

describe.each(MIRROR_ENGINES)('the mirror store on %s', (engine) => {
  let mirror: TestMirror;
  beforeAll(async () => {
    mirror = await freshMirror(engine);
    await fillFromDataset(mirror.store, dataset);
  }, 120_000);
  afterAll(async () => {
    await mirror?.close();
  });

  it('reads back every record of the small tier exactly as ORD JSON maps it', async () => {
    const expected = [...dataset.organisations.values()].map(toOrganisation);
    const held = await mirror.store.getOrganisations(expected.map((o) => o.odsCode));
    expect(held.size).toBe(1512);
    for (const org of expected) expect(held.get(org.odsCode)).toEqual(org);
    expect(await mirror.store.getOrganisation('NOPE1')).toBeNull();
    const rwr = await mirror.store.getOrganisation('RWR');
    expect(rwr?.name).toBe('HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST');
  });

  it.each(SEARCHES.map((s, i) => [i, ...s] as const))(
    'search #%i gives the same page as ORD',
    async (_i, filter, offset, limit) => {
      const [fromMirror, fromOrd] = await Promise.all([
        mirror.store.search(filter, offset, limit),
        ord.searchOrganisations(filter, offset, limit),
      ]);
      expect(fromMirror.totalCount).toBe(fromOrd.totalCount);
      expect(fromMirror.items).toEqual(fromOrd.items);
    },
  );

  it('code systems come back in the order they were put', async () => {
    const lists = await mirror.store.codeSystems();
    expect(lists?.roleTypes.map((r) => r.id)).toEqual(dataset.roles.map((r) => r.id));
    expect(lists?.roleTypes.find((r) => r.id === 'RO197')).toMatchObject({ displayName: 'NHS TRUST', isPrimary: true });
    expect(lists?.relationshipTypes.find((r) => r.id === 'RE6')?.displayName).toBe('IS OPERATED BY');
  });

  it('walks down from an ICB to its practices and up from a site to its trust', async () => {
    const down = await mirror.store.descendantsOf('QMJ', { relationshipTypeIds: ['RE5', 'RE4'], depth: 2 });
    const subIcbs = down.filter((s) => s.depth === 1 && s.primaryRoleTypeId === 'RO98').map((s) => s.odsCode);
    expect(subIcbs).toContain('93C');
    const practicesOf93C = down.filter((s) => s.depth === 2 && s.viaOdsCode === '93C').map((s) => s.odsCode);
    const byHand = await ord.searchOrganisations(
      { relatedTo: { odsCode: '93C', relationshipTypeIds: ['RE4'], status: 'ACTIVE' } },
      0,
      1000,
    );
    // Every active RE4 member of 93C is reached through 93C unless another sub-ICB location sorts first.
    for (const code of practicesOf93C) expect(byHand.items.map((i) => i.odsCode)).toContain(code);
    expect(practicesOf93C.length).toBeGreaterThan(0);
    const depths = down.map((s) => s.depth);
    expect(depths).toEqual([...depths].sort((a, b) => a - b));
    expect(new Set(down.map((s) => s.odsCode)).size).toBe(down.length);
    const up = await mirror.store.ancestorsOf('RVVKC', { relationshipTypeIds: ['RE6'], depth: 5 });
    expect(up).toEqual([
      { odsCode: 'RVV', depth: 1, viaOdsCode: 'RVVKC', relationshipTypeId: 'RE6', primaryRoleTypeId: 'RO197' },
    ]);
  });

  it('finds names by ranked full text and postcodes by typeahead prefix', async () => {
    const text = await mirror.store.search({ text: 'east kent hosp' }, 0, 10);
    expect(text.items[0]?.odsCode).toBe('RVV');
    // N1 (13), N1C (5) and N10–N19 in the small tier: ORD's `postcode: "N1"` is the N1 district only.
    const typeahead = await mirror.store.search({ postcodeStartsWith: 'n1' }, 0, 1000);
    for (const item of typeahead.items) expect(item.postcode?.replace(/ /g, '').startsWith('N1')).toBe(true);
    const outward = await mirror.store.search({ postcode: 'N1' }, 0, 1000);
    expect(outward.totalCount).toBe(13);
    expect(typeahead.totalCount).toBe(13 + 5 + 5 + 5 + 23 + 4 + 3 + 21 + 1 + 11 + 9 + 10);
  });

  it('replaces a record whole, deletes, and keeps the change history', async () => {
    const before = (await mirror.store.getOrganisation('RVVKC')) as Organisation;
    const changed: Organisation = { ...before, name: 'RENAMED SITE', relationships: [] };
    await mirror.store.putOrganisations([changed], 'sync');
    expect(await mirror.store.getOrganisation('RVVKC')).toEqual(changed);
    const members = await mirror.store.search({ relatedTo: { odsCode: 'RVV', relationshipTypeIds: ['RE6'] } }, 0, 1000);
    expect(members.items.map((i) => i.odsCode)).not.toContain('RVVKC');
    expect(await mirror.store.deleteOrganisations(['RVVKC', 'NOPE1'], 'sync', 'deleted by ORD')).toBe(1);
    expect(await mirror.store.getOrganisation('RVVKC')).toBeNull();
    const recent = await mirror.store.recentChanges(2);
    expect(recent.map((c) => [c.odsCode, c.kind, c.origin, c.note])).toEqual([
      ['RVVKC', 'deleted', 'sync', 'deleted by ORD'],
      ['RVVKC', 'updated', 'sync', null],
    ]);
    await mirror.store.putOrganisations([before], 'sync');
    expect((await mirror.store.recentChanges(1))[0]?.kind).toBe('created');
  });

  it('keeps job queues and state for resumable jobs', async () => {
    await mirror.store.enqueue('test', ['A1', 'B2', 'C3']);
    await mirror.store.enqueue('test', ['B2', 'D4']);
    expect(await mirror.store.pending('test', 10)).toEqual(['A1', 'B2', 'C3', 'D4']);
    const rwr = (await mirror.store.getOrganisation('RWR')) as Organisation;
    await mirror.store.putOrganisations([rwr], 'build', { queue: 'test', alsoDone: ['A1', 'C3'] });
    expect(await mirror.store.pending('test', 10)).toEqual(['B2', 'D4']);
    expect(await mirror.store.queueCounts('test')).toEqual({ total: 4, done: 2 });
    await mirror.store.clearQueue('test');
    expect(await mirror.store.queueCounts('test')).toEqual({ total: 0, done: 0 });
    await mirror.store.setState('watermark', '2026-02-28');
    expect(await mirror.store.getState('watermark')).toBe('2026-02-28');
    const status = await mirror.store.status();
    expect(status.engine).toBe(engine);
    expect(status.counts.organisations).toBe(1512);
    expect(status.state.watermark).toBe('2026-02-28');
  });

  it('lets one holder at a time run under a lock, across two stores on one database', async () => {
    const other = await openMirrorStore(mirror.url);
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = mirror.store.withLock('sync', () => held.then(() => 'first'));
      await new Promise((r) => setTimeout(r, 50));
      expect(await other.withLock('sync', async () => 'second')).toEqual({ ran: false });
      release();
      expect(await first).toEqual({ ran: true, value: 'first' });
      expect(await other.withLock('sync', async () => 'second')).toEqual({ ran: true, value: 'second' });
    } finally {
      await other.close();
    }
  });
});
