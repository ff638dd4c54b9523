// `npm run mirror -- <command>`: builds, imports, syncs and reports on the local mirror (src/sources/mirror/).
// An entry point: reads loadConfig(), builds the ORD client and source as src/app.ts does, opens MIRROR_URL's store.

import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { pino } from 'pino';
import type { Logger } from './logger.js';
import { BUILD_QUEUE, buildMirror, exportMirror, importMirror, type BaselineItem } from './sources/mirror/baseline.js';
import { openMirrorStore } from './sources/mirror/open.js';
import { createProgress, formatCount } from './sources/mirror/progress.js';
import type { MirrorStatus, MirrorStore } from './sources/mirror/store.js';
import { daysBetween, syncMirror, SYNC_QUEUE } from './sources/mirror/sync.js';
import { OrdClient } from './sources/ord/client.js';
import { OrdOrganisationSource } from './sources/ord/source.js';
import { FhirClient } from './sources/fhir/client.js';
import { FhirOrganisationSource } from './sources/fhir/source.js';
import type { DeletionFeed, OrganisationSource } from './sources/types.js';

const USAGE = `npm run mirror -- <command> [options]

  build [--roles RO197,RO198] [--restart] [--from ord|fhir]
        crawl ORD (ORD_BASE_URL, paced at ORD_RATE_LIMIT) into the mirror: every primary role, or only --roles
        (then relationship targets are not followed). Resumable: stop it (Ctrl-C) or kill it and run it again.
        --restart drops an unfinished build and starts afresh. --from fhir: ODT's Organization pages instead
        (FHIR_BASE_URL, paced at FHIR_RATE_LIMIT), each completed in bulk: ~4 calls per 1000 records.
  import <file.xml|file.zip>
        the official baseline: TRUD's ORD XML full file (or its zip), streamed; watermark = its PublicationDate.
        Resumable on the same file.
  sync [--today YYYY-MM-DD] [--from ord|fhir]
        apply every change since the watermark (ORD /sync, each changed record, /notifications; or, --from fhir,
        ODT's Organization?lastChangeDate=ge…, each changed record, List/Organization-deletion at FHIR_BASE_URL);
        today = the UTC date unless --today.
  status [--json]
        counts, watermark and its age, when the mirror was last complete, the baseline, any unfinished job.

Settings (environment): MIRROR_URL (default sqlite:var/mirror.sqlite), ORD_BASE_URL, ORD_RATE_LIMIT, FHIR_BASE_URL,
FHIR_API_KEY, FHIR_RATE_LIMIT, LOG_LEVEL.`;

/** Bad input on the command line. */
class UsageError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const utcToday = (): string => new Date().toISOString().slice(0, 10);

function ordSource(config: Config): { client: OrdClient; source: OrdOrganisationSource } {
  const client = new OrdClient(config.ord);
  return { client, source: new OrdOrganisationSource(client) };
}

/** The source a job reads: ORD (the default), or ODT with `--from fhir`. */
function jobSource(
  config: Config,
  from: string | undefined,
): { client: { close(): Promise<void> }; source: OrganisationSource & DeletionFeed } {
  if (from === undefined || from === 'ord') return ordSource(config);
  if (from !== 'fhir') throw new UsageError(`--from must be ord or fhir; got "${from}"`);
  const client = new FhirClient(config.fhir);
  return { client, source: new FhirOrganisationSource(client) };
}

