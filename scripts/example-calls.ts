// Prints, for every example operation in schema/operations/, the upstream calls it makes cold and warm (the simulator's log).
// `npm run example:calls [-- --tier full] [-- --source fhir]`: ORD's calls, or ODT's over the ODT simulator; a fresh
// shared cache per operation, code systems loaded first as a running server has them.

import { appSettingsFromEnv, createApp } from '../src/app.js';
import { exampleOperations } from '../src/server/examples.js';
import { startOdtSimulator } from '../src/simulators/odt/server.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';

const tierArg = process.argv.indexOf('--tier');
const tier = tierArg >= 0 && process.argv[tierArg + 1] === 'full' ? 'full' : 'small';
const sourceArg = process.argv.indexOf('--source');
const fhir = sourceArg >= 0 && process.argv[sourceArg + 1] === 'fhir';
const sim = fhir ? await startOdtSimulator({ tier, port: 0 }) : await startOrdSimulator({ tier, port: 0 });
const rows: string[][] = [];

for (const op of exampleOperations()) {
  const env = fhir
    ? {
        ...process.env,
        SOURCE: 'fhir',
        FHIR_BASE_URL: sim.baseUrl,
        FHIR_RATE_LIMIT: '1000',
        ORD_STARTUP_PROBE: 'false',
      }
    : { ...process.env, ORD_BASE_URL: sim.baseUrl, ORD_RATE_LIMIT: '1000', ORD_STARTUP_PROBE: 'false' };
  // The simulator's today, so operations with relative dates (ChangedSince's daysAgo) ask inside its window.
  const app = createApp(appSettingsFromEnv(env), { exampleTabs: false, today: () => sim.today });
  // A running server holds the code systems after its first query; count only what the operation itself needs.
  await Promise.all([app.source.roleTypes(), app.source.relationshipTypes(), app.source.recordClasses()]);
  const run = async () => {
    sim.clearLog();
    const response = await app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // The variables GraphiQL opens the tab with.
      body: JSON.stringify({ query: op.query, variables: op.variables ? (JSON.parse(op.variables) as unknown) : {} }),
    });
    const body = (await response.json()) as { errors?: unknown[]; extensions?: { upstream?: { estimate?: number } } };
    const log = sim.requests();
    const byEndpoint = new Map<string, number>();
    for (const entry of log) byEndpoint.set(entry.endpoint, (byEndpoint.get(entry.endpoint) ?? 0) + 1);
    return {
      calls: log.length,
      distinct: new Set(log.map((e) => e.path)).size,
      detail: [...byEndpoint].map(([k, v]) => `${v} ${k}`).join(', ') || '-',
      errors: body.errors?.length ?? 0,
      estimate: body.extensions?.upstream?.estimate ?? NaN,
    };
  };
  const cold = await run();
  const warm = await run();
  rows.push([
    op.name,
    String(cold.estimate),
    String(cold.calls),
    String(cold.distinct),
    cold.detail,
    String(warm.calls),
    String(cold.errors + warm.errors),
  ]);
  await app.close();
}
await sim.close();

const header = [
  'operation',
  'estimate',
  'cold calls',
  'distinct paths',
  'cold calls by endpoint',
  'warm calls',
  'errors',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`${fhir ? 'ODT' : 'ORD'}: tier ${tier}, simulator ${sim.organisationCount} organisations`);
console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
