// `npm run sim`: runs the ORD simulator (or, with `--api odt`, the ODT FHIR one) as a standalone server for front-end CI,
// the demo and manual poking.
// Flags map one-to-one onto startOrdSimulator options; bad flags exit 2 with a message, SIGINT/SIGTERM shut down cleanly.
// `--write-xml FILE` writes the tier as an ORD XML full file instead (optionally N copies, optionally zipped) and exits.

import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { FAULT_MODES, validateFaultConfig } from './faults.js';
import { startOrdSimulator } from './server.js';
import { startOdtSimulator } from '../odt/server.js';
import type { FaultConfig, FaultConfigSeed } from './types.js';
import { MAX_XML_COPIES, writeOrdXml } from './xml.js';
import { writeZip } from './zip.js';

const HELP = `Usage: npm run sim -- [options]

Runs a faithful simulator of the NHS ODS ORD API (https://directory.spineservices.nhs.uk/ORD/2-0-0/).

Options:
  --api <ord|odt>        which API to serve: ORD (default) or ODT, its FHIR R4 successor, from the same dataset
                         (https://api.service.nhs.uk/organisation-data-terminology-api/fhir; docs/odt-wire.md)
  --api-key <key>        with --api odt: answer 401 unless the request's apikey header carries this key
  --port <n>             port to listen on (default 8080; 0 = any free port)
  --host <addr>          address to bind (default 127.0.0.1)
  --tier <small|full>    dataset tier (default full)
  --today <YYYY-MM-DD>   the simulator's "today" for the 185-day sync window (default: the dataset's as-of date)
  --link-base-url <url>  base URL used in OrgLink / Next-Page links (default: ORD's public base URL, as ORD emits)
  --latency <ms>         added latency before every answer
  --fault <mode>         inject a fault: ${FAULT_MODES.filter((m) => m !== 'none').join(', ')}
  --fault-rate <0..1>    probability a request gets the fault (default 1; deterministic, see --seed)
  --fault-count <n>      only the first n requests get the fault
  --fault-path <prefix>  only paths (after /ORD/2-0-0/) starting with this get the fault / latency
  --retry-after <s>      Retry-After seconds for 429 answers (default 1)
  --rate-limit <n>       hard limit: 429 beyond n requests in any rolling one-second window
  --seed <n>             PRNG seed for --fault-rate (default 1)
  --write-xml <file>     write the tier as an ORD XML full file (TRUD's baseline format) to <file> and exit
  --copies <n>           with --write-xml: the dataset n times over, copies re-keyed (1-${MAX_XML_COPIES}, default 1;
                         the full tier x 5 is about 300,000 records, like the national file)
  --zip                  with --write-xml: write a zip holding the one .xml (deflated) instead
  -h, --help             show this help

At run time: POST/DELETE /__sim/faults, GET/DELETE /__sim/log, GET /__sim/counters, GET /__sim/info.
`;

class UsageError extends Error {}

function int(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
  return n;
}

