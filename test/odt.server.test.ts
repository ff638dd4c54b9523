// The ODT simulator over HTTP (src/simulators/odt/): reads, searches with HAPI's paging and total rule, affiliations with
// _include, $lookup, $expand, the deletion List after applyChanges, the API key, the 10 MB limit, faults and the CLI.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOdtSimulator, type OdtSimulator } from '../src/simulators/odt/server.js';
import { spawnTs } from './helpers/spawnTs.js';

let sim: OdtSimulator;
beforeAll(async () => {
  sim = await startOdtSimulator({ tier: 'small', port: 0 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${sim.baseUrl}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text) as Record<string, any> };
};

describe('ODT simulator', () => {
  it('reads an Organization with HAPI headers, and answers an unknown code with the recorded 404 bytes', async () => {
    const rwr = await get('Organization/RWR');
    expect(rwr.status).toBe(200);
    expect(rwr.headers.get('content-type')).toBe('application/fhir+json;charset=UTF-8');
    expect(rwr.headers.get('x-powered-by')).toBe('HAPI FHIR 7.0.2 REST Server (FHIR Server; FHIR 4.0.1/R4)');
    expect(rwr.headers.get('etag')).toBe('W/"1"');
    expect(rwr.json.name).toBe('HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST');
    const recorded = readFileSync(
      join(
        import.meta.dirname,
        '..',
        'data',
        'recorded',
        'odt',
        'recorded',
        'ndr_lookup-metadata_not_found_response.txt',
      ),
      'utf8',
    );
    const body = recorded.slice(recorded.search(/\r?\n\r?\n/)).trim();
    const missing = await get('Organization/X9999');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(body);
  });

  it('pages a search: a full page has a next link and no total, the last page a total', async () => {
    const first = await get('Organization?roleCode=RO197&_count=5');
    expect(first.json.entry).toHaveLength(5);
    expect(first.json.total).toBeUndefined();
    const next = first.json.link.find((l: any) => l.relation === 'next').url as string;
    expect(next).toMatch(/\/Organization\?_count=5&_offset=5&roleCode=RO197$/);
    const all = await get('Organization?roleCode=RO197&_count=1000');
    const total = all.json.total as number;
    expect(all.json.entry).toHaveLength(total);
    // Load order is ODS-code order.
    const ids = all.json.entry.map((e: any) => e.resource.id as string);
    expect(ids).toEqual([...ids].sort());
    expect((await get('Organization?roleCode=RO197&_summary=count')).json.total).toBe(total);
  });

  it('refuses an unknown parameter with HAPI-0524 and a bad date with HAPI-1940', async () => {
    const unknown = await get('Organization?count=5');
    expect(unknown.status).toBe(400);
    expect(unknown.json.issue[0].diagnostics).toMatch(/^HAPI-0524: Unknown search parameter "count"/);
    const date = await get('Organization?lastChangeDate=geNOPE');
    expect(date.status).toBe(400);
    expect(date.json.issue[0].diagnostics).toBe('HAPI-1940: Invalid date/time/quantity format: "geNOPE"');
  });

  it('finds a trust site and its trust through affiliations, with _include', async () => {
    const res = await get(
      'OrganizationAffiliation?primary-organization=RVVKC&_include=OrganizationAffiliation:participating-organization&_count=1000',
    );
    const matches = res.json.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
    const included = res.json.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id);
    const re6 = matches.find((a: any) => a.code[0].coding[0].code === 'RE6');
    expect(re6.participatingOrganization.identifier.value).toBe('RVV');
    expect(included).toContain('RVV');
  });

  it('looks up an ods-organization-code with org dates, and expands the role code system with primaryRole', async () => {
    const lookup = await get(
      'CodeSystem/$lookup?system=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code&code=RWR&property=*',
    );
    expect(lookup.json.parameter[0]).toEqual({ name: 'code', valueCode: 'RWR' });
    const expand = await get('ValueSet/$expand', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          {
            name: 'valueSet',
            resource: {
              resourceType: 'ValueSet',
              compose: {
                include: [
                  {
                    system: 'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole',
                  },
                ],
              },
            },
          },
          { name: 'property', valueString: 'primaryRole' },
        ],
      }),
    });
    const trust = expand.json.expansion.contains.find((c: any) => c.code === 'RO197');
    expect(trust.display).toBe('NHS TRUST');
    expect(trust.extension[0].extension[1]).toEqual({ url: 'value', valueBoolean: true });
  });

  it('lists a deletion made by applyChanges', async () => {
    const before = sim.organisationCount;
    sim.applyChanges({ today: '2026-03-02', delete: [{ odsCode: 'G6V2S' }] });
    try {
      expect(sim.organisationCount).toBe(before - 1);
      expect((await get('Organization/G6V2S')).status).toBe(404);
      const list = await get('List/Organization-deletion');
      expect(list.json.entry).toEqual([
        {
          date: '2026-03-02T00:00:00+00:00',
          item: {
            type: 'Organization',
            identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'G6V2S' },
          },
        },
      ]);
    } finally {
      await sim.close();
      sim = await startOdtSimulator({ tier: 'small', port: 0 });
    }
  });

  it('injects faults and counts every request', async () => {
    sim.clearLog();
    sim.setFaults({ mode: 'rate429', count: 1, retryAfterSeconds: 0 });
    const limited = await get('Organization/RWR');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.json.issue[0].details.coding[0].code).toBe('TOO_MANY_REQUESTS');
    expect((await get('Organization/RWR')).status).toBe(200);
    expect(sim.counters().byEndpointStatus).toEqual({ organization: { '200': 1, '429': 1 } });
    sim.clearFaults();
  });
});

describe('ODT simulator limits', () => {
  it('answers 401 without the API key it was started with, and 422 past its response size limit', async () => {
    const keyed = await startOdtSimulator({ tier: 'small', port: 0, apiKey: 'k-1', maxResponseBytes: 20_000 });
    try {
      const none = await fetch(`${keyed.baseUrl}Organization/RWR`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as any).issue[0].diagnostics).toBe('Invalid ApiKey');
      const ok = await fetch(`${keyed.baseUrl}Organization/RWR`, { headers: { apikey: 'k-1' } });
      expect(ok.status).toBe(200);
      const big = await fetch(`${keyed.baseUrl}Organization?roleCode=RO177&_count=1000`, {
        headers: { apikey: 'k-1' },
      });
      expect(big.status).toBe(422);
      expect(((await big.json()) as any).issue[0].code).toBe('too-costly');
    } finally {
      await keyed.close();
    }
  });

  it('npm run sim -- --api odt starts the ODT simulator and prints its base URL', async () => {
    const p = spawnTs(['src/simulators/ord/cli.ts', '--api', 'odt', '--port', '0', '--tier', 'small']);
    try {
      const deadline = Date.now() + 50_000;
      while (!/FHIR_BASE_URL=\S+/.test(p.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const base = /FHIR_BASE_URL=(\S+)/.exec(p.out())?.[1] ?? '';
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/organisation-data-terminology-api\/fhir\/$/);
      expect((await fetch(`${base}Organization/RWR`)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);
});
