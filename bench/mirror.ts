// The mirror bench: baselines (XML import of the full tier and of a national-size synthetic file, a crawl of ORD), one
// day's sync, and serving from the mirror (analyst questions, a national question, card throughput, RSS), per engine.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Pool } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/dataset/build.js';
import type { OrdOrganisation } from '../src/sources/ord/types.js';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import { buildMirror } from '../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../src/sources/mirror/open.js';
import { syncMirror } from '../src/sources/mirror/sync.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import { writeOrdXml } from '../src/simulators/ord/xml.js';
import { postgresBinDir, startPostgres, type RunningPostgres } from '../test/helpers/postgres.js';
import { ICB, MERGER, TRUST } from './analyst.js';
import { NAIVE_SLEEP_MS } from './naiveClient.js';
import { CARD_QUERY, OVERHEAD_CODES, loadRun } from './card.js';
import { exampleOperation, firstJsonLine, percentile, postGraphql, round, spawnTs, stopChild } from './stack.js';
import type { BenchRow } from './table.js';

const suite = 'mirror';
const child = (name: string) => fileURLToPath(new URL(`./children/${name}`, import.meta.url));

/** Copies of the full tier in the synthetic file: 5 × 59,836 = 299,180 records, the nearest to the real 306,201. */
const SYNTHETIC_COPIES = 5;
const NATIONAL_DATE = '2021-06-30';
const RUNS = 20;

const NATIONAL_QUERY = `query National($after: String) {
  searchOrganisations(filter: { primaryRole: "RO177", activeOn: "${NATIONAL_DATE}" }, first: 1000, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { odsCode name commissioner: relationships(types: ["RE4"], activeOn: "${NATIONAL_DATE}") { target { odsCode name } } } }
  }
}`;

interface ImportFigures {
  records: number;
  written: number;
  seconds: number;
  peakRssMiB: number;
}

function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

async function importIn(file: string, mirrorUrl: string): Promise<ImportFigures> {
  const proc = spawnTs(child('mirrorImport.ts'), { file, mirrorUrl });
  return firstJsonLine<ImportFigures>(proc, 30 * 60_000);
}

/** POSTs GraphQL to `url` over a keep-alive pool; throws on HTTP or GraphQL errors. */
function graphqlAt(url: string): <T>(query: string, variables?: Record<string, unknown>) => Promise<T> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  return async <T>(query: string, variables?: Record<string, unknown>) =>
    (await postGraphql<T>(pool, target.pathname, query, variables)).data;
}

/** Every GP practice open on the date with its commissioner then, page after page: wall time and rows. */
async function national(url: string): Promise<{ ms: number; practices: number; withCommissioner: number }> {
  const post = graphqlAt(url);
  const started = performance.now();
  let after: string | null = null;
  let practices = 0;
  let withCommissioner = 0;
  for (;;) {
    const page: {
      searchOrganisations: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { commissioner: unknown[] } }[];
      };
    } = await post(NATIONAL_QUERY, after ? { after } : {});
    const { edges, pageInfo } = page.searchOrganisations;
    practices += edges.length;
    withCommissioner += edges.filter((e) => e.node.commissioner.length > 0).length;
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  return { ms: performance.now() - started, practices, withCommissioner };
}

