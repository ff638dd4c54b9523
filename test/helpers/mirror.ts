// Mirrors for tests: a fresh store on either engine, filled from a dataset through the ORD JSON mapping (what an
// import writes), so a test compares the mirror with the ORD simulator serving the same dataset.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrdDataset } from '../../src/dataset/types.js';
import { toOrganisation, toRecordClass, toRelationshipType, toRoleType } from '../../src/sources/ord/map.js';
import { openMirrorStore } from '../../src/sources/mirror/open.js';
import type { MirrorStore } from '../../src/sources/mirror/store.js';
import { postgresBinDir, startPostgres, type RunningPostgres } from './postgres.js';

export type MirrorEngineUnderTest = 'sqlite' | 'postgres';

/** Which engines can run here: SQLite always; PostgreSQL when its binaries are installed (CI installs them). */
export const MIRROR_ENGINES: MirrorEngineUnderTest[] = postgresBinDir() ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestMirror {
  store: MirrorStore;
  url: string;
  close(): Promise<void>;
}

let postgres: Promise<RunningPostgres> | undefined;
let databases = 0;

/** One PostgreSQL server per test process, shared by every test mirror in it, stopped at exit. */
function sharedPostgres(): Promise<RunningPostgres> {
  if (!postgres) {
    postgres = startPostgres();
    void postgres.then((pg) => process.once('exit', () => void pg.stop()));
  }
  return postgres;
}

/** Stops the shared PostgreSQL server now (a test file's afterAll). */
export async function stopSharedPostgres(): Promise<void> {
  if (postgres) {
    const pg = await postgres;
    postgres = undefined;
    await pg.stop();
  }
}

/** A new, empty, migrated mirror on `engine`. */
export async function freshMirror(engine: MirrorEngineUnderTest): Promise<TestMirror> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ods-mirror-'));
    const url = `sqlite:${join(dir, 'mirror.sqlite')}`;
    const store = await openMirrorStore(url);
    return {
      store,
      url,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pg = await sharedPostgres();
  const url = await pg.createDatabase(`mirror_${process.pid}_${++databases}`);
  const store = await openMirrorStore(url);
  return { store, url, close: () => store.close() };
}

/** Writes every record and code system of `dataset` into `store`, as complete as of the dataset's date. */
export async function fillFromDataset(store: MirrorStore, dataset: OrdDataset): Promise<void> {
  await store.putCodeSystems({
    roleTypes: dataset.roles.map(toRoleType),
    relationshipTypes: dataset.rels.map(toRelationshipType),
    recordClasses: dataset.recordClasses.map(toRecordClass),
  });
  const records = [...dataset.organisations.values()].map(toOrganisation);
  for (let i = 0; i < records.length; i += 500) await store.putOrganisations(records.slice(i, i + 500), 'import');
  await store.setState('watermark', dataset.asOf);
  await store.setState('completeAsOf', `${dataset.asOf}T00:00:00.000Z`);
}