/** SIGINT/SIGTERM abort the job (it finishes its batch and commits); a second one ends the process at once. */
function stopSignal(logger: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    logger.warn({ signal }, 'stopping after the current batch (send it again to stop at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

async function build(config: Config, store: MirrorStore, args: string[], logger: Logger): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { roles: { type: 'string' }, restart: { type: 'boolean' }, from: { type: 'string' } },
  });
  if (values.from === 'fhir' && values.roles !== undefined)
    throw new UsageError('--roles crawls ORD by role: ODT exports everything, so drop --roles with --from fhir');
  const roles =
    values.roles === undefined
      ? undefined
      : values.roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
  if (roles !== undefined && (roles.length === 0 || roles.some((r) => !/^RO\d+$/i.test(r)))) {
    throw new UsageError(`--roles takes a comma list of role ids such as RO197,RO198; got "${values.roles}"`);
  }
  if (values.restart) {
    await store.setState('build', null);
    await store.clearQueue('build');
  }
  if (values.from === 'fhir') return exportFromFhir(config, store, logger);
  if (values.from !== undefined && values.from !== 'ord')
    throw new UsageError(`--from must be ord or fhir; got "${values.from}"`);
  const { client, source } = ordSource(config);
  try {
    const result = await buildMirror(source, store, {
      ...(roles ? { roles } : {}),
      sourceName: config.ord.baseUrl,
      signal: stopSignal(logger),
      progress: (options) => createProgress(options),
      logger,
    });
    if (!result.complete) {
      process.stderr.write(
        `build stopped: ${result.queue.done} of ${result.queue.total} records committed. ` +
          `Run \`npm run mirror -- build${roles ? ` --roles ${roles.join(',')}` : ''}\` again to continue.\n`,
      );
      process.exitCode = 2;
      return;
    }
    process.stdout.write(
      `build complete: ${result.queue.done} records (${result.stored} fetched this run, ${result.gone} gone, ` +
        `${result.targetsQueued} reached as targets); watermark ${result.watermark}\n`,
    );
  } finally {
    await client.close();
  }
}

/** `build --from fhir`: ODT's own pages (Organization search, completed in bulk), ~4 calls per 1000 records. */
async function exportFromFhir(config: Config, store: MirrorStore, logger: Logger): Promise<void> {
  const client = new FhirClient(config.fhir);
  try {
    const result = await exportMirror(new FhirOrganisationSource(client), store, {
      sourceName: config.fhir.baseUrl,
      signal: stopSignal(logger),
      progress: (options) => createProgress(options),
      logger,
    });
    const calls = Object.values(client.snapshot()).reduce((n, outcomes) => n + outcomes.attempts, 0);
    if (!result.complete) {
      process.stderr.write(
        `build stopped: ${result.records} records in ${result.pages} pages committed. ` +
          'Run `npm run mirror -- build --from fhir` again to continue.\n',
      );
      process.exitCode = 2;
      return;
    }
    process.stdout.write(
      `build complete: ${result.records} records from ${result.pages} ODT pages (${calls} ODT calls this run); ` +
        `watermark ${result.watermark}\n`,
    );
  } finally {
    await client.close();
  }
}

