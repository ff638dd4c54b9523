// OrdOrganisationSource against the ORD simulator: filter translation, paging past ORD's 1000-row pages, mapping, errors.
// The dataset holds 2345 invented "SYNTHETIC PAGING SITE" records so one search spans three ORD pages.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdInvalidArgumentError, OrdRejectedError, OrdUpstreamError } from '../src/sources/ord/errors.js';
import { OrdOrganisationSource, toOrdSearchParams } from '../src/sources/ord/source.js';
import { startOrdSimulator } from '../src/simulators/ord/server.js';
import type { OrdSimulator } from '../src/simulators/ord/types.js';
import { buildClientDataset, SYNTHETIC_SITE_COUNT, syntheticCode } from './helpers/clientDataset.js';

let sim: OrdSimulator;
let client: OrdClient;
let source: OrdOrganisationSource;

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset: buildClientDataset(), port: 0 });
  client = new OrdClient(
    { baseUrl: sim.baseUrl, rateLimit: 1000, maxConcurrency: 4, timeoutMs: 5000, maxRetries: 0, circuitFailures: 0 },
    { sleep: async () => {} },
  );
  source = new OrdOrganisationSource(client);
});
afterAll(async () => {
  await client.close();
  await sim.close();
});
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
});

const paths = () =>
  sim
    .requests()
    .map((r) => r.path)
    .sort();
const SYN = { name: 'SYNTHETIC PAGING' };
const SYN_Q = 'organisations?Name=SYNTHETIC%20PAGING';

describe('filter translation', () => {
  it('maps every domain filter to ORD’s parameter names and values', () => {
    expect(
      toOrdSearchParams({
        name: 'nhs',
        postcode: 'LS1',
        status: 'ACTIVE',
        primaryRoleTypeId: 'RO197',
        nonPrimaryRoleTypeId: 'RO57',
        anyRoleTypeIds: ['RO197', 'RO198'],
        recordClassId: 'RC2',
        changedSince: '2026-04-01',
        relatedTo: { odsCode: 'QMJ', relationshipTypeIds: ['RE5', 'RE8'], status: 'INACTIVE' },
      }),
    ).toEqual({
      Name: 'nhs',
      PostCode: 'LS1',
      Status: 'Active',
      PrimaryRoleId: 'RO197',
      NonPrimaryRoleId: 'RO57',
      Roles: ['RO197', 'RO198'],
      OrgRecordClass: 'RC2',
      LastChangeDate: '2026-04-01',
      TargetOrgId: 'QMJ',
      RelTypeId: ['RE5', 'RE8'],
      RelStatus: 'inactive',
    });
    expect(toOrdSearchParams({ status: 'INACTIVE', relatedTo: { odsCode: 'RVV', status: 'ACTIVE' } })).toEqual({
      Status: 'Inactive',
      TargetOrgId: 'RVV',
      RelStatus: 'active',
    });
    expect(toOrdSearchParams({ anyRoleTypeIds: [], relatedTo: { odsCode: 'X', relationshipTypeIds: [] } })).toEqual({
      TargetOrgId: 'X',
    });
  });

  it('membership search end to end: active RE8 members of Z9B2Z, inactive RE8 of QMJ', async () => {
    const active = await source.searchOrganisations(
      { relatedTo: { odsCode: 'Z9B2Z', relationshipTypeIds: ['RE8'], status: 'ACTIVE' } },
      0,
      50,
    );
    expect(active.items.map((s) => s.odsCode)).toEqual(['G6V2S']);
    const inactive = await source.searchOrganisations(
      { status: 'ACTIVE', relatedTo: { odsCode: 'QMJ', relationshipTypeIds: ['RE8'], status: 'INACTIVE' } },
      0,
      50,
    );
    expect(inactive.items.map((s) => s.odsCode).sort()).toEqual(['G6V2S', 'RRP', 'TAF']);
    expect(inactive.totalCount).toBe(3);
    expect(paths()).toContain('organisations?Status=Active&RelTypeId=RE8&TargetOrgId=QMJ&RelStatus=inactive&Limit=50');
  });
});

