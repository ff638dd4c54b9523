// The ORD client's /notifications and OrdOrganisationSource.deletedOrganisations() against the simulator: the mapped
// deletions of the documented example, the endpoint's counters, a malformed answer, and what a change looks like.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrdClient } from '../src/sources/ord/client.js';
import { OrdUpstreamError } from '../src/sources/ord/errors.js';
import { toDeletedOrganisation } from '../src/sources/ord/map.js';
import { OrdOrganisationSource } from '../src/sources/ord/source.js';
import type { OrdDeletedOrganisation } from '../src/sources/ord/types.js';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { reportsDeletions } from '../src/sources/types.js';
import { recordedDataset } from './helpers/recordedDataset.js';

const EXAMPLE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../data/recorded/ord-xml/notifications_example.json', import.meta.url)), 'utf8'),
) as { DeletedOrganisations: OrdDeletedOrganisation[] };

let sim: OrdSimulator;
let client: OrdClient;
let source: OrdOrganisationSource;

beforeAll(async () => {
  sim = await startOrdSimulator({
    dataset: { ...recordedDataset(), deletions: EXAMPLE.DeletedOrganisations },
    today: '2023-09-10',
  });
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

describe('deletedOrganisations()', () => {
  it('maps the documented example to domain deletions, in one call', async () => {
    expect(reportsDeletions(source)).toBe(true);
    expect(await source.deletedOrganisations()).toEqual([
      {
        odsCode: 'I8M8X',
        primaryRoleTypeId: 'RO96',
        deletedAt: '2023-09-01 00:00:00',
        reason: { code: 3, description: 'HUMAN ERROR' },
      },
      {
        odsCode: 'F3W7C',
        primaryRoleTypeId: 'RO280',
        deletedAt: '2023-09-01 00:00:00',
        reason: { code: 3, description: 'HUMAN ERROR' },
      },
    ]);
    expect(sim.requests().map((r) => r.path)).toEqual(['notifications']);
    expect(client.snapshot().notifications).toMatchObject({ attempts: 1, ok: 1 });
  });

  it('a malformed answer is a typed upstream error, counted as such', async () => {
    sim.setFaults({ mode: 'malformed', pathPrefix: 'notifications' });
    const error = await source.deletedOrganisations().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrdUpstreamError);
    expect((error as OrdUpstreamError).kind).toBe('malformed');
    expect(client.snapshot().notifications.upstream_malformed).toBeGreaterThanOrEqual(1);
  });

  it('the mapper refuses an entry without a code or reason', () => {
    const good = EXAMPLE.DeletedOrganisations[0]!;
    expect(() => toDeletedOrganisation({ ...good, OrgID: '' })).toThrow(/OrgID/);
    expect(() => toDeletedOrganisation({ ...good, reason: undefined } as unknown as OrdDeletedOrganisation)).toThrow(
      /reason/,
    );
  });

  it('after a change: the deleted code is null, the changed one in changedSince, the deletion listed', async () => {
    expect((await source.getOrganisation('RWR'))?.name).toBe(
      'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST',
    );
    const x26 = recordedDataset().organisations.get('X26')!;
    const { LastChangeDate: _old, ...rest } = x26;
    sim.applyChanges({
      today: '2026-04-20',
      delete: [{ odsCode: 'RWR', reason: 1 }],
      upsert: [{ ...rest, Name: 'NHS X' }],
    });
    expect(await source.getOrganisation('RWR')).toBeNull();
    expect(await source.changedSince('2026-04-20')).toEqual(['X26']);
    expect((await source.getOrganisation('X26'))?.lastChangeDate).toBe('2026-04-20');
    const deleted = await source.deletedOrganisations();
    expect(deleted.map((d) => [d.odsCode, d.primaryRoleTypeId, d.deletedAt, d.reason.description])).toEqual([
      // The example's 2023 deletions are past the 185-day window now.
      ['RWR', 'RO197', '2026-04-20 00:00:00', 'THIRD PARTY ERROR'],
    ]);
  });
});
