// `npm run bench`: runs every benchmark suite, prints one table and writes bench/results/latest.json.
// Usage: npm run bench [-- --suite analyst] [-- --seconds 5]   (suites: simulator, analyst, overhead, memory, graphiql, load, fairness, abuse, mirror, fhir, pacing)

import { fileURLToPath } from 'node:url';
import { benchAbuse } from './abuse.js';
import { benchAnalyst } from './analyst.js';
import { benchGraphiql } from './graphiql.js';
import { benchLoad } from './load.js';
import { benchFairness } from './fairness.js';
import { benchFhir } from './fhir.js';
import { benchMemory } from './memory.js';
import { benchMirror } from './mirror.js';
import { benchOverhead } from './overhead.js';
import { benchPacing } from './pacing.js';
import { benchSimulator } from './simulator.js';
import { describeMachine, printTable, saveJson, type BenchRow } from './table.js';

const suites: Record<string, (durationMs: number) => Promise<BenchRow[]>> = {
  simulator: benchSimulator,
  analyst: benchAnalyst,
  overhead: benchOverhead,
  memory: benchMemory,
  graphiql: benchGraphiql,
  // 1000 concurrent inbound requests against one replica: the pacer's promise under a swamped event loop.
  load: benchLoad,
  fairness: () => benchFairness(),
  abuse: benchAbuse,
  // The local mirror: imports (full tier and a national-size file), a crawl, one day's sync, and serving from it.
  mirror: benchMirror,
  // ODT beside ORD: calls per analyst task, a baseline from ODT's search pages, warm throughput fhir ÷ ord.
  fhir: benchFhir,
  // Last: judges the ORD request logs every paced suite above recorded.
  pacing: benchPacing,
};

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const chosen = argValue('--suite');
const seconds = Number(argValue('--seconds') ?? '5');
if (chosen !== undefined && !(chosen in suites)) {
  console.error(`Unknown suite "${chosen}". Suites: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}

const started = performance.now();
console.error(`machine at start: ${JSON.stringify(describeMachine())}`);
const rows: BenchRow[] = [];
for (const [name, run] of Object.entries(suites)) {
  if (chosen && name !== chosen) continue;
  const t0 = performance.now();
  console.error(`running ${name} …`);
  rows.push(...(await run(seconds * 1000)));
  console.error(`  ${name} took ${Math.round((performance.now() - t0) / 1000)} s`);
}
console.log(printTable(rows));
const out = fileURLToPath(new URL('./results/latest.json', import.meta.url));
saveJson(rows, out);
console.error(`machine at end: ${JSON.stringify(describeMachine())}`);
console.error(`saved ${out} (whole run ${Math.round((performance.now() - started) / 1000)} s)`);