describe('paging', () => {
  it('limit 2500 from 0 → three ORD calls (1000, 1000, 345), the first without Offset', async () => {
    const page = await source.searchOrganisations(SYN, 0, 2500);
    expect(page.totalCount).toBe(SYNTHETIC_SITE_COUNT);
    expect(page.items).toHaveLength(SYNTHETIC_SITE_COUNT);
    expect(page.items[0]?.odsCode).toBe(syntheticCode(1));
    expect(page.items.at(-1)?.odsCode).toBe(syntheticCode(SYNTHETIC_SITE_COUNT));
    expect(page.items.map((s) => s.odsCode)).toEqual(
      Array.from({ length: SYNTHETIC_SITE_COUNT }, (_, i) => syntheticCode(i + 1)),
    );
    expect(paths()).toEqual(
      [`${SYN_Q}&Limit=1000`, `${SYN_Q}&Limit=1000&Offset=1000`, `${SYN_Q}&Limit=345&Offset=2000`].sort(),
    );
  });

  it('offset 10, limit 1500 → Offset=10 then Offset=1010, rows 11..1510', async () => {
    const page = await source.searchOrganisations(SYN, 10, 1500);
    expect(page.items).toHaveLength(1500);
    expect(page.items[0]?.odsCode).toBe(syntheticCode(11));
    expect(page.items.at(-1)?.odsCode).toBe(syntheticCode(1510));
    expect(paths()).toEqual([`${SYN_Q}&Limit=1000&Offset=10`, `${SYN_Q}&Limit=500&Offset=1010`].sort());
  });

  it('exactly 1000 → one call; a short last page → no further calls', async () => {
    expect((await source.searchOrganisations(SYN, 0, 1000)).items).toHaveLength(1000);
    expect(paths()).toEqual([`${SYN_Q}&Limit=1000`]);
    sim.clearLog();
    const tail = await source.searchOrganisations(SYN, 2300, 5000);
    expect(tail.items.map((s) => s.odsCode)).toEqual(Array.from({ length: 45 }, (_, i) => syntheticCode(2301 + i)));
    expect(paths()).toEqual([`${SYN_Q}&Limit=1000&Offset=2300`]);
  });

  it('small pages, limit 0 (total only) and an offset past the end', async () => {
    const small = await source.searchOrganisations(SYN, 5, 3);
    expect(small).toEqual({
      totalCount: SYNTHETIC_SITE_COUNT,
      items: [6, 7, 8].map((i) => ({
        kind: 'summary',
        odsCode: syntheticCode(i),
        name: `SYNTHETIC PAGING SITE ${String(i).padStart(5, '0')}`,
        status: 'ACTIVE',
        recordClassId: 'RC2',
        postcode: 'CT1 3NG',
        lastChangeDate: '2021-07-21',
        primaryRoleTypeId: 'RO198',
      })),
    });
    expect(await source.searchOrganisations(SYN, 0, 0)).toEqual({ totalCount: SYNTHETIC_SITE_COUNT, items: [] });
    expect(await source.searchOrganisations(SYN, 9999, 10)).toEqual({ totalCount: SYNTHETIC_SITE_COUNT, items: [] });
    expect(paths()).toEqual([`${SYN_Q}&Limit=3&Offset=5`, `${SYN_Q}&Limit=1`, `${SYN_Q}&Limit=10&Offset=9999`].sort());
  });

  it('bad offset/limit → OrdInvalidArgumentError before any request', async () => {
    await expect(source.searchOrganisations(SYN, -1, 10)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    await expect(source.searchOrganisations(SYN, 0, 1.5)).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    expect(sim.requests()).toEqual([]);
  });
});

describe('records, change feed, code systems, errors', () => {
  it('getOrganisation maps; unknown → null', async () => {
    const rwr = await source.getOrganisation('RWR');
    expect(rwr?.address?.uprn).toBe('10007553984');
    expect(rwr?.contacts.map((c) => c.type)).toEqual(['TELEPHONE', 'WEBSITE']);
    expect(await source.getOrganisation('ZZZZ9')).toBeNull();
  });

  it('changedSince uses /sync', async () => {
    expect(await source.changedSince('2026-04-01')).toEqual(['FBL', 'G6V2S', 'RRP', 'TAF']);
    expect(paths()).toEqual(['sync?LastChangeDate=2026-04-01']);
  });

  it('code systems map to domain types', async () => {
    const roles = await source.roleTypes();
    expect(roles).toHaveLength(137);
    expect(roles.find((r) => r.id === 'RO197')).toEqual({
      id: 'RO197',
      code: '197',
      displayName: 'NHS TRUST',
      isPrimary: true,
    });
    expect((await source.relationshipTypes()).map((r) => r.id)).toEqual(['RE3', 'RE6', 'RE4', 'RE5', 'RE2']);
    expect((await source.recordClasses()).map((r) => r.displayName)).toEqual(['HSCOrg', 'HSCSite']);
  });

  it('typed errors propagate: 406, upstream, invalid code', async () => {
    await expect(source.searchOrganisations({ name: 'ab' }, 0, 10)).rejects.toBeInstanceOf(OrdRejectedError);
    await expect(source.getOrganisation('../X26')).rejects.toBeInstanceOf(OrdInvalidArgumentError);
    sim.setFaults({ mode: 'http503', pathPrefix: 'organisations?' });
    const error = await source.searchOrganisations(SYN, 0, 2500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrdUpstreamError);
    expect((error as OrdUpstreamError).kind).toBe('http_status');
  });
});
