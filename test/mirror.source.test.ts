// The mirror source's decoded-record cache, on both engines: a warm record is answered without the store, a write by
// another process (a second store handle on the same mirror) is seen after the next refresh, and 0 turns it off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { MirrorOrganisationSource } from '../src/sources/mirror/source.js';
import type { MirrorStore } from '../src/sources/mirror/store.js';
import { toOrganisation } from '../src/sources/ord/map.js';
import { fillFromDataset, freshMirror, MIRROR_ENGINES, stopSharedPostgres, type TestMirror } from './helpers/mirror.js';

const small = loadDataset('small');
const RWR = small.organisations.get('RWR')!;

afterAll(stopSharedPostgres);

describe.each(MIRROR_ENGINES)('the mirror source on %s', (engine) => {
  let mirror: TestMirror;
  /** Another process's view of the same mirror: its writes reach the source only through the store. */
  let other: MirrorStore;

  beforeAll(async () => {
    mirror = await freshMirror(engine);
    await fillFromDataset(mirror.store, small);
    other = await openMirrorStore(mirror.url);
  }, 120_000);

  afterAll(async () => {
    await other?.close();
    await mirror?.close();
  });

  const rename = async (name: string) => {
    await other.putOrganisations([toOrganisation({ ...RWR, Name: name })], 'sync');
  };

  it('keeps decoded records and unknown codes; a write elsewhere is seen after refresh, not before', async () => {
    const source = await MirrorOrganisationSource.open(mirror.store, { recordCacheSize: 100 });
    try {
      expect(source.knownOrganisation('RWR')).toBeUndefined();
      const batch = await source.getOrganisations(['RWR', 'RVVKC', 'NOSUCH1']);
      expect([...batch.keys()].sort()).toEqual(['RVVKC', 'RWR']);
      expect(batch.get('RWR')?.name).toBe(RWR.Name);
      expect(source.knownOrganisation('RWR')?.name).toBe(RWR.Name);
      expect(source.knownSummary('RVVKC')).toMatchObject({ odsCode: 'RVVKC', kind: 'summary' });
      // The mirror is complete: a code it lacks is known not to exist.
      expect(source.knownOrganisation('NOSUCH1')).toBeNull();

      const before = await mirror.store.dataVersion();
      await rename('EAST AND NORTH HERTFORDSHIRE (RENAMED)');
      expect(await mirror.store.dataVersion()).toBeGreaterThan(before);
      // Until the next refresh (every 5 s, or after a sync here) the source answers what it decoded.
      expect((await source.getOrganisation('rwr '))?.name).toBe(RWR.Name);
      await source.refresh();
      expect(source.knownOrganisation('RWR')).toBeUndefined();
      expect((await source.getOrganisation('RWR'))?.name).toBe('EAST AND NORTH HERTFORDSHIRE (RENAMED)');
    } finally {
      source.close();
      await rename(RWR.Name);
    }
  });

  it('with recordCacheSize 0 every read goes to the store and nothing is known', async () => {
    const source = await MirrorOrganisationSource.open(mirror.store, { recordCacheSize: 0 });
    try {
      expect((await source.getOrganisation('RWR'))?.name).toBe(RWR.Name);
      expect(source.knownOrganisation('RWR')).toBeUndefined();
      await rename('RENAMED AT ONCE');
      expect((await source.getOrganisation('RWR'))?.name).toBe('RENAMED AT ONCE');
    } finally {
      source.close();
      await rename(RWR.Name);
    }
  });
});
