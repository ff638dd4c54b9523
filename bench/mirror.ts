// Benchmark suite: the mirror's jobs against the simulator on SQLite: build of both tiers (records/s, ORD calls), one
// day's sync (its ORD calls against the goal), and imports of the full tier as XML (and a 306k-record file) in a child.
// Build and sync again on a real PostgreSQL (test/helpers/postgres.ts) when one can be started.
// Run alone: `npx tsx bench/mirror.ts [--skip-306k] [--skip-postgres]`, or in bench/run.ts as `mirror: benchMirror`.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/dataset/build.js';
import type { DatasetTier, OrdDataset } from '../src/dataset/types.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import { copyCode, writeOrdXml } from '../src/simulators/ord/xml.js';
import { buildMirror } from '../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { syncMirror } from '../src/sources/mirror/sync.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import type { OrdOrganisation } from '../src/sources/ord/types.js';
import { postgresSkipReason, startPostgres } from '../test/helpers/postgres.js';
import type { BenchRow } from './table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITE = 'mirror';
/** Changed records in the simulated day (NOTES.md: ~65–160 a day). */
const DAY_CHANGES = 150;
const TRUD_FULL_RECORDS = 306_201;

function ordClient(baseUrl: string): OrdClient {
  // The simulator has no rate limit: the build is bounded by the simulator, the mapping and the store.
  return new OrdClient({ baseUrl, rateLimit: 100_000, maxConcurrency: 16, timeoutMs: 30_000, maxRetries: 0 });
}