function num(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}; got "${raw}"`);
  return n;
}

function parseCli(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        api: { type: 'string' },
        'api-key': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        tier: { type: 'string' },
        today: { type: 'string' },
        'link-base-url': { type: 'string' },
        latency: { type: 'string' },
        fault: { type: 'string' },
        'fault-rate': { type: 'string' },
        'fault-count': { type: 'string' },
        'fault-path': { type: 'string' },
        'retry-after': { type: 'string' },
        'rate-limit': { type: 'string' },
        seed: { type: 'string' },
        'write-xml': { type: 'string' },
        copies: { type: 'string' },
        zip: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true as const };
  const tier = values.tier ?? 'full';
  if (tier !== 'small' && tier !== 'full') throw new UsageError(`--tier must be small or full; got "${tier}"`);
  const api = values.api ?? 'ord';
  if (api !== 'ord' && api !== 'odt') throw new UsageError(`--api must be ord or odt; got "${api}"`);
  if (values['api-key'] !== undefined && api !== 'odt') throw new UsageError('--api-key needs --api odt');
  if (values['write-xml'] !== undefined && api !== 'ord')
    throw new UsageError('--write-xml writes ORD XML: drop --api odt');
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today))
    throw new UsageError(`--today must be YYYY-MM-DD; got "${values.today}"`);
  if (values['link-base-url'] !== undefined) {
    try {
      new URL(values['link-base-url']);
    } catch {
      throw new UsageError(`--link-base-url must be an absolute URL; got "${values['link-base-url']}"`);
    }
  }
  const faults: FaultConfig & FaultConfigSeed = {};
  const latency = num('latency', values.latency, 0, 600_000);
  if (latency !== undefined) faults.latencyMs = latency;
  if (values.fault !== undefined) faults.mode = values.fault as FaultConfig['mode'];
  const rate = num('fault-rate', values['fault-rate'], 0, 1);
  if (rate !== undefined) faults.rate = rate;
  const count = int('fault-count', values['fault-count'], 0, Number.MAX_SAFE_INTEGER);
  if (count !== undefined) faults.count = count;
  if (values['fault-path'] !== undefined) faults.pathPrefix = values['fault-path'];
  const retry = int('retry-after', values['retry-after'], 0, 86_400);
  if (retry !== undefined) faults.retryAfterSeconds = retry;
  const limit = int('rate-limit', values['rate-limit'], 0, 1_000_000);
  if (limit !== undefined) faults.hardRateLimit = limit;
  const seed = int('seed', values.seed, -(2 ** 31), 2 ** 32 - 1);
  if (seed !== undefined) faults.seed = seed;
  if ((faults.rate !== undefined || faults.count !== undefined) && faults.mode === undefined) {
    throw new UsageError('--fault-rate / --fault-count need --fault <mode>');
  }
  try {
    validateFaultConfig(faults);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^mode /, '--fault '));
  }
  const writeXml = values['write-xml'];
  if (writeXml === undefined && (values.copies !== undefined || values.zip)) {
    throw new UsageError('--copies and --zip need --write-xml <file>');
  }
  if (writeXml === '') throw new UsageError('--write-xml needs a file name');
  return {
    help: false as const,
    api: api as 'ord' | 'odt',
    apiKey: values['api-key'],
    writeXml:
      writeXml === undefined
        ? undefined
        : { file: writeXml, copies: int('copies', values.copies, 1, MAX_XML_COPIES) ?? 1, zip: values.zip === true },
    port: int('port', values.port, 0, 65_535) ?? 8080,
    host: values.host ?? '127.0.0.1',
    tier: tier as 'small' | 'full',
    today: values.today,
    linkBaseUrl: values['link-base-url'],
    faults,
  };
}

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ord-simulator: ${err.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }
  if (opts.writeXml !== undefined) {
    await writeXmlFile(opts.tier, opts.writeXml);
    return;
  }
  let sim;
  const start = {
    tier: opts.tier,
    port: opts.port,
    host: opts.host,
    ...(opts.today !== undefined ? { today: opts.today } : {}),
    ...(opts.linkBaseUrl !== undefined ? { linkBaseUrl: opts.linkBaseUrl } : {}),
    faults: opts.faults,
  };
  try {
    sim =
      opts.api === 'odt'
        ? await startOdtSimulator({ ...start, ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}) })
        : await startOrdSimulator(start);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(
      `ord-simulator: cannot start: ${e.code === 'EADDRINUSE' ? `port ${opts.port} is already in use` : e.message}\n`,
    );
    process.exit(1);
  }
  const [name, variable] =
    opts.api === 'odt' ? ['ODT simulator', 'SOURCE=fhir FHIR_BASE_URL'] : ['ORD simulator', 'ORD_BASE_URL'];
  process.stdout.write(
    `${name} (tier ${opts.tier}, ${sim.organisationCount} organisations) listening on ${sim.baseUrl}\n` +
      `today = ${sim.today}; faults: ${JSON.stringify(sim.faults())}\n` +
      `${variable}=${sim.baseUrl}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function writeXmlFile(
  tier: 'small' | 'full',
  { file, copies, zip }: { file: string; copies: number; zip: boolean },
): Promise<void> {
  const { loadDataset } = await import('../../dataset/build.js');
  const dataset = loadDataset(tier);
  const started = performance.now();
  let records: number;
  let bytes: number;
  try {
    if (zip) {
      const entry = `HSCOrgRefData_Full_${dataset.asOf.replaceAll('-', '')}.xml`;
      let written = { records: 0, bytes: 0 };
      const result = await writeZip(file, [
        { name: entry, write: async (out) => (written = await writeOrdXml(dataset, out, { copies })) },
      ]);
      records = written.records;
      bytes = result.bytes;
      process.stdout.write(`${basename(file)} holds ${entry} (${written.bytes} bytes of XML)\n`);
    } else {
      ({ records, bytes } = await writeOrdXml(dataset, file, { copies }));
    }
  } catch (err) {
    process.stderr.write(`ord-simulator: cannot write ${file}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `wrote ${records} records (tier ${tier} x ${copies}), ${bytes} bytes, to ${file} in ${seconds.toFixed(1)} s\n`,
  );
}

await main();
