// GraphQL tests for Succession: recorded successions of 97T, G6V2S, RRP and TAF, walking generations, shared targets.
// Over HTTP against the ORD simulator (tier small); ORD call counts from its request log.

import { describe, expect, it } from 'vitest';
import { MergerHistoryDocument } from '../src/generated/graphql.js';
import { dataCalls, useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const orgPaths = () => stack.calls('organisation').map((c) => c.path);

describe('successions', () => {
  it('97T succeeded the hubs 14W and 14V on 2020-04-01', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "97T") {
        successions { type effectiveDate targetOdsCode targetPrimaryRole { id } uniqueSuccId target { odsCode name status } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const successions = res.data!.organisation.successions;
    expect(
      successions.map((s: any) => [s.type, s.effectiveDate, s.target.odsCode, s.target.name, s.target.status]),
    ).toEqual([
      [
        'PREDECESSOR',
        '2020-04-01',
        '14W',
        'HAMPSHIRE, ISLE OF WIGHT AND THAMES VALLEY - H&J COMMISSIONING HUB',
        'INACTIVE',
      ],
      ['PREDECESSOR', '2020-04-01', '14V', 'KENT, SURREY AND SUSSEX - H&J COMMISSIONING HUB', 'INACTIVE'],
    ]);
    expect(
      successions.every((s: any) => typeof s.uniqueSuccId === 'number' && s.targetPrimaryRole.id.startsWith('RO')),
    ).toBe(true);
    expect(orgPaths().sort()).toEqual(['organisations/14V', 'organisations/14W', 'organisations/97T']);
  });

  it('a succession is held on both records: 14W names 97T as its successor', async () => {
    const res = await stack.gql(
      `{ organisation(odsCode: "14W") { successions(type: SUCCESSOR) { effectiveDate target { odsCode } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation.successions).toEqual([{ effectiveDate: '2020-04-01', target: { odsCode: '97T' } }]);
  });

  it('filters by type: RRP has one successor (G6V2S) and three predecessors', async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "RRP") {
        successors: successions(type: SUCCESSOR) { effectiveDate targetOdsCode }
        predecessors: successions(type: PREDECESSOR) { targetOdsCode }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation;
    expect(org.successors).toEqual([{ effectiveDate: '2024-11-01', targetOdsCode: 'G6V2S' }]);
    expect(org.predecessors.map((s: { targetOdsCode: string }) => s.targetOdsCode)).toEqual(['RHC', 'RCZ', 'RP2']);
    expect(orgPaths()).toEqual(['organisations/RRP']); // targetOdsCode needs no fetch
  });

  it('MergerHistory walks three generations back from G6V2S, fetching each record once', async () => {
    const res = await stack.gql(MergerHistoryDocument, { odsCode: 'G6V2S' });
    expect(res.errors).toBeUndefined();
    const org = res.data!.organisation!;
    expect(org.name).toBe('NORTH LONDON NHS FOUNDATION TRUST');
    const gen1 = org.successions.map((s) => s.target!);
    expect(gen1.map((t) => t.odsCode)).toEqual(['RRP', 'TAF', 'RNK']);
    expect(org.successions.map((s) => s.effectiveDate)).toEqual(['2024-11-01', '2024-11-01', '2026-04-01']);
    // RRP and TAF stay operationally ACTIVE after their legal end (2024-10-31).
    expect(gen1[0]).toMatchObject({ status: 'ACTIVE', legalPeriod: { start: '2001-04-01', end: '2024-10-31' } });
    expect(gen1[1]).toMatchObject({ status: 'ACTIVE', legalPeriod: { start: '2002-04-01', end: '2024-10-31' } });
    const gen2 = gen1.flatMap((t) => t.successions.map((s) => s.target!));
    expect(gen2.map((t) => t.odsCode)).toEqual(['RHC', 'RCZ', 'RP2', 'RRQ', 'FBL']);
    expect(gen2.every((t) => t.isReferenceOnly && t.status === 'INACTIVE')).toBe(true);
    expect(gen2.find((t) => t.odsCode === 'RP2')!.name).toBe('HARINGEY HEALTH CARE NHS TRUST');
    expect(gen2.flatMap((t) => t.successions)).toEqual([]);
    const paths = orgPaths();
    expect(paths).toHaveLength(9);
    expect(new Set(paths).size).toBe(9);
  });

  it('two organisations with the same successor fetch it once (RRP and TAF → G6V2S)', async () => {
    const res = await stack.gql(`{
      organisations(odsCodes: ["RRP", "TAF"]) { odsCode successions(type: SUCCESSOR) { target { odsCode name } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisations.map((o: any) => o.successions[0].target.odsCode)).toEqual(['G6V2S', 'G6V2S']);
    expect(orgPaths().sort()).toEqual(['organisations/G6V2S', 'organisations/RRP', 'organisations/TAF']);
  });

  it("the April 2026 ICB merger: QMJ's successor Z9B2Z is a reference-only stub", async () => {
    const res = await stack.gql(`{
      organisation(odsCode: "QMJ") {
        operationalPeriod { end }
        successions { type effectiveDate target { odsCode name isReferenceOnly status } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.organisation).toEqual({
      operationalPeriod: { end: '2026-03-31' },
      successions: [
        {
          type: 'SUCCESSOR',
          effectiveDate: '2026-04-01',
          target: { odsCode: 'Z9B2Z', name: 'Z9B2Z', isReferenceOnly: true, status: 'INACTIVE' },
        },
      ],
    });
    expect(dataCalls(stack)).toHaveLength(2);
  });
});
