// Memory bench: resident memory and heap per cached organisation at 10k and 50k organisations, beside the cache's own estimate.
// Records come from the full tier as raw ORD JSON in a temp file; a child run with --expose-gc fills the cache, so the dataset is not counted.

import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/dataset/build.js';
import { DEFAULT_CACHE_SETTINGS } from '../src/cache/settings.js';
import { firstJsonLine, spawnTs } from './stack.js';
import type { BenchRow } from './table.js';

const CHECKPOINTS = [10_000, 50_000];

interface Sample {
  rss: number;
  heapUsed: number;
}
interface FillResult {
  baseline: Sample;
  points: (Sample & { n: number; estimateBytes: number; entries: number; evictions: number })[];
}

export async function benchMemory(): Promise<BenchRow[]> {
  const suite = 'memory';
  const dataset = loadDataset('full');
  const max = Math.max(...CHECKPOINTS);
  if (dataset.organisations.size < max)
    throw new Error(`the full tier holds ${dataset.organisations.size} organisations, fewer than ${max}`);
  // Every record in the dataset's order (sorted by code), so the mix is the national one: mostly trust sites and practices.
  const lines: string[] = [];
  for (const org of dataset.organisations.values()) {
    if (lines.length === max) break;
    lines.push(JSON.stringify(org));
  }
  const file = join(tmpdir(), `ods-graphql-bench-${process.pid}.ndjson`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  lines.length = 0;
  try {
    const proc = spawnTs(
      fileURLToPath(new URL('./children/memoryFill.ts', import.meta.url)),
      { file, checkpoints: CHECKPOINTS },
      ['--expose-gc'],
    );
    const result = await firstJsonLine<FillResult>(proc, 180_000);
    const rows: BenchRow[] = [];
    const kb = (bytes: number) => Math.round(bytes / 1024);
    rows.push({
      suite,
      case: 'empty cache (baseline)',
      metric: 'RSS MiB',
      value: Math.round(result.baseline.rss / 1024 ** 2),
    });
    for (const p of result.points) {
      const c = `${p.n / 1000}k organisations cached (${p.entries} entries, ${p.evictions} evicted)`;
      const perRss = (p.rss - result.baseline.rss) / p.n;
      const perHeap = (p.heapUsed - result.baseline.heapUsed) / p.n;
      const perEstimate = p.estimateBytes / p.n;
      rows.push(
        { suite, case: c, metric: 'RSS MiB', value: Math.round(p.rss / 1024 ** 2) },
        { suite, case: c, metric: 'heap used MiB', value: Math.round(p.heapUsed / 1024 ** 2) },
        { suite, case: c, metric: 'RSS growth, bytes/org', value: Math.round(perRss) },
        { suite, case: c, metric: 'heap growth, bytes/org', value: Math.round(perHeap) },
        { suite, case: c, metric: "cache's estimate, bytes/org", value: Math.round(perEstimate) },
        { suite, case: c, metric: 'estimate ÷ heap growth', value: Math.round((perEstimate / perHeap) * 100) / 100 },
      );
      if (p.n === max) {
        rows.push({
          suite,
          case: `default CACHE_MAX_BYTES ${kb(DEFAULT_CACHE_SETTINGS.maxBytes) / 1024} MiB`,
          metric: 'organisations it holds (by the estimate)',
          value: Math.floor(DEFAULT_CACHE_SETTINGS.maxBytes / perEstimate),
        });
      }
    }
    return rows;
  } finally {
    rmSync(file, { force: true });
  }
}