async function timedRuns(url: string, query: string, variables: Record<string, unknown>): Promise<number[]> {
  const post = graphqlAt(url);
  const times: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    await post(query, variables);
    if (i >= 2) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export async function benchMirror(durationMs: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  /** The mirror's card throughput per engine (1 and 50 connections), compared with the warm cache's at the end. */
  const mirrorRps = new Map<string, { one: number; fifty: number }>();
  const dir = mkdtempSync(join(tmpdir(), 'ods-bench-mirror-'));
  const full = loadDataset('full');
  const sim = await startOrdSimulator({ tier: 'full', port: 0 });
  let postgres: RunningPostgres | undefined;
  try {
    // ---- the XML files, written once
    const fullXml = join(dir, 'full.xml');
    const syntheticXml = join(dir, 'synthetic.xml');
    const written = await writeOrdXml(full, fullXml);
    const synthetic = await writeOrdXml(full, syntheticXml, { copies: SYNTHETIC_COPIES });
    rows.push(
      { suite, case: 'XML file, full tier', metric: 'records', value: written.records },
      { suite, case: 'XML file, full tier', metric: 'MB', value: round(statSync(fullXml).size / 1e6, 1) },
      { suite, case: `XML file, synthetic (${SYNTHETIC_COPIES} copies)`, metric: 'records', value: synthetic.records },
      {
        suite,
        case: `XML file, synthetic (${SYNTHETIC_COPIES} copies)`,
        metric: 'MB',
        value: round(statSync(syntheticXml).size / 1e6, 1),
      },
    );

    const engines: { engine: 'sqlite' | 'postgres'; url: (name: string) => Promise<string> }[] = [
      { engine: 'sqlite', url: async (name) => `sqlite:${join(dir, `${name}.sqlite`)}` },
    ];
    if (postgresBinDir()) {
      postgres = await startPostgres();
      const pg = postgres;
      engines.push({ engine: 'postgres', url: (name) => pg.createDatabase(name) });
    }

    for (const { engine, url } of engines) {
      // ---- imports
      const fullUrl = await url('full');
      const fullImport = await importIn(fullXml, fullUrl);
      const c1 = `import full tier XML, ${engine}`;
      rows.push(
        { suite, case: c1, metric: 'records', value: fullImport.records },
        { suite, case: c1, metric: 'seconds', value: round(fullImport.seconds, 1) },
        { suite, case: c1, metric: 'records/s', value: Math.round(fullImport.records / fullImport.seconds) },
        {
          suite,
          case: c1,
          metric: 'peak RSS MiB',
          value: fullImport.peakRssMiB,
          goal: '< 500',
          met: fullImport.peakRssMiB < 500,
        },
      );
      const synUrl = await url('synthetic');
      const synImport = await importIn(syntheticXml, synUrl);
      const c2 = `import synthetic ${synImport.records} records, ${engine}`;
      rows.push(
        {
          suite,
          case: c2,
          metric: 'seconds',
          value: round(synImport.seconds, 1),
          goal: '< 180 (306k)',
          met: synImport.seconds < 180,
        },
        { suite, case: c2, metric: 'records/s', value: Math.round(synImport.records / synImport.seconds) },
        {
          suite,
          case: c2,
          metric: 'peak RSS MiB',
          value: synImport.peakRssMiB,
          goal: '< 500',
          met: synImport.peakRssMiB < 500,
        },
      );

      // ---- serving from the full-tier mirror
      const server = spawnTs(child('mirrorServer.ts'), { mirrorUrl: fullUrl, ordBaseUrl: sim.baseUrl });
      try {
        const { url: gql, pid } = await firstJsonLine<{ url: string; pid: number }>(server, 120_000);
        sim.clearLog();
        const questions: [string, string, Record<string, unknown>][] = [
          [`ICB ${ICB} → every practice + PCN`, 'IcbDownToPractices', { icb: ICB, practices: 100 }],
          [`trust ${TRUST} + its sites`, 'TrustWithSites', { odsCode: TRUST, first: 1000 }],
          [`merger history ${MERGER}`, 'MergerHistory', { odsCode: MERGER }],
        ];
        for (const [name, operation, variables] of questions) {
          const times = await timedRuns(gql, exampleOperation(operation), variables);
          const p50 = percentile(times, 0.5);
          rows.push({
            suite,
            case: `${name}, from the mirror (${engine})`,
            metric: 'p50 ms',
            value: round(p50),
            goal: '< 50',
            met: p50 < 50,
          });
        }
        const nat = await national(gql);
        rows.push(
          {
            suite,
            case: `every practice open on ${NATIONAL_DATE} + its commissioner then (${engine})`,
            metric: 'practices',
            value: nat.practices,
          },
          {
            suite,
            case: `every practice open on ${NATIONAL_DATE} + its commissioner then (${engine})`,
            metric: 'with a commissioner',
            value: nat.withCommissioner,
          },
          {
            suite,
            case: `every practice open on ${NATIONAL_DATE} + its commissioner then (${engine})`,
            metric: 'seconds',
            value: round(nat.ms / 1000, 2),
            goal: '< 2',
            met: nat.ms < 2000,
          },
        );
        if (engine === 'sqlite') {
          // The naive script: every practice's record (its RE4 dates are only there) plus the search pages, at ORD's pace.
          const practices = [...full.organisations.values()].filter(
            (o: OrdOrganisation) => o.Roles?.Role.find((r) => r.primaryRole)?.id === 'RO177',
          ).length;
          const naiveCalls = practices + Math.ceil(practices / 1000);
          rows.push(
            {
              suite,
              case: `the same by a naive ORD script (counted from the dataset)`,
              metric: 'ORD calls',
              value: naiveCalls,
            },
            {
              suite,
              case: `the same by a naive ORD script (counted from the dataset)`,
              metric: 'minutes at 5/s',
              value: round((naiveCalls * NAIVE_SLEEP_MS) / 60_000, 1),
            },
          );
        }
        const mirror1 = await loadRun(gql, 1, durationMs);
        const mirror50 = await loadRun(gql, 50, durationMs);
        const memory = memoryOf(pid);
        const calls = sim.requests().length;
        rows.push(
          { suite, case: `card, 1 conn, mirror (${engine})`, metric: 'req/s', value: Math.round(mirror1.rps) },
          { suite, case: `card, 50 conn, mirror (${engine})`, metric: 'req/s', value: Math.round(mirror50.rps) },
          { suite, case: `card, 50 conn, mirror (${engine})`, metric: 'p99 ms', value: round(mirror50.p99) },
          {
            suite,
            case: `server with the full mirror (${engine})`,
            metric: 'RSS MiB',
            value: memory.rssMiB,
            goal: '< 300',
            met: memory.rssMiB < 300,
          },
          { suite, case: `server with the full mirror (${engine})`, metric: 'peak RSS MiB', value: memory.peakMiB },
          {
            suite,
            case: `everything above, from the mirror (${engine})`,
            metric: 'ORD calls',
            value: calls,
            goal: '= 0',
            met: calls === 0,
          },
        );
        mirrorRps.set(engine, { one: mirror1.rps, fifty: mirror50.rps });
      } finally {
        await stopChild(server);
      }
    }

    // ---- the warm cache over ORD, for the throughput comparison
    const warm = spawnTs(child('overheadServer.ts'), {
      ordBaseUrl: sim.baseUrl,
      query: CARD_QUERY,
      codes: OVERHEAD_CODES,
    });
    try {
      const urls = await firstJsonLine<{ ods: string }>(warm, 120_000);
      const warm1 = await loadRun(urls.ods, 1, durationMs);
      const warm50 = await loadRun(urls.ods, 50, durationMs);
      rows.push(
        { suite, case: 'card, 1 conn, warm cache over ORD', metric: 'req/s', value: Math.round(warm1.rps) },
        { suite, case: 'card, 50 conn, warm cache over ORD', metric: 'req/s', value: Math.round(warm50.rps) },
      );
      for (const [engine, { one, fifty }] of mirrorRps) {
        rows.push(
          {
            suite,
            case: `card throughput, mirror (${engine}) ÷ warm cache, 1 conn`,
            metric: 'ratio',
            value: round(one / warm1.rps),
            goal: '≥ 0.8',
            met: one / warm1.rps >= 0.8,
          },
          {
            suite,
            case: `card throughput, mirror (${engine}) ÷ warm cache, 50 conn`,
            metric: 'ratio',
            value: round(fifty / warm50.rps),
            goal: '≥ 0.8',
            met: fifty / warm50.rps >= 0.8,
          },
        );
      }
    } finally {
      await stopChild(warm);
    }

    // ---- a crawl of ORD (the small tier, unpaced) and one day's sync, counted from the simulator's log
    const small = await startOrdSimulator({ tier: 'small', port: 0 });
    const client = new OrdClient({
      baseUrl: small.baseUrl,
      rateLimit: 1000,
      maxConcurrency: 16,
      timeoutMs: 10_000,
      maxRetries: 1,
      circuitFailures: 0,
    });
    const store = await openMirrorStore(`sqlite:${join(dir, 'crawl.sqlite')}`);
    try {
      const ord = new OrdOrganisationSource(client);
      const t0 = performance.now();
      const built = await buildMirror(ord, store, { sourceName: small.baseUrl });
      const seconds = (performance.now() - t0) / 1000;
      const byEndpoint = small.counters().byEndpoint;
      rows.push(
        { suite, case: 'build from ORD (small tier, 1000/s)', metric: 'records stored', value: built.stored },
        {
          suite,
          case: 'build from ORD (small tier, 1000/s)',
          metric: 'ORD record calls',
          value: byEndpoint.organisation ?? 0,
        },
        {
          suite,
          case: 'build from ORD (small tier, 1000/s)',
          metric: 'ORD search calls',
          value: byEndpoint.search ?? 0,
        },
        { suite, case: 'build from ORD (small tier, 1000/s)', metric: 'seconds', value: round(seconds, 1) },
        {
          suite,
          case: 'build from ORD, full tier at 5/s (projected)',
          metric: 'hours',
          value: round(full.organisations.size / 5 / 3600, 1),
        },
      );
      // One day's changes: 120 records renamed (ORD's ~65–160 a day), changed today, and 2 others deleted.
      const deleted = ['RWR', 'RVVKC'];
      const today = addDay(small.today);
      const changed = [...loadDataset('small').organisations.values()]
        .filter((o) => !deleted.includes(o.OrgId.extension))
        .slice(0, 120)
        .map((o) => ({ ...o, Name: `${o.Name} (RENAMED)`, LastChangeDate: today }));
      small.applyChanges({ today, upsert: changed, delete: deleted.map((odsCode) => ({ odsCode })) });
      small.clearLog();
      const synced = await syncMirror(ord, store, { today });
      const counts = small.counters().byEndpoint;
      const c = 'sync one day (120 changed, 2 deleted)';
      rows.push(
        { suite, case: c, metric: 'listed by /sync', value: synced.listed },
        { suite, case: c, metric: '/sync calls', value: counts.sync ?? 0, goal: '= 1', met: (counts.sync ?? 0) === 1 },
        {
          suite,
          case: c,
          metric: 'record calls',
          value: counts.organisation ?? 0,
          goal: `= listed (${synced.listed})`,
          met: (counts.organisation ?? 0) === synced.listed,
        },
        {
          suite,
          case: c,
          metric: '/notifications calls',
          value: counts.notifications ?? 0,
          goal: '= 1',
          met: (counts.notifications ?? 0) === 1,
        },
        {
          suite,
          case: c,
          metric: 'other ORD calls',
          value: small.counters().total - (counts.sync ?? 0) - (counts.organisation ?? 0) - (counts.notifications ?? 0),
          goal: '= 0',
          met: small.counters().total === (counts.sync ?? 0) + (counts.organisation ?? 0) + (counts.notifications ?? 0),
        },
        { suite, case: c, metric: 'deleted', value: synced.deleted, goal: '= 2', met: synced.deleted === 2 },
      );
    } finally {
      await store.close();
      await client.close();
      await small.close();
    }
  } finally {
    await postgres?.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function addDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
