// One mirror import in its own process, so its peak memory is its own: reads an ORD XML file into the mirror at a URL.
// Prints {"records", "seconds", "peakRssMiB"} when done and exits.

import { statSync } from 'node:fs';
import { importMirror } from '../../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../../src/sources/mirror/open.js';
import { readOrdXml } from '../../src/sources/ord/xml.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { file: string; mirrorUrl: string };
const store = await openMirrorStore(args.mirrorUrl);
const stat = statSync(args.file);
const started = performance.now();
const result = await importMirror(readOrdXml(args.file), store, {
  file: { path: args.file, size: stat.size, mtimeMs: stat.mtimeMs },
});
const seconds = (performance.now() - started) / 1000;
await store.close();
// maxRSS is in KiB: the process's peak resident memory, parse and writes together.
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ records: result.records, written: result.written, seconds, peakRssMiB })}\n`);
process.exit(0);
