// The FHIR source and client (src/sources/fhir/) against the ODT simulator: what each request costs in ODT calls, the
// records it maps, and ODT's failures (401, 429 with and without Retry-After, 422, too many pages) as typed errors.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import { toOrganisation as fromOrd } from '../src/sources/ord/map.js';
import { FhirClient } from '../src/sources/fhir/client.js';
import { FhirRejectedError, FhirUpstreamError } from '../src/sources/fhir/errors.js';
import { FHIR_DEFAULT_SETTINGS, type FhirClientSettings } from '../src/sources/fhir/settings.js';
import { FhirOrganisationSource } from '../src/sources/fhir/source.js';
import { startOdtSimulator, type OdtSimulator } from '../src/simulators/odt/server.js';

const dataset = loadDataset('small');
let sim: OdtSimulator;
const clients: FhirClient[] = [];

function source(settings: Partial<FhirClientSettings> = {}) {
  const client = new FhirClient(
    { ...FHIR_DEFAULT_SETTINGS, baseUrl: sim.baseUrl, rateLimit: 1000, maxRetries: 0, circuitFailures: 0, ...settings },
    { baseDelayMs: 1, maxDelayMs: 5, pacerGuardMs: 0 },
  );
  clients.push(client);
  return { client, source: new FhirOrganisationSource(client) };
}
const calls = () => sim.requests().map((r) => r.endpoint);

beforeAll(async () => {
  sim = await startOdtSimulator({ dataset, port: 0 });
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await sim?.close();
});
beforeEach(() => {
  sim.clearLog();
  sim.clearFaults();
});

describe('FhirOrganisationSource', () => {
  it('a full record costs 3 ODT calls (plus the role code system once) and equals ORD’s record of the same data', async () => {
    const { source: fhir } = source();
    const rwr = await fhir.getOrganisation('RWR');
    expect(rwr).toEqual(fromOrd(dataset.organisations.get('RWR')!));
    expect(calls().sort()).toEqual(['affiliation-search', 'expand', 'lookup', 'organization']);
    sim.clearLog();
    await fhir.getOrganisation('97T');
    expect(calls()).toHaveLength(3);
  });

  it('an unknown code is null after one call', async () => {
    const { source: fhir } = source();
    expect(await fhir.getOrganisation('ZZZ99')).toBeNull();
    expect(calls()).toEqual(['organization']);
  });

  it('a batch of codes costs 3 calls however many, and skips the unknown', async () => {
    const { source: fhir } = source();
    await fhir.roleTypes();
    sim.clearLog();
    const codes = ['RWR', '93C', 'QMJ', 'RVVKC', 'G6V2S', 'NOPE1'];
    const records = await fhir.getOrganisations(codes);
    expect([...records.keys()].sort()).toEqual(['93C', 'G6V2S', 'QMJ', 'RVVKC', 'RWR']);
    expect(records.get('G6V2S')).toEqual(fromOrd(dataset.organisations.get('G6V2S')!));
    expect(calls().sort()).toEqual(['affiliation-search', 'expand', 'organization-search']);
  });

  it('records asked for in the same turn are fetched as one batch', async () => {
    const { source: fhir } = source();
    await fhir.roleTypes();
    sim.clearLog();
    const [a, b, c] = await Promise.all(['RWR', 'QMJ', 'ZZZ99'].map((code) => fhir.getOrganisation(code)));
    expect([a?.odsCode, b?.odsCode, c]).toEqual(['RWR', 'QMJ', null]);
    expect(b).toEqual(fromOrd(dataset.organisations.get('QMJ')!));
    expect(calls().sort()).toEqual(['affiliation-search', 'expand', 'organization-search']);
  });

  it('members of a trust come from one affiliation search, filtered on our side by type, sorted by name', async () => {
    const { source: fhir } = source();
    const page = await fhir.searchOrganisations(
      { relatedTo: { odsCode: 'RVV', relationshipTypeIds: ['RE6'] } },
      0,
      1000,
    );
    const sites = [...dataset.organisations.values()]
      .filter((o) => o.Rels?.Rel.some((r) => r.id === 'RE6' && r.Target.OrgId.extension === 'RVV'))
      .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
      .map((o) => o.OrgId.extension);
    expect(sites).toContain('RVVKC');
    expect(page.totalCount).toBe(sites.length);
    expect(page.items.map((i) => i.odsCode)).toEqual(sites);
    expect(calls().filter((c) => c === 'affiliation-search')).toHaveLength(1);
  });

  it('refuses a search wider than FHIR_MAX_SEARCH_PAGES rather than cutting it short', async () => {
    const { source: fhir } = source({ maxSearchPages: 1 });
    const error = await fhir.searchOrganisations({ recordClassId: 'RC2' }, 0, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirRejectedError);
    expect((error as FhirRejectedError).tooCostly).toBe(true);
    expect((error as Error).message).toMatch(/more than 1 pages of Organization \(FHIR_MAX_SEARCH_PAGES\)/);
  });
});

describe('FhirClient failures', () => {
  it('a 429 without Retry-After is retried with backoff; with retries spent it is rate_limited', async () => {
    const { client } = source({ maxRetries: 2 });
    sim.setFaults({ mode: 'rate429', count: 1, retryAfterSeconds: 0 });
    expect((await client.readOrganization('RWR'))?.id).toBe('RWR');
    expect(sim.counters().byStatus).toEqual({ '200': 1, '429': 1 });
    const { client: noRetry } = source();
    sim.setFaults({ mode: 'rate429', count: 1, retryAfterSeconds: 1 });
    const error = await noRetry.readOrganization('RWR').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirUpstreamError);
    expect((error as FhirUpstreamError).kind).toBe('rate_limited');
    expect((error as FhirUpstreamError).retryAfterMs).toBe(1000);
  });

  it('without the key ODT wants: unauthorized, not retried; with it, answered', async () => {
    const keyed = await startOdtSimulator({ dataset, port: 0, apiKey: 'k-2' });
    const make = (apiKey: string | null) =>
      new FhirClient({ ...FHIR_DEFAULT_SETTINGS, baseUrl: keyed.baseUrl, apiKey, rateLimit: 1000, maxRetries: 2 });
    const without = make(null);
    const withKey = make('k-2');
    try {
      const error = await without.readOrganization('RWR').catch((e: unknown) => e);
      expect((error as FhirUpstreamError).kind).toBe('unauthorized');
      expect(keyed.requests()).toHaveLength(1);
      expect((await withKey.readOrganization('RWR'))?.name).toBe(
        'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST',
      );
    } finally {
      await without.close();
      await withKey.close();
      await keyed.close();
    }
  });

  it('a response over the 10 MB limit (here 20 kB) is a too-costly rejection, not retried', async () => {
    const small = await startOdtSimulator({ dataset, port: 0, maxResponseBytes: 20_000 });
    const client = new FhirClient({ ...FHIR_DEFAULT_SETTINGS, baseUrl: small.baseUrl, rateLimit: 1000, maxRetries: 2 });
    try {
      const error = await client
        .searchAll(
          'organization-search',
          'Organization',
          [
            ['roleCode', 'RO177'],
            ['_count', '1000'],
          ],
          5,
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FhirRejectedError);
      expect((error as FhirRejectedError).status).toBe(422);
      expect((error as FhirRejectedError).tooCostly).toBe(true);
      expect(small.requests()).toHaveLength(1);
    } finally {
      await client.close();
      await small.close();
    }
  });
});
