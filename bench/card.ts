// The organisation card: the warm-cache request several suites load-test (overhead, mirror, fhir), in one place:
// its GraphQL, the codes it rotates through, and one run of the load-generator child against a server.

import { fileURLToPath } from 'node:url';
import { firstJsonLine, spawnTs } from './stack.js';

export const CARD_QUERY = `query Card($odsCode: String!) {
  organisation(odsCode: $odsCode) {
    odsCode
    name
    address { lines town postcode }
    roles { type { displayName } isPrimary status }
    relationships { type { displayName } status target { odsCode name } }
  }
}`;

/** Trusts, a site, practices, an ICB: rotated so no single record dominates. */
export const OVERHEAD_CODES = ['RWR', 'RVVKC', 'A81001', 'G6V2S', 'RRP', 'QMJ', 'RA9', 'E83003'];

/** The card's request bodies, one per code. */
export const CARD_BODIES = OVERHEAD_CODES.map((odsCode) =>
  JSON.stringify({ query: CARD_QUERY, variables: { odsCode } }),
);

/** What bench/children/loadgen.ts reports for one run. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const WARMUP_MS = 1000;
const loadgen = fileURLToPath(new URL('./children/loadgen.ts', import.meta.url));

/** Posts `bodies` (default the card's) round-robin to `url` over `connections` for `durationMs`, after a warm-up. */
export function loadRun(
  url: string,
  connections: number,
  durationMs: number,
  bodies: readonly string[] = CARD_BODIES,
): Promise<LoadResult> {
  const proc = spawnTs(loadgen, { url, bodies, connections, durationMs, warmupMs: WARMUP_MS });
  return firstJsonLine<LoadResult>(proc, durationMs + WARMUP_MS + 60_000);
}
