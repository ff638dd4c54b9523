// One mirror baseline from ODT (`mirror build --from fhir`'s exportMirror) in its own process, so its peak memory is its
// own. Prints {"records", "pages", "seconds", "peakRssMiB"} when done and exits.

import { FhirClient } from '../../src/sources/fhir/client.js';
import { FhirOrganisationSource } from '../../src/sources/fhir/source.js';
import { FHIR_DEFAULT_SETTINGS } from '../../src/sources/fhir/settings.js';
import { exportMirror } from '../../src/sources/mirror/baseline.js';
import { openMirrorStore } from '../../src/sources/mirror/open.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { fhirBaseUrl: string; mirrorUrl: string; rateLimit: number };
const store = await openMirrorStore(args.mirrorUrl);
const client = new FhirClient({ ...FHIR_DEFAULT_SETTINGS, baseUrl: args.fhirBaseUrl, rateLimit: args.rateLimit });
const started = performance.now();
const result = await exportMirror(new FhirOrganisationSource(client), store, { sourceName: args.fhirBaseUrl });
const seconds = (performance.now() - started) / 1000;
await client.close();
await store.close();
// maxRSS is in KiB: the process's peak resident memory over the whole export.
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ records: result.records, pages: result.pages, seconds, peakRssMiB })}\n`);
process.exit(0);
