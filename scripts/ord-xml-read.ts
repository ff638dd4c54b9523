// Measures the ORD XML reader alone (no database): MB/s of XML, records/s and peak RSS over a simulator-written file.
// `npx tsx scripts/ord-xml-read.ts [--tier full] [--copies 5] [--zip] [--file PATH] [--wire] [--keep]`; prints one line.
//
// Without --file, the file is first written by the simulator CLI in a child process (`npm run sim -- --write-xml`), so
// the dataset it is built from does not count towards this process's RSS. --wire stops before toOrganisation.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yauzl from 'yauzl';
import { readOrdXml, readOrdXmlWire } from '../src/sources/ord/xml.js';

const { values } = parseArgs({
  options: {
    tier: { type: 'string', default: 'full' },
    copies: { type: 'string', default: '1' },
    zip: { type: 'boolean', default: false },
    file: { type: 'string' },
    wire: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const root = fileURLToPath(new URL('..', import.meta.url));
let file = values.file;
let dir: string | undefined;
if (file === undefined) {
  dir = mkdtempSync(join(tmpdir(), 'ord-xml-bench-'));
  file = join(dir, `ord-${values.tier}-x${values.copies}.${values.zip ? 'zip' : 'xml'}`);
  const args = ['src/simulators/ord/cli.ts', '--tier', values.tier!, '--copies', values.copies!, '--write-xml', file];
  if (values.zip) args.push('--zip');
  const written = spawnSync(join(root, 'node_modules/.bin/tsx'), args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (written.status !== 0) throw new Error(`the simulator could not write ${file}`);
  process.stderr.write(written.stdout.toString());
}

const bytes = statSync(file).size;
/** For a zip, the XML's own size (the largest entry's uncompressed size), so MB/s compares with a plain file. */
async function xmlBytes(path: string): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile | null>((resolve) =>
    yauzl.open(path, { lazyEntries: false }, (err, z) => resolve(err ? null : z)),
  );
  if (zip === null) return bytes;
  let largest = 0;
  zip.on('entry', (entry: yauzl.Entry) => (largest = Math.max(largest, entry.uncompressedSize)));
  await new Promise((resolve) => zip.once('end', resolve));
  zip.close();
  return largest;
}
const xmlSize = await xmlBytes(file);
let peakRss = process.memoryUsage().rss;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const timer = setInterval(sample, 50);
const cpu0 = process.cpuUsage();
const started = performance.now();
let records = 0;
try {
  const items = values.wire ? readOrdXmlWire(file, { onProgress: sample }) : readOrdXml(file, { onProgress: sample });
  for await (const item of items) if (item.kind === 'organisation') records++;
} finally {
  clearInterval(timer);
  if (dir !== undefined && !values.keep) rmSync(dir, { recursive: true, force: true });
}
sample();
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const result = {
  file: values.file ?? `${values.tier} x ${values.copies}${values.zip ? ' (zip)' : ''}`,
  mapping: values.wire ? 'wire only' : 'toOrganisation',
  bytes,
  xmlBytes: xmlSize,
  records,
  seconds: Number(seconds.toFixed(2)),
  cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  mbPerSecond: Number((xmlSize / 1e6 / seconds).toFixed(1)),
  recordsPerSecond: Math.round(records / seconds),
  peakRssMb: Math.round(peakRss / 2 ** 20),
};
process.stdout.write(
  `ORD XML read (${result.file}, ${result.mapping}): ${records} records, ${(xmlSize / 1e6).toFixed(0)} MB of XML` +
    `${xmlSize === bytes ? '' : ` (${(bytes / 1e6).toFixed(0)} MB zipped)`} in ` +
    `${result.seconds} s (${result.cpuSeconds} s CPU): ${result.mbPerSecond} MB/s, ${result.recordsPerSecond} records/s, ` +
    `peak RSS ${result.peakRssMb} MB\n${JSON.stringify(result)}\n`,
);
