// Mirror store bench: bulk puts (records/s, in 500-record transactions as the jobs write) and point lookups/s, on SQLite
// and on PostgreSQL (a server started for the run, when its binaries exist). Run alone: `npx tsx bench/mirrorStore.ts`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/dataset/build.js';
import type { Organisation } from '../src/domain/types.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import type { SqlMirrorStore } from '../src/sources/mirror/sqlStore.js';
import { toOrganisation } from '../src/sources/ord/map.js';
import { postgresSkipReason, startPostgres } from '../test/helpers/postgres.js';
import { printTable, type BenchRow } from './table.js';

const PUT_RECORDS = 10_000;
const BATCH = 500;

async function measure(engine: string, store: SqlMirrorStore, records: Organisation[], durationMs: number) {
  const rows: BenchRow[] = [];
  const sample = records.slice(0, PUT_RECORDS);
  let t = performance.now();
  for (let i = 0; i < sample.length; i += BATCH) await store.putOrganisations(sample.slice(i, i + BATCH), 'import');
  let s = (performance.now() - t) / 1000;
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `put ${sample.length} new records, records/s`,
    value: Math.round(sample.length / s),
  });

  const rest = records.slice(PUT_RECORDS);
  t = performance.now();
  for (let i = 0; i < rest.length; i += BATCH) await store.putOrganisations(rest.slice(i, i + BATCH), 'import');
  s = (performance.now() - t) / 1000;
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `put the rest of the full tier (${rest.length}), records/s`,
    value: Math.round(rest.length / s),
  });

  t = performance.now();
  for (let i = 0; i < sample.length; i += BATCH) await store.putOrganisations(sample.slice(i, i + BATCH), 'sync');
  s = (performance.now() - t) / 1000;
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `replace ${sample.length} held records, records/s`,
    value: Math.round(sample.length / s),
  });

  const codes = records.map((r) => r.odsCode);
  let n = 0;
  const end = performance.now() + durationMs;
  t = performance.now();
  while (performance.now() < end) {
    await store.getOrganisation(codes[(n * 7919) % codes.length] as string);
    n++;
  }
  s = (performance.now() - t) / 1000;
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: 'getOrganisation lookups/s (one caller)',
    value: Math.round(n / s),
    goal: 'a card < 1 ms',
    met: s / n < 0.001,
  });

  t = performance.now();
  const practices = await store.search({ primaryRoleTypeId: 'RO177', status: 'ACTIVE' }, 0, 10_000);
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `search every active RO177 (${practices.totalCount}), ms`,
    value: Math.round(performance.now() - t),
  });

  t = performance.now();
  const commissioned = await store.search({ primaryRoleTypeId: 'RO177', activeOn: '2021-06-30' }, 0, 20_000);
  const held = await store.getOrganisations(commissioned.items.map((i) => i.odsCode));
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `RO177 open on 2021-06-30 (${held.size}) + full records, ms`,
    value: Math.round(performance.now() - t),
    goal: '< 2000',
    met: performance.now() - t < 2000,
  });

  t = performance.now();
  const walk = await store.descendantsOf('QVV', { relationshipTypeIds: ['RE5', 'RE4'], depth: 2 });
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `descendants of QVV via RE5, RE4 (${walk.length}), ms`,
    value: Math.round(performance.now() - t),
    goal: '< 50',
    met: performance.now() - t < 50,
  });

  t = performance.now();
  const text = await store.search({ text: 'medical centre' }, 0, 20);
  rows.push({
    suite: 'mirrorStore',
    case: engine,
    metric: `text search "medical centre" (${text.totalCount}), ms`,
    value: Math.round(performance.now() - t),
  });
  return rows;
}

export async function benchMirrorStore(durationMs: number): Promise<BenchRow[]> {
  const records = [...loadDataset('full').organisations.values()].map(toOrganisation);
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ods-graphql-bench-mirror-'));
  try {
    const store = await openMirrorStore(`sqlite:${join(dir, 'mirror.sqlite')}`);
    rows.push(...(await measure('sqlite', store, records, durationMs)));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const skip = postgresSkipReason();
  if (skip !== null) {
    console.error(`mirrorStore: PostgreSQL skipped: ${skip}`);
    return rows;
  }
  const server = await startPostgres();
  try {
    const store = await openMirrorStore(server.url);
    rows.push(...(await measure('postgres', store, records, durationMs)));
    await store.close();
  } finally {
    await server.stop();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(printTable(await benchMirrorStore(3000)));
}
