// Prints, for each dataset tier, build time, memory and record/relationship/succession counts as plain tables.
// Run with `npm run dataset:stats`; builds each tier from scratch (no memo) so the timings are real.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildDataset } from '../src/dataset/build.js';
import type { DatasetTier } from '../src/dataset/types.js';

// A forced GC before each measurement makes "heap used" mean "retained", not "garbage not yet collected".
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function table(title: string, rows: [string, string | number][]): void {
  const width = Math.max(title.length, ...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log('-'.repeat(width + 12));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${String(v).padStart(10)}`);
}

function countBy<T>(items: Iterable<T>, key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

for (const tier of ['small', 'full'] as DatasetTier[]) {
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const dataset = buildDataset(tier);
  const elapsed = performance.now() - started;
  const peakRss = process.memoryUsage().rss;
  gc();
  const after = process.memoryUsage();
  const records = [...dataset.organisations.values()];
  const roleNames = new Map(dataset.roles.map((r) => [r.id, r.displayName] as const));
  const primaryRole = (r: (typeof records)[number]): string =>
    r.Roles.Role.find((x) => x.primaryRole === true)?.id ?? '?';
  const rels = records.flatMap((r) => r.Rels?.Rel ?? []);
  const succs = records.flatMap((r) => r.Succs?.Succ ?? []);

  console.log(`\n===== tier: ${tier} =====`);
  table('build', [
    ['build time (ms)', Math.round(elapsed)],
    ['heap retained by the dataset', mb(after.heapUsed - before.heapUsed)],
    ['heap used after build + GC', mb(after.heapUsed)],
    ['RSS at end of build', mb(peakRss)],
    ['records', records.length],
    ['refOnly stubs', records.filter((r) => r.refOnly === true).length],
    ['real records (as-is)', dataset.realRecordFiles.size],
    ['status Active', records.filter((r) => r.Status === 'Active').length],
    ['successions (Succ entries)', succs.length],
    ['relationships (Rel entries)', rels.length],
    ['synthetic entries', dataset.synthetic.length],
  ]);
  table(
    'records by primary role',
    countBy(records, primaryRole).map(([id, n]) => [`${id} ${roleNames.get(id) ?? '(unknown)'}`, n]),
  );
  table(
    'records by record class',
    countBy(records, (r) => r.orgRecordClass),
  );
  table(
    'relationships by type',
    countBy(rels, (r) => `${r.id} ${r.Status}`),
  );
  table(
    'successions by type',
    countBy(succs, (s) => s.Type),
  );
  table(
    'synthetic entries by path',
    countBy(dataset.synthetic, (s) => s.path.replace(/\[\d+\]/g, '[n]')),
  );
}