/** Peak RSS (VmHWM) of a child, polled from /proc while it runs; null off Linux. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** `npm run mirror -- import <file>` in a child, timed, with its peak RSS. */
async function importInChild(
  file: string,
  url: string,
): Promise<{ seconds: number; peakMb: number | null; out: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/mirror.ts', 'import', file], {
    cwd: ROOT,
    env: { ...process.env, MIRROR_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let peak: number | null = null;
  const poll = setInterval(() => {
    const now = child.pid === undefined ? null : peakRssMb(child.pid);
    if (now !== null) peak = Math.max(peak ?? 0, now);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`mirror import exited ${code}: ${err.slice(-500)}`);
  return { seconds: (performance.now() - started) / 1000, peakMb: peak, out };
}

async function benchBuild(tier: DatasetTier, url: string, rows: BenchRow[], engine = 'sqlite'): Promise<string> {
  const sim = await startOrdSimulator({ tier });
  const client = ordClient(sim.baseUrl);
  const store = await openMirrorStore(url);
  try {
    const t0 = performance.now();
    const result = await buildMirror(new OrdOrganisationSource(client), store, {
      concurrency: 16,
      now: () => new Date(`${sim.today}T09:00:00.000Z`),
    });
    const seconds = (performance.now() - t0) / 1000;
    const counters = sim.counters();
    const records = result.queue.done;
    rows.push(
      { suite: SUITE, case: `build ${tier} tier from the simulator (${engine})`, metric: 'records', value: records },
      {
        suite: SUITE,
        case: `build ${tier} tier from the simulator (${engine})`,
        metric: 's',
        value: Math.round(seconds * 10) / 10,
      },
      {
        suite: SUITE,
        case: `build ${tier} tier from the simulator (${engine})`,
        metric: 'records/s',
        value: Math.round(records / seconds),
      },
      {
        suite: SUITE,
        case: `build ${tier} tier from the simulator (${engine})`,
        metric: 'ORD calls',
        value: counters.total,
      },
      {
        suite: SUITE,
        case: `build ${tier} tier from the simulator (${engine})`,
        metric: 'ORD searches',
        value: counters.byEndpoint.search ?? 0,
      },
      {
        suite: SUITE,
        case: `build ${tier} tier (${engine}): at ORD's 5/s, the same calls would take`,
        metric: 'h',
        value: Math.round((counters.total / 5 / 3600) * 10) / 10,
      },
    );
  } finally {
    await store.close();
    await client.close();
    await sim.close();
  }
  return url;
}

/** One day's changes on the full tier: renames, one relationship ended, deletions, new codes; then one sync. */
async function benchSync(tier: DatasetTier, url: string, rows: BenchRow[], engine = 'sqlite'): Promise<void> {
  const dataset = loadDataset(tier);
  const sim = await startOrdSimulator({ dataset });
  const next = new Date(Date.parse(`${sim.today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const records = [...dataset.organisations.values()].filter((o) => o.Roles?.Role?.some((r) => r.primaryRole === true));
  const renamed: OrdOrganisation[] = records
    .slice(0, DAY_CHANGES - 5)
    .map((o) => ({ ...o, Name: `${o.Name} (RENAMED)`, LastChangeDate: next }));
  const created: OrdOrganisation[] = records
    .slice(0, 3)
    .map((o, i) => ({ ...o, OrgId: { ...o.OrgId, extension: `ZZ${i}DAY` }, LastChangeDate: next }));
  const deleted = records.slice(DAY_CHANGES, DAY_CHANGES + 2).map((o) => ({ odsCode: o.OrgId.extension }));
  sim.applyChanges({ today: next, upsert: [...renamed, ...created], delete: deleted });
  sim.clearLog();
  const client = ordClient(sim.baseUrl);
  const store = await openMirrorStore(url);
  try {
    const t0 = performance.now();
    const result = await syncMirror(new OrdOrganisationSource(client), store, { today: next });
    const ms = performance.now() - t0;
    const c = sim.counters().byEndpoint;
    const expected = 1 + result.listed + 1;
    const total = sim.counters().total;
    rows.push(
      { suite: SUITE, case: `sync one day (${tier} tier, ${engine})`, metric: '/sync listed', value: result.listed },
      { suite: SUITE, case: `sync one day (${tier} tier, ${engine})`, metric: 'deleted', value: result.deleted },
      {
        suite: SUITE,
        case: `sync one day (${tier} tier, ${engine})`,
        metric: 'ORD calls',
        value: total,
        goal: `= 1 /sync + ${result.listed} records + 1 /notifications = ${expected}`,
        met: total === expected && c.sync === 1 && c.notifications === 1 && c.organisation === result.listed,
      },
      { suite: SUITE, case: `sync one day (${tier} tier, ${engine})`, metric: 'ms', value: Math.round(ms) },
    );
  } finally {
    await store.close();
    await client.close();
    await sim.close();
  }
}

/**
 * The full tier without the few real codes a copy's re-keying would produce ("Z5…" for copy 5): the simulator's
 * writer refuses such a collision, so those records are left out of the many-copy file.
 */
function copyableDataset(copies: number): OrdDataset {
  const full = loadDataset('full');
  if (copies === 1) return full;
  const prefixes = Array.from({ length: copies - 1 }, (_, k) => copyCode('', k + 1));
  const organisations = new Map([...full.organisations].filter(([code]) => !prefixes.some((p) => code.startsWith(p))));
  return { ...full, organisations };
}

/** Writes the full tier (× `copies`) as ORD XML once and imports it into a fresh SQLite file and, if given, a fresh PostgreSQL. */
async function benchImport(dir: string, copies: number, rows: BenchRow[], withPostgres: boolean): Promise<void> {
  const dataset = copyableDataset(copies);
  const file = join(dir, `full-x${copies}.xml`);
  const written = await writeOrdXml(dataset, file, { copies });
  const big = written.records >= 300_000;
  const engines: ('sqlite' | 'postgres')[] = withPostgres ? ['sqlite', 'postgres'] : ['sqlite'];
  try {
    for (const engine of engines) {
      const pg = engine === 'postgres' ? await startPostgres() : null;
      try {
        const url = pg?.url ?? `sqlite:${join(dir, `import-x${copies}.sqlite`)}`;
        const { seconds, peakMb } = await importInChild(file, url);
        const size = `${Math.round(written.bytes / 1024 / 1024)} MB`;
        const label = `import full tier XML${copies > 1 ? ` ×${copies}` : ''} (${size}, ${engine})`;
        rows.push(
          { suite: SUITE, case: label, metric: 'records', value: written.records },
          {
            suite: SUITE,
            case: label,
            metric: 's',
            value: Math.round(seconds * 10) / 10,
            ...(big ? { goal: '< 180 (306k records)', met: seconds < 180 } : {}),
          },
          { suite: SUITE, case: label, metric: 'records/s', value: Math.round(written.records / seconds) },
          {
            suite: SUITE,
            case: label,
            metric: 'peak RSS MB (the import process)',
            value: peakMb === null ? -1 : Math.round(peakMb),
            ...(big ? { goal: '< 500', met: peakMb !== null && peakMb < 500 } : {}),
          },
        );
      } finally {
        await pg?.stop();
      }
    }
  } finally {
    rmSync(file, { force: true });
  }
}

export async function benchMirror(
  _durationMs: number,
  options: { skip306k?: boolean; skipPostgres?: boolean } = {},
): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mirror-'));
  const rows: BenchRow[] = [];
  const report = new Proxy(rows, {
    get(target, key, receiver) {
      if (key === 'push')
        return (...added: BenchRow[]) => {
          for (const r of added) console.error(`  ${r.case}: ${r.value} ${r.metric}`);
          return target.push(...added);
        };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  try {
    await benchBuild('small', `sqlite:${join(dir, 'build-small.sqlite')}`, report);
    const full = await benchBuild('full', `sqlite:${join(dir, 'build-full.sqlite')}`, report);
    await benchSync('full', full, report);
    const skip = options.skipPostgres ? '--skip-postgres' : postgresSkipReason();
    if (skip === null) {
      const pg = await startPostgres();
      try {
        await benchBuild('full', pg.url, report, 'postgres');
        await benchSync('full', pg.url, report, 'postgres');
      } finally {
        await pg.stop();
      }
    } else {
      console.error(`mirror bench: PostgreSQL rows skipped (${skip})`);
    }
    await benchImport(dir, 1, report, skip === null);
    // Enough copies of the full tier for TRUD's real full file (306,201 records, NOTES.md §4.1).
    if (!options.skip306k) {
      const copies = Math.ceil(TRUD_FULL_RECORDS / loadDataset('full').organisations.size);
      await benchImport(dir, copies, report, skip === null);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import('./table.js');
  const rows = await benchMirror(0, {
    skip306k: process.argv.includes('--skip-306k'),
    skipPostgres: process.argv.includes('--skip-postgres'),
  });
  console.log(printTable(rows));
}
