// The mirror's jobs against the real simulator (small tier) and a real SQLite file: build (whole and by role), a killed
// CLI build resumed, import from the simulator's XML (and resumed), sync of one day's changes, faults, the gap, the loop.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { Organisation } from '../src/domain/types.js';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { writeOrdXml } from '../src/simulators/ord/xml.js';
import {
  buildMirror,
  exportMirror,
  importMirror,
  MirrorJobError,
  type BaselineItem,
  type BaselineRecord,
} from '../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { silentProgress } from '../src/sources/mirror/progress.js';
import type { MirrorStore } from '../src/sources/mirror/store.js';
import { MirrorSyncGapError, MirrorSyncLoop, syncMirror } from '../src/sources/mirror/sync.js';
import { startOdtSimulator } from '../src/simulators/odt/server.js';
import { FhirClient } from '../src/sources/fhir/client.js';
import { FHIR_DEFAULT_SETTINGS } from '../src/sources/fhir/settings.js';
import { FhirOrganisationSource } from '../src/sources/fhir/source.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import type { OrdOrganisation } from '../src/sources/ord/types.js';
import { spawnTs } from './helpers/spawnTs.js';
import { readOrdXml } from '../src/sources/ord/xml.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `node --import tsx <args>` in the package root: one process, so a signal sent to it is the job's own. */
function spawnNode(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

const dataset = loadDataset('small');
const TODAY = dataset.asOf; // the simulator's today: 2026-03-01
const BUILD_CLOCK = () => new Date(`${TODAY}T09:00:00.000Z`);

const dir = mkdtempSync(join(tmpdir(), 'mirror-jobs-'));
const sqlite = (name: string) => `sqlite:${join(dir, name)}`;
const clean = join(dir, 'clean.sqlite');

let sim: OrdSimulator;
let client: OrdClient;
let source: OrdOrganisationSource;
let cleanCodes: string[];

function ordClient(baseUrl: string): OrdClient {
  return new OrdClient(
    { baseUrl, rateLimit: 2000, maxConcurrency: 8, timeoutMs: 5000, maxRetries: 0, circuitFailures: 0 },
    { sleep: async () => {} },
  );
}

/** Every record the store holds for `codes`, as a plain map for deep comparison. */
async function recordsOf(store: MirrorStore, codes: readonly string[]): Promise<Map<string, Organisation>> {
  return store.getOrganisations(codes);
}

/** A copy of the clean build, opened (each sync test starts from the same mirror). */
async function copyOfClean(name: string): Promise<MirrorStore> {
  copyFileSync(clean, join(dir, name));
  return openMirrorStore(sqlite(name));
}

/** The primary roles and how many searchable organisations hold each, straight from the dataset. */
function primaryRoleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const org of dataset.organisations.values()) {
    const primary = org.Roles?.Role?.find((r) => r.primaryRole === true)?.id;
    if (primary !== undefined) counts.set(primary, (counts.get(primary) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset });
  client = ordClient(sim.baseUrl);
  source = new OrdOrganisationSource(client);
});
afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('build', () => {
  it('stores every record exactly as ORD answers it, with searches + one fetch per record and nothing else', async () => {
    sim.clearLog();
    const store = await openMirrorStore(`sqlite:${clean}`);
    const result = await buildMirror(source, store, { now: BUILD_CLOCK, sourceName: sim.baseUrl });
    expect(result.complete).toBe(true);
    const log = sim.requests();

    // Calls: the three code systems once, each primary role listed 1000 rows a page, each record fetched once.
    const byEndpoint = (e: string) => log.filter((r) => r.endpoint === e);
    expect(byEndpoint('roles').map((r) => r.path)).toEqual(['roles']);
    expect(byEndpoint('rels').map((r) => r.path)).toEqual(['rels']);
    expect(byEndpoint('recordclasses').map((r) => r.path)).toEqual(['recordclasses']);
    const primaryRoles = dataset.roles.filter((r) => r.primaryRole === 'true');
    const counts = primaryRoleCounts();
    const expectedSearches = primaryRoles.reduce(
      (n, r) => n + Math.max(1, Math.ceil((counts.get(r.id) ?? 0) / 1000)),
      0,
    );
    expect(byEndpoint('search')).toHaveLength(expectedSearches);
    const fetched = byEndpoint('organisation').map((r) => r.path.replace('organisations/', ''));
    expect(new Set(fetched).size).toBe(fetched.length);
    expect(fetched.sort()).toEqual([...dataset.organisations.keys()].sort());
    expect(log.length).toBe(3 + expectedSearches + fetched.length);

    // Every record equals what ORD answers for it.
    cleanCodes = [...dataset.organisations.keys()];
    const held = await recordsOf(store, cleanCodes);
    expect(held.size).toBe(dataset.organisations.size);
    for (const code of cleanCodes) expect(held.get(code), code).toEqual(await source.getOrganisation(code));
    expect((await store.getOrganisation('RRP'))?.name).toBe(dataset.organisations.get('RRP')?.Name);

    const status = await store.status();
    expect(status.counts.organisations).toBe(dataset.organisations.size);
    expect(status.state.watermark).toBe(TODAY);
    expect(status.state.build).toBeUndefined();
    const baseline = JSON.parse(status.state.baseline ?? '{}') as BaselineRecord;
    expect(baseline).toMatchObject({
      kind: 'build',
      source: sim.baseUrl,
      roles: null,
      records: dataset.organisations.size,
    });
    expect(await store.queueCounts('build')).toEqual({ total: 0, done: 0 });
    await store.close();
  });

  it('--roles: only those roles, targets not followed; an unknown role is a plain error naming it', async () => {
    const store = await openMirrorStore(sqlite('roles.sqlite'));
    sim.clearLog();
    const result = await buildMirror(source, store, { roles: ['RO197'], now: BUILD_CLOCK });
    expect(result.complete).toBe(true);
    expect(result.targetsQueued).toBe(0);
    const trusts = [...dataset.organisations.entries()]
      .filter(([, o]) => o.Roles?.Role?.some((r) => r.primaryRole === true && r.id === 'RO197'))
      .map(([code]) => code)
      .sort();
    expect(trusts.length).toBeGreaterThan(0);
    expect((await store.status()).counts.organisations).toBe(trusts.length);
    const fetched = sim
      .requests()
      .filter((r) => r.endpoint === 'organisation')
      .map((r) => r.path.replace('organisations/', ''))
      .sort();
    expect(fetched).toEqual(trusts);
    expect(
      sim
        .requests()
        .filter((r) => r.endpoint === 'search')
        .map((r) => r.path),
    ).toEqual(['organisations?PrimaryRoleId=RO197&Limit=1000']);

    const error = await buildMirror(source, await openMirrorStore(sqlite('bad-role.sqlite')), {
      roles: ['RO99999'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MirrorJobError);
    expect((error as Error).message).toMatch(/^unknown role RO99999: --roles takes role ids/);
    await store.close();
  });

  it('resume: a CLI build killed mid-way, run again, fetches only what was not committed and equals a clean build', async () => {
    const url = sqlite('resumed.sqlite');
    const env = { MIRROR_URL: url, ORD_BASE_URL: sim.baseUrl, ORD_RATE_LIMIT: '300', LOG_LEVEL: 'warn' };
    sim.clearLog();
    // Node itself (tsx as a loader), not the tsx wrapper: SIGKILL must reach the process that does the work.
    const first = spawnNode(['src/mirror.ts', 'build'], env);
    const watcher = await openMirrorStore(url);
    let committed = 0;
    for (let i = 0; i < 600 && committed < 400; i++) {
      await new Promise((r) => setTimeout(r, 50));
      committed = (await watcher.queueCounts('build').catch(() => ({ done: 0 }))).done;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await watcher.queueCounts('build');
    expect(atKill.done).toBeGreaterThanOrEqual(400);
    expect(atKill.done).toBeLessThan(atKill.total);
    const firstFetches = new Set(
      sim
        .requests()
        .filter((r) => r.endpoint === 'organisation')
        .map((r) => r.path),
    );
    await watcher.close();

    sim.clearLog();
    const second = spawnTs(['src/mirror.ts', 'build'], env);
    expect(await second.exited, second.err()).toBe(0);
    expect(second.out()).toMatch(/^build complete: \d+ records/);
    const secondLog = sim.requests();
    const secondFetches = secondLog.filter((r) => r.endpoint === 'organisation').map((r) => r.path);
    const refetched = secondFetches.filter((p) => firstFetches.has(p));
    // What the first run fetched but had not committed: at most one batch (200) plus the fetches in flight.
    expect(refetched.length).toBeLessThanOrEqual(200 + 8);
    expect(secondFetches.length).toBeLessThanOrEqual(dataset.organisations.size - atKill.done + 208);
    // The roles were all listed before the kill: the resumed run lists none again.
    expect(secondLog.filter((r) => r.endpoint === 'search')).toHaveLength(0);

    const resumed = await openMirrorStore(url);
    const cleanStore = await openMirrorStore(`sqlite:${clean}`);
    expect(await recordsOf(resumed, cleanCodes)).toEqual(await recordsOf(cleanStore, cleanCodes));
    expect((await resumed.status()).counts).toMatchObject({
      organisations: dataset.organisations.size,
      roles: (await cleanStore.status()).counts.roles,
      relationships: (await cleanStore.status()).counts.relationships,
    });
    await resumed.close();
    await cleanStore.close();
  }, 60_000);
});

describe('import', () => {
  const xmlPath = join(dir, 'small.xml');
  let publicationDate: string;

  beforeAll(async () => {
    await writeOrdXml(dataset, xmlPath);
    for await (const item of readOrdXml(xmlPath) as AsyncIterable<BaselineItem>) {
      if (item.kind === 'manifest') {
        publicationDate = item.publicationDate ?? '';
        break;
      }
    }
  });

  const file = () => ({ path: xmlPath, size: statSync(xmlPath).size, mtimeMs: statSync(xmlPath).mtimeMs });

  it('build --from fhir: ODT pages, ~4 calls per 1000 records, every record equal to the clean ORD build; resumes', async () => {
    const odt = await startOdtSimulator({ dataset });
    const client = new FhirClient({ ...FHIR_DEFAULT_SETTINGS, baseUrl: odt.baseUrl, rateLimit: 2000, maxRetries: 0 });
    const store = await openMirrorStore(sqlite('export.sqlite'));
    const cleanStore = await openMirrorStore(`sqlite:${clean}`);
    try {
      const fhir = new FhirOrganisationSource(client);
      const stop = new AbortController();
      // Stopped after its first page, then run again: it resumes at the second.
      const first = await exportMirror(fhir, store, {
        signal: stop.signal,
        progress: () => ({
          ...silentProgress(),
          tick: (n?: number) => {
            if ((n ?? 1) > 0) stop.abort();
          },
        }),
        now: () => new Date(`${TODAY}T09:00:00.000Z`),
      });
      expect(first).toMatchObject({ complete: false, pages: 1, records: 1000, resumed: false });
      const result = await exportMirror(new FhirOrganisationSource(client), store, {
        sourceName: odt.baseUrl,
        now: () => new Date(`${TODAY}T09:00:00.000Z`),
      });
      const pages = Math.ceil(dataset.organisations.size / 1000);
      expect(result).toMatchObject({ complete: true, resumed: true, pages, records: dataset.organisations.size });
      expect(await recordsOf(store, cleanCodes)).toEqual(await recordsOf(cleanStore, cleanCodes));
      expect(await store.codeSystems()).toEqual(await cleanStore.codeSystems());
      const log = odt.requests();
      const byEndpoint = (e: string) => log.filter((r) => r.endpoint === e).length;
      // Per page: the Organization page, its affiliations (a page per 1000), one $expand; plus a count per run, the
      // three code systems, and the role code system again for the resumed run's new source (primary roles).
      expect(byEndpoint('organization-search')).toBe(pages + 2);
      expect(byEndpoint('expand')).toBe(pages + 3 + 1);
      expect(byEndpoint('affiliation-search')).toBeGreaterThanOrEqual(pages);
      // Beyond the 6 fixed calls (counts, code systems), at most 4 per page of 1000 records.
      expect(log.length - 6).toBeLessThanOrEqual(pages * 4);
      expect((await store.status()).state).toMatchObject({ watermark: TODAY });
    } finally {
      await store.close();
      await cleanStore.close();
      await client.close();
      await odt.close();
    }
  });

  it('imports the simulator’s XML: every record equals the clean build; watermark = PublicationDate', async () => {
    const store = await openMirrorStore(sqlite('import.sqlite'));
    const result = await importMirror(readOrdXml(xmlPath) as AsyncIterable<BaselineItem>, store, { file: file() });
    expect(result).toMatchObject({ complete: true, records: dataset.organisations.size, skipped: 0, resumed: false });
    const cleanStore = await openMirrorStore(`sqlite:${clean}`);
    expect(await recordsOf(store, cleanCodes)).toEqual(await recordsOf(cleanStore, cleanCodes));
    expect(await store.codeSystems()).toEqual(await cleanStore.codeSystems());
    const status = await store.status();
    expect(publicationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(status.state.watermark).toBe(publicationDate);
    expect(status.state.completeAsOf).toBe(`${publicationDate}T00:00:00.000Z`);
    expect(status.state.import).toBeUndefined();
    await store.close();
    await cleanStore.close();
  });

  it('resumes: a stopped import run again on the same file skips what was committed and ends equal', async () => {
    const store = await openMirrorStore(sqlite('import-resume.sqlite'));
    const stop = new AbortController();
    const first = await importMirror(readOrdXml(xmlPath) as AsyncIterable<BaselineItem>, store, {
      file: file(),
      batchSize: 300,
      signal: stop.signal,
      onCommitted: (n) => {
        if (n >= 600) stop.abort();
      },
    });
    expect(first).toMatchObject({ complete: false, written: 600 });
    expect(JSON.parse((await store.getState('import')) ?? '{}')).toMatchObject({ path: xmlPath, committed: 600 });
    expect((await store.status()).counts.organisations).toBe(600);

    const second = await importMirror(readOrdXml(xmlPath) as AsyncIterable<BaselineItem>, store, {
      file: file(),
      batchSize: 300,
    });
    expect(second).toMatchObject({
      complete: true,
      resumed: true,
      skipped: 600,
      written: dataset.organisations.size - 600,
    });
    const cleanStore = await openMirrorStore(`sqlite:${clean}`);
    expect(await recordsOf(store, cleanCodes)).toEqual(await recordsOf(cleanStore, cleanCodes));
    await store.close();
    await cleanStore.close();
  });
});

describe('sync', () => {
  const NEXT_DAY = '2026-03-02';

  /** One of each change: a practice renamed, a relationship ended, a site deleted, a new code created. */
  function changes(): {
    renamed: string;
    relChanged: string;
    deleted: string;
    created: string;
    upsert: OrdOrganisation[];
  } {
    const practices = [...dataset.organisations.values()].filter(
      (o) => o.Roles?.Role?.some((r) => r.primaryRole === true && r.id === 'RO177') && (o.Rels?.Rel?.length ?? 0) > 0,
    );
    const sites = [...dataset.organisations.values()].filter((o) =>
      o.Roles?.Role?.some((r) => r.primaryRole === true && r.id === 'RO198'),
    );
    const a = practices[0]!;
    const b = practices[1]!;
    const site = sites[0]!;
    const renamed: OrdOrganisation = {
      ...structuredClone(a),
      Name: 'A RENAMED TEST PRACTICE',
      LastChangeDate: NEXT_DAY,
    };
    const rels = structuredClone(b.Rels!.Rel);
    rels[0] = { ...rels[0]!, Status: 'Inactive', Date: [{ Type: 'Operational', Start: '2013-04-01', End: NEXT_DAY }] };
    const relChanged: OrdOrganisation = { ...structuredClone(b), Rels: { Rel: rels }, LastChangeDate: NEXT_DAY };
    const created: OrdOrganisation = {
      ...structuredClone(a),
      Name: 'A BRAND NEW TEST PRACTICE',
      OrgId: { ...a.OrgId, extension: 'ZZ1NEW' },
      LastChangeDate: NEXT_DAY,
    };
    return {
      renamed: a.OrgId.extension,
      relChanged: b.OrgId.extension,
      deleted: site.OrgId.extension,
      created: 'ZZ1NEW',
      upsert: [renamed, relChanged, created],
    };
  }

  async function changedSimulator(): Promise<{
    s: OrdSimulator;
    c: OrdClient;
    src: OrdOrganisationSource;
    ch: ReturnType<typeof changes>;
  }> {
    const s = await startOrdSimulator({ dataset });
    const ch = changes();
    s.applyChanges({ today: NEXT_DAY, upsert: ch.upsert, delete: [{ odsCode: ch.deleted }] });
    s.clearLog();
    const c = ordClient(s.baseUrl);
    return { s, c, src: new OrdOrganisationSource(c), ch };
  }

  it('applies one day: 1 /sync + the changed records + 1 /notifications; the store shows each change', async () => {
    const { s, c, src, ch } = await changedSimulator();
    const store = await copyOfClean('sync.sqlite');
    const result = await syncMirror(src, store, { today: NEXT_DAY });
    const log = s.requests();
    // What /sync lists from the watermark − 1 day (2026-02-28), straight from the dataset plus the three upserts.
    const listed = new Set(
      [...dataset.organisations.entries()].filter(([, o]) => o.LastChangeDate >= '2026-02-28').map(([code]) => code),
    );
    listed.delete(ch.deleted);
    for (const o of ch.upsert) listed.add(o.OrgId.extension);
    expect(result).toMatchObject({ from: '2026-02-28', today: NEXT_DAY, listed: listed.size, notFound: 0, deleted: 1 });
    expect(log.filter((r) => r.endpoint === 'sync').map((r) => r.path)).toEqual(['sync?LastChangeDate=2026-02-28']);
    expect(log.filter((r) => r.endpoint === 'notifications').map((r) => r.path)).toEqual(['notifications']);
    const fetched = log.filter((r) => r.endpoint === 'organisation').map((r) => r.path.replace('organisations/', ''));
    expect(fetched.sort()).toEqual([...listed].sort());
    expect(log).toHaveLength(2 + listed.size);

    expect((await store.getOrganisation(ch.renamed))?.name).toBe('A RENAMED TEST PRACTICE');
    const rel = (await store.getOrganisation(ch.relChanged))?.relationships[0];
    expect(rel).toMatchObject({ status: 'INACTIVE', operationalPeriod: { start: '2013-04-01', end: NEXT_DAY } });
    expect(await store.getOrganisation(ch.deleted)).toBeNull();
    expect((await store.getOrganisation('ZZ1NEW'))?.name).toBe('A BRAND NEW TEST PRACTICE');

    const history = await store.recentChanges(50);
    const line = (code: string) => history.find((h) => h.odsCode === code && h.origin === 'sync');
    expect(line(ch.renamed)).toMatchObject({ kind: 'updated', lastChangeDate: NEXT_DAY });
    expect(line('ZZ1NEW')).toMatchObject({ kind: 'created', lastChangeDate: NEXT_DAY });
    expect(line(ch.deleted)).toMatchObject({ kind: 'deleted', lastChangeDate: null });
    expect(line(ch.deleted)?.note).toBe(
      `deleted by ORD on ${NEXT_DAY} 00:00:00 (/notifications reason 3: HUMAN ERROR)`,
    );
    const state = (await store.status()).state;
    expect(state.watermark).toBe(NEXT_DAY);
    expect(state.sync).toBeUndefined();
    expect(Date.parse(state.completeAsOf ?? '')).toBeGreaterThan(Date.parse(`${TODAY}T23:59:59Z`));
    expect(await store.queueCounts('sync')).toEqual({ total: 0, done: 0 });
    await store.close();
    await c.close();
    await s.close();
  });

  it('--from fhir: ODT lastChangeDate=ge pages + each changed record + the deletion List; the same store', async () => {
    const ch = changes();
    const odt = await startOdtSimulator({ dataset });
    odt.applyChanges({ today: NEXT_DAY, upsert: ch.upsert, delete: [{ odsCode: ch.deleted }] });
    odt.clearLog();
    const client = new FhirClient({ ...FHIR_DEFAULT_SETTINGS, baseUrl: odt.baseUrl, rateLimit: 2000, maxRetries: 0 });
    const store = await copyOfClean('sync-fhir.sqlite');
    try {
      const result = await syncMirror(new FhirOrganisationSource(client), store, { today: NEXT_DAY });
      const listed = new Set(
        [...dataset.organisations.entries()].filter(([, o]) => o.LastChangeDate >= '2026-02-28').map(([code]) => code),
      );
      listed.delete(ch.deleted);
      for (const o of ch.upsert) listed.add(o.OrgId.extension);
      expect(result).toMatchObject({
        from: '2026-02-28',
        today: NEXT_DAY,
        listed: listed.size,
        notFound: 0,
        deleted: 1,
      });
      const log = odt.requests();
      expect(log.filter((r) => r.path.includes('lastChangeDate')).map((r) => r.path)[0]).toBe(
        'Organization?lastChangeDate=ge2026-02-28&_count=1000',
      );
      expect(log.filter((r) => r.endpoint === 'list').map((r) => r.path)).toEqual(['List/Organization-deletion']);
      // Each changed record fetched once: alone (`Organization/X`) or in a batch (`Organization?_id=A,B,…`).
      const fetched = log.flatMap((r) => {
        if (r.endpoint === 'organization') return [r.path.replace('Organization/', '')];
        const ids = /[?&]_id=([^&]+)/.exec(r.path)?.[1];
        return ids === undefined ? [] : decodeURIComponent(ids).split(',');
      });
      expect(fetched.sort()).toEqual([...listed].sort());
      expect((await store.getOrganisation(ch.renamed))?.name).toBe('A RENAMED TEST PRACTICE');
      const rel = (await store.getOrganisation(ch.relChanged))?.relationships[0];
      expect(rel).toMatchObject({ status: 'INACTIVE', operationalPeriod: { start: '2013-04-01', end: NEXT_DAY } });
      expect(await store.getOrganisation(ch.deleted)).toBeNull();
      expect((await store.getOrganisation('ZZ1NEW'))?.name).toBe('A BRAND NEW TEST PRACTICE');
      expect((await store.status()).state.watermark).toBe(NEXT_DAY);
    } finally {
      await store.close();
      await client.close();
      await odt.close();
    }
  });

  it('a fault on one record mid-sync leaves the watermark; a rerun finishes the same queue without asking /sync again', async () => {
    const { s, c, src, ch } = await changedSimulator();
    const store = await copyOfClean('sync-fault.sqlite');
    s.setFaults({ mode: 'http503', pathPrefix: `organisations/${ch.relChanged}` });
    const error = await syncMirror(src, store, { today: NEXT_DAY, batchSize: 1, concurrency: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((await store.getState('watermark')) ?? '').toBe(TODAY);
    const left = await store.queueCounts('sync');
    expect(left.done).toBeLessThan(left.total);
    expect(s.requests().filter((r) => r.endpoint === 'notifications')).toHaveLength(0);

    s.clearFaults();
    s.clearLog();
    const rerun = await syncMirror(src, store, { today: NEXT_DAY });
    expect(rerun.resumed).toBe(true);
    const log = s.requests();
    expect(log.filter((r) => r.endpoint === 'sync')).toHaveLength(0);
    expect(log.filter((r) => r.endpoint === 'organisation')).toHaveLength(left.total - left.done);
    expect(log.filter((r) => r.endpoint === 'notifications')).toHaveLength(1);
    expect((await store.getState('watermark')) ?? '').toBe(NEXT_DAY);
    expect((await store.getOrganisation(ch.relChanged))?.relationships[0]?.status).toBe('INACTIVE');
    await store.close();
    await c.close();
    await s.close();
  });

  it('a watermark 200 days old is the plain gap error', async () => {
    const store = await copyOfClean('sync-gap.sqlite');
    await store.setState('watermark', '2025-08-13'); // 200 days before 2026-03-01
    const error = await syncMirror(source, store, { today: TODAY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MirrorSyncGapError);
    expect((error as Error).message).toBe(
      "the mirror's watermark 2025-08-13 is 200 days before 2026-03-01, beyond ORD's 185-day change feed, so the " +
        'changes in between cannot be listed: re-baseline with `npm run mirror -- import <TRUD full file>` (then sync) ' +
        'or `npm run mirror -- build`',
    );
    expect(await store.getState('watermark')).toBe('2025-08-13');
    await store.close();
  });

  it('a watermark ahead of today asks /sync from today, not from a future date ORD would refuse', async () => {
    const store = await copyOfClean('sync-ahead.sqlite');
    await store.setState('watermark', '2026-12-03');
    sim.clearLog();
    const result = await syncMirror(source, store, { today: TODAY });
    expect(result.from).toBe(TODAY);
    expect(
      sim
        .requests()
        .filter((r) => r.endpoint === 'sync')
        .map((r) => [r.path, r.status]),
    ).toEqual([[`sync?LastChangeDate=${TODAY}`, 200]]);
    expect(await store.getState('watermark')).toBe(TODAY);
    await store.close();
  });

  it('two MirrorSyncLoops on one store: only one syncs a given round', async () => {
    copyFileSync(clean, join(dir, 'loops.sqlite'));
    const a = await openMirrorStore(sqlite('loops.sqlite'));
    const b = await openMirrorStore(sqlite('loops.sqlite'));
    const lines: string[] = [];
    const logger = {
      debug() {},
      info: (_: object | string, msg?: string) => lines.push(msg ?? ''),
      warn() {},
      error() {},
    };
    sim.setFaults({ latencyMs: 150 }); // a round long enough that the other replica arrives while it runs
    const loopA = new MirrorSyncLoop({ source, store: a, intervalMinutes: 60, today: () => TODAY, logger });
    const loopB = new MirrorSyncLoop({ source, store: b, intervalMinutes: 60, today: () => TODAY, logger });
    // Replica B arrives 50 ms into A's round (while A waits on ORD). Two SQLite connections in one thread must not
    // both be inside a transaction at once (better-sqlite3 blocks the thread for the busy timeout), hence not at 0 ms.
    const roundA = loopA.runOnce();
    // A loop never overlaps itself: a second call while a round runs is refused at once.
    expect(await loopA.runOnce()).toEqual({ outcome: 'busy' });
    await new Promise((r) => setTimeout(r, 50));
    const rounds = await Promise.all([roundA, loopB.runOnce()]);
    sim.clearFaults();
    expect(rounds.map((r) => r.outcome).sort()).toEqual(['locked', 'synced']);
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => /another replica holds the lock/.test(l))).toBe(true);
    await loopA.stop();
    await loopB.stop();
    await a.close();
    await b.close();
  });
});