async function importFile(store: MirrorStore, args: string[], logger: Logger): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [path, extra] = positionals;
  if (path === undefined) throw new UsageError('import needs the file: npm run mirror -- import <file.xml|file.zip>');
  if (extra !== undefined) throw new UsageError(`import takes one file; got also "${extra}"`);
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) throw new UsageError(`import: no such file ${path}`);
  // Loaded here only: build, sync and status never need the XML reader.
  const { readOrdXml } = await import('./sources/ord/xml.js');
  const bytes = createProgress({ label: 'import', total: info.size, unit: 'bytes' });
  let lastBytes = 0;
  const started = Date.now();
  // The reader counts the bytes of the XML it reads: the file itself, or the compressed entry inside a zip.
  const items: AsyncIterable<BaselineItem> = readOrdXml(path, {
    onProgress: (read: number, total: number) => {
      bytes.setTotal(total);
      bytes.tick(read - lastBytes);
      lastBytes = read;
    },
  });
  const result = await importMirror(items, store, {
    file: { path, size: info.size, mtimeMs: info.mtimeMs },
    onCommitted: (records) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bytes.note(
        `${formatCount(records, 'records')} records, ${formatCount(Math.round(records / seconds), 'records')} records/s`,
      );
    },
    signal: stopSignal(logger),
    logger,
  });
  const seconds = (Date.now() - started) / 1000;
  bytes.done(
    `${result.written} records written in ${seconds.toFixed(1)} s (${Math.round(result.written / Math.max(seconds, 0.001))} records/s)` +
      (result.skipped > 0 ? `, ${result.skipped} already committed by an earlier run` : ''),
  );
  if (!result.complete) {
    process.stderr.write(`import stopped after ${result.records} records. Run the same command again to continue.\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(
    `import complete: ${result.records} records; watermark ${result.publicationDate} (the file's PublicationDate). ` +
      `Run \`npm run mirror -- sync\` to bring it up to today.\n`,
  );
}

async function sync(config: Config, store: MirrorStore, args: string[], logger: Logger): Promise<void> {
  const { values } = parseArgs({ args, options: { today: { type: 'string' }, from: { type: 'string' } } });
  const today = values.today ?? utcToday();
  if (!DATE.test(today)) throw new UsageError(`--today must be YYYY-MM-DD; got "${today}"`);
  const { client, source } = jobSource(config, values.from);
  try {
    const result = await syncMirror(source, store, {
      today,
      logger,
      progress: (total) => createProgress({ label: 'sync', total, unit: 'records' }),
    });
    process.stdout.write(
      `sync complete: ${result.listed} changed since ${result.from}, ${result.stored} stored, ` +
        `${result.notFound} not found, ${result.deleted} deleted; watermark ${result.today}\n`,
    );
  } finally {
    await client.close();
  }
}

/** The status report: what `status --json` prints, and what the text form is made from. */
export interface MirrorStatusReport {
  engine: string;
  location: string;
  schemaVersion: number;
  counts: MirrorStatus['counts'];
  watermark: string | null;
  watermarkAgeDays: number | null;
  completeAsOf: string | null;
  baseline: unknown;
  jobs: { job: string; state: unknown; queue: { total: number; done: number } | null }[];
}

async function statusReport(store: MirrorStore): Promise<MirrorStatusReport> {
  const status = await store.status();
  const watermark = status.state.watermark ?? null;
  const parse = (text: string | undefined): unknown => {
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  const jobs: MirrorStatusReport['jobs'] = [];
  for (const job of ['build', 'import', 'sync'] as const) {
    const state = status.state[job];
    if (state === undefined || state === null) continue;
    // An import counts records in its state; build and sync keep a queue of codes.
    const queue = job === 'import' ? null : await store.queueCounts(job === 'build' ? BUILD_QUEUE : SYNC_QUEUE);
    jobs.push({ job, state: parse(state), queue });
  }
  return {
    engine: status.engine,
    location: status.location,
    schemaVersion: status.schemaVersion,
    counts: status.counts,
    watermark,
    watermarkAgeDays: watermark === null ? null : daysBetween(watermark, utcToday()),
    completeAsOf: status.state.completeAsOf ?? null,
    baseline: parse(status.state.baseline),
    jobs,
  };
}

async function status(store: MirrorStore, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const report = await statusReport(store);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const c = report.counts;
  const lines = [
    `mirror: ${report.engine} at ${report.location} (schema version ${report.schemaVersion})`,
    `organisations ${c.organisations}, roles ${c.roles}, relationships ${c.relationships}, successions ${c.successions}, contacts ${c.contacts}, history lines ${c.changes}`,
    report.watermark === null
      ? 'watermark: none (no baseline has finished: run build or import)'
      : `watermark: ${report.watermark} (${report.watermarkAgeDays} days ago)`,
    `complete as of: ${report.completeAsOf ?? 'never'}`,
    `baseline: ${report.baseline === null ? 'none' : JSON.stringify(report.baseline)}`,
  ];
  for (const job of report.jobs) {
    const queue = job.queue === null ? '' : `${job.queue.done} of ${job.queue.total} queued codes done; `;
    lines.push(`unfinished ${job.job}: ${queue}${JSON.stringify(job.state)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    if (command === undefined) process.exitCode = 1;
    return;
  }
  if (!['build', 'import', 'sync', 'status'].includes(command)) {
    throw new UsageError(`unknown command "${command}": use build, import, sync or status (npm run mirror -- --help)`);
  }
  if (rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // Logs go to stderr (progress too); stdout carries only the result line (or status).
  const logger: Logger = pino({ level: config.logLevel, base: { service: 'ods-graphql-mirror' } }, pino.destination(2));
  const store = await openMirrorStore(config.mirror.url);
  try {
    if (command === 'build') await build(config, store, rest, logger);
    else if (command === 'import') await importFile(store, rest, logger);
    else if (command === 'sync') await sync(config, store, rest, logger);
    else await status(store, rest);
  } finally {
    await store.close();
  }
}

// Every failure is one plain line (bad input, an unknown role, a sync gap, ORD or the store unreachable); the stack
// only with LOG_LEVEL=debug.
main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mirror: ${message}\n`);
  if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
