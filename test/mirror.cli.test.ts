// `npm run mirror` as a person runs it (a child process on a real SQLite file, the simulator as ORD): status in both
// forms, an import, a build stopped by SIGINT, and bad input (unknown command, missing file, bad role, bad date, a
// sync gap) as one plain line with exit 1.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { writeOrdXml } from '../src/simulators/ord/xml.js';
import { writeZip } from '../src/simulators/ord/zip.js';
import { buildMirror } from '../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import { spawnTs } from './helpers/spawnTs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataset = loadDataset('small');
const TODAY = dataset.asOf;
const dir = mkdtempSync(join(tmpdir(), 'mirror-cli-'));
const built = join(dir, 'trusts.sqlite');
const gap = join(dir, 'gap.sqlite');
let sim: OrdSimulator;
let trusts: number;

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset });
  const client = new OrdClient(
    { baseUrl: sim.baseUrl, rateLimit: 2000, maxConcurrency: 8, timeoutMs: 5000, maxRetries: 0, circuitFailures: 0 },
    { sleep: async () => {} },
  );
  for (const path of [built, gap]) {
    const store = await openMirrorStore(`sqlite:${path}`);
    await buildMirror(new OrdOrganisationSource(client), store, {
      roles: ['RO197'],
      sourceName: sim.baseUrl,
      now: () => new Date(`${TODAY}T09:00:00.000Z`),
    });
    if (path === gap) await store.setState('watermark', '2025-08-13'); // 200 days before 2026-03-01
    await store.close();
  }
  await client.close();
  trusts = [...dataset.organisations.values()].filter((o) =>
    o.Roles?.Role?.some((r) => r.primaryRole === true && r.id === 'RO197'),
  ).length;
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run mirror', () => {
  it('status --json and the text form: counts, watermark and its age, the baseline, no job in progress', async () => {
    const env = { MIRROR_URL: `sqlite:${built}` };
    const [json, text] = [
      spawnTs(['src/mirror.ts', 'status', '--json'], env),
      spawnTs(['src/mirror.ts', 'status'], env),
    ];
    expect(await json.exited, json.err()).toBe(0);
    const report = JSON.parse(json.out());
    const age = Math.round((Date.parse(new Date().toISOString().slice(0, 10)) - Date.parse(TODAY)) / 86_400_000);
    expect(report).toMatchObject({
      engine: 'sqlite',
      location: built,
      counts: { organisations: trusts },
      watermark: TODAY,
      watermarkAgeDays: age,
      completeAsOf: `${TODAY}T09:00:00.000Z`,
      baseline: { kind: 'build', source: sim.baseUrl, roles: ['RO197'], records: trusts },
      jobs: [],
    });
    expect(await text.exited).toBe(0);
    expect(text.out()).toContain(`organisations ${trusts}, roles`);
    expect(text.out()).toContain(`watermark: ${TODAY} (${age} days ago)`);
    expect(text.out()).toContain(`complete as of: ${TODAY}T09:00:00.000Z`);
  }, 40_000);

  it('import of a zip: the records, the PublicationDate watermark, and a status showing it', async () => {
    const zip = join(dir, 'full.zip');
    await writeZip(zip, [{ name: 'HSCOrgRefData_Full_20260301.xml', write: (out) => writeOrdXml(dataset, out) }]);
    const env = { MIRROR_URL: `sqlite:${join(dir, 'imported.sqlite')}` };
    const run = spawnTs(['src/mirror.ts', 'import', zip], env);
    expect(await run.exited, run.err()).toBe(0);
    expect(run.out()).toBe(
      `import complete: ${dataset.organisations.size} records; watermark ${TODAY} (the file's PublicationDate). ` +
        'Run `npm run mirror -- sync` to bring it up to today.\n',
    );
    expect(run.err()).toMatch(/import: \d+ records written in [\d.]+ s \(\d+ records\/s\)\n$/);
    const store = await openMirrorStore(env.MIRROR_URL);
    const status = await store.status();
    expect(status.counts.organisations).toBe(dataset.organisations.size);
    expect(status.state.watermark).toBe(TODAY);
    expect(JSON.parse(status.state.baseline ?? '{}')).toMatchObject({
      kind: 'import',
      source: zip,
      publicationDate: TODAY,
    });
    expect((await store.getOrganisation('RRP'))?.name).toBe(dataset.organisations.get('RRP')?.Name);
    await store.close();
  }, 40_000);

  it('SIGINT: the build finishes its batch, commits, stops and says how to resume', async () => {
    const url = `sqlite:${join(dir, 'interrupted.sqlite')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/mirror.ts', 'build'], {
      cwd: ROOT,
      env: { ...process.env, MIRROR_URL: url, ORD_BASE_URL: sim.baseUrl, ORD_RATE_LIMIT: '200', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const watcher = await openMirrorStore(url);
    for (let i = 0; i < 400 && (await watcher.queueCounts('build')).done < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(2);
    const counts = await watcher.queueCounts('build');
    // Stopped at a batch boundary (200 records a batch), with everything fetched committed.
    expect(counts.done % 200).toBe(0);
    expect(counts.done).toBeLessThan(counts.total);
    expect(err).toContain(
      `build stopped: ${counts.done} of ${counts.total} records committed. Run \`npm run mirror -- build\` again to continue.\n`,
    );
    expect(await watcher.getState('watermark')).toBeNull();
    await watcher.close();
  }, 40_000);

  it('bad input: one plain line on stderr and exit 1, before any ORD call', async () => {
    sim.clearLog();
    const env = { MIRROR_URL: `sqlite:${join(dir, 'bad.sqlite')}`, ORD_BASE_URL: sim.baseUrl };
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['frobnicate'], /^mirror: unknown command "frobnicate": use build, import, sync or status/],
      [['import', join(dir, 'no-such.xml')], /^mirror: import: no such file .*no-such\.xml$/],
      [['sync', '--today', '1 March'], /^mirror: --today must be YYYY-MM-DD; got "1 March"$/],
      [
        ['sync', '--today', TODAY],
        /^mirror: the mirror's watermark 2025-08-13 is 200 days before 2026-03-01, beyond ORD's 185-day change feed, .*re-baseline with `npm run mirror -- import <TRUD full file>` \(then sync\) or `npm run mirror -- build`$/,
        { MIRROR_URL: `sqlite:${gap}` },
      ],
    ];
    const runs = cases.map(([args, , extra]) => spawnTs(['src/mirror.ts', ...args], { ...env, ...extra }));
    for (const [i, run] of runs.entries()) {
      expect(await run.exited, cases[i]![0].join(' ')).toBe(1);
      const lines = run.err().trimEnd().split('\n');
      expect(lines, run.err()).toHaveLength(1);
      expect(lines[0]).toMatch(cases[i]![1]);
    }
    expect(sim.requests()).toHaveLength(0);
    // An unknown role is found in ORD's role code system: the three code-system calls, then the plain line.
    const role = spawnTs(['src/mirror.ts', 'build', '--roles', 'RO99999'], env);
    expect(await role.exited).toBe(1);
    expect(role.err()).toMatch(/^mirror: unknown role RO99999: --roles takes role ids from the role code system/);
    expect(role.err().trimEnd().split('\n')).toHaveLength(1);
    expect(
      sim
        .requests()
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(['recordclasses', 'rels', 'roles']);
  }, 50_000);
});
