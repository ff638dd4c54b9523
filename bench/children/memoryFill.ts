// The memory bench's measuring process (run with --expose-gc): fills a CachedOrganisationSource from an NDJSON file of raw ORD records.
// Holds nothing but the cache, so resident memory and heap growth per organisation are the cache's own; prints one JSON line.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Organisation } from '../../src/domain/types.js';
import { toOrganisation } from '../../src/sources/ord/map.js';
import type { OrdOrganisation } from '../../src/sources/ord/types.js';
import { DEFAULT_CACHE_SETTINGS } from '../../src/cache/settings.js';
import { MemoryStore } from '../../src/cache/store.memory.js';
import { CachedOrganisationSource } from '../../src/cache/cachedSource.js';
import type { OrganisationSource } from '../../src/sources/types.js';

interface FillArgs {
  file: string;
  checkpoints: number[];
}

interface Sample {
  rss: number;
  heapUsed: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as FillArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function sample(): Promise<Sample> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

// The inner source hands back whichever record was read last: getOrganisation through the cache's public API stores it
// (and its summary) exactly as a live lookup would. Big enough that nothing is evicted; the default bound is reported beside.
let current: Organisation | null = null;
const refuse = () => Promise.reject(new Error('not used by the memory bench'));
const inner: OrganisationSource = {
  getOrganisation: async () => current,
  searchOrganisations: refuse,
  changedSince: refuse,
  roleTypes: refuse,
  relationshipTypes: refuse,
  recordClasses: refuse,
};
const store = new MemoryStore({ ...DEFAULT_CACHE_SETTINGS, maxBytes: 8 * 1024 ** 3 });
const cached = new CachedOrganisationSource(inner, { store });

const baseline = await sample();
const points: (Sample & { n: number; estimateBytes: number; entries: number; evictions: number })[] = [];
const targets = [...args.checkpoints].sort((a, b) => a - b);
let n = 0;
const lines = createInterface({ input: createReadStream(args.file, 'utf8'), crlfDelay: Infinity });
for await (const line of lines) {
  if (line === '') continue;
  // Parsed from text, as the client parses ORD's body, so no string is shared with any other structure.
  const raw = JSON.parse(line) as OrdOrganisation;
  current = toOrganisation(raw);
  await cached.getOrganisation(current.odsCode);
  current = null;
  n++;
  if (n === targets[0]) {
    targets.shift();
    const stats = cached.stats();
    points.push({
      n,
      ...(await sample()),
      estimateBytes: stats.bytes,
      entries: stats.entries,
      evictions: stats.evictions,
    });
    if (targets.length === 0) break;
  }
}
lines.close();
process.stdout.write(`${JSON.stringify({ baseline, points })}\n`);
