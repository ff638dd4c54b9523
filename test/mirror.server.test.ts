// The server on SOURCE=mirror keeping itself fresh (MIRROR_SYNC_MINUTES): a round applies ORD's changes and deletions,
// the next answers show them, and `extensions.source.asOf` moves on. Real simulator, real SQLite mirror, over HTTP.

import { expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import { startStack } from './helpers/stack.js';

it('a sync round inside the server applies a rename and a deletion, and the answers show them', async () => {
  const stack = await startStack({ tier: 'small', source: 'mirror-sqlite' });
  try {
    // The same stack's app has no loop (MIRROR_SYNC_MINUTES defaults to 0): drive one the way the server would.
    expect(stack.app.mirrorSync).toBeNull();
    const before = await stack.gql(
      `{ organisation(odsCode: "RVVKC") { name } rwr: organisation(odsCode: "RWR") { odsCode } }`,
    );
    expect(before.data).toEqual({ organisation: { name: 'KENT & CANTERBURY HOSPITAL' }, rwr: { odsCode: 'RWR' } });
    const rvvkc = loadDataset('small').organisations.get('RVVKC')!;
    stack.sim.applyChanges({
      today: '2026-03-02',
      upsert: [{ ...rvvkc, Name: 'KENT AND CANTERBURY HOSPITAL', LastChangeDate: '2026-03-02' }],
      delete: [{ odsCode: 'RWR' }],
    });
    const { MirrorSyncLoop } = await import('../src/sources/mirror/sync.js');
    const { OrdOrganisationSource } = await import('../src/sources/ord/source.js');
    const mirror = stack.app.mirror!;
    const loop = new MirrorSyncLoop({
      source: new OrdOrganisationSource(stack.client),
      store: mirror.store,
      intervalMinutes: 60,
      today: () => stack.sim.today,
      onRound: () => mirror.source.refresh(),
    });
    stack.sim.clearLog();
    const round = await loop.runOnce();
    expect(round.outcome).toBe('synced');
    if (round.outcome !== 'synced') return;
    // One /sync (from the watermark less a day's overlap), each listed record, one /notifications: nothing more.
    const endpoints = stack.calls().map((c) => c.endpoint);
    expect(endpoints.filter((e) => e === 'sync')).toHaveLength(1);
    expect(endpoints.filter((e) => e === 'notifications')).toHaveLength(1);
    expect(endpoints.filter((e) => e === 'organisation')).toHaveLength(round.result.listed);
    expect(endpoints).toHaveLength(round.result.listed + 2);
    expect(stack.calls('organisation').map((c) => c.path)).toContain('organisations/RVVKC');
    const after = await stack.gql(
      `{ organisation(odsCode: "RVVKC") { name } rwr: organisation(odsCode: "RWR") { odsCode } }`,
    );
    expect(after.data).toEqual({ organisation: { name: 'KENT AND CANTERBURY HOSPITAL' }, rwr: null });
    expect(after.extensions?.source.name).toBe('mirror');
    expect(Date.parse(after.extensions?.source.asOf)).toBeGreaterThan(Date.parse('2026-03-01T00:00:00.000Z'));
    expect(await mirror.store.getState('watermark')).toBe('2026-03-02');
  } finally {
    await stack.close();
  }
});
