// What only the mirror answers, over HTTP: searches as at a past date, ranked full-text names, postcode typeahead, the
// freshness every response carries and /ready by the mirror's age. Expected values are counted from the dataset's JSON.

import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { OrdDate, OrdOrganisation } from '../src/sources/ord/types.js';
import { stopSharedPostgres } from './helpers/mirror.js';
import { startStack, useStack } from './helpers/stack.js';

const dataset = loadDataset('small');
const stack = useStack({ tier: 'small', source: 'mirror-sqlite' });
afterAll(() => stopSharedPostgres());

/** ORD's "as at" rule applied to raw JSON dates: the operational period, else the legal one, contains `date`. */
function openOn(dates: OrdDate[] | undefined, date: string): boolean {
  const period = dates?.find((d) => d.Type === 'Operational') ?? dates?.find((d) => d.Type === 'Legal');
  if (!period) return false;
  return (period.Start === undefined || period.Start <= date) && (period.End === undefined || period.End >= date);
}

const primaryRole = (org: OrdOrganisation) => org.Roles?.Role.find((r) => r.primaryRole)?.id;

describe('searches as at a date', () => {
  it('lists the practices open on 2015-06-30, as many as the dataset holds, each with its commissioner then', async () => {
    const date = '2015-06-30';
    const practices = [...dataset.organisations.values()].filter(
      (o) => primaryRole(o) === 'RO177' && openOn(o.Date, date),
    );
    const res = await stack.gql(`{
      searchOrganisations(filter: { primaryRole: "RO177", activeOn: "${date}" }, first: 1000) {
        totalCount
        edges { node { odsCode commissioner: relationships(types: ["RE4"], activeOn: "${date}") { targetOdsCode } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const page = res.data!.searchOrganisations;
    expect(page.totalCount).toBe(practices.length);
    expect(page.totalCount).toBeLessThan(318); // fewer than every practice in the tier: some opened later
    const byCode = new Map(practices.map((o) => [o.OrgId.extension, o]));
    for (const edge of page.edges) {
      const raw = byCode.get(edge.node.odsCode)!;
      const then = (raw.Rels?.Rel ?? []).filter((r) => r.id === 'RE4' && openOn(r.Date, date));
      expect(edge.node.commissioner.map((r: { targetOdsCode: string }) => r.targetOdsCode)).toEqual(
        then.map((r) => r.Target.OrgId.extension),
      );
    }
    expect(res.extensions?.upstream).toMatchObject({ estimate: 0, calls: 0 });
    expect(stack.calls()).toEqual([]);
  });

  it('applies the date to a membership search’s relationship too (93C’s practices then and now)', async () => {
    const members = (date: string) =>
      stack.gql(
        `{ searchOrganisations(filter: { relatedTo: { odsCode: "93C", relationshipTypes: ["RE4"] }, activeOn: "${date}" }, first: 1000) { edges { node { odsCode } } } }`,
      );
    const expected = (date: string) =>
      [...dataset.organisations.values()]
        .filter(
          (o) =>
            primaryRole(o) !== undefined &&
            openOn(o.Date, date) &&
            (o.Rels?.Rel ?? []).some(
              (r) => r.id === 'RE4' && r.Target.OrgId.extension === '93C' && openOn(r.Date, date),
            ),
        )
        .map((o) => o.OrgId.extension)
        .sort();
    const sizes: number[] = [];
    for (const date of ['2013-06-30', '2026-03-01']) {
      const res = await members(date);
      expect(res.errors).toBeUndefined();
      const codes = res.data!.searchOrganisations.edges.map((e: { node: { odsCode: string } }) => e.node.odsCode);
      expect([...codes].sort()).toEqual(expected(date));
      sizes.push(codes.length);
    }
    expect(sizes[1]).toBeGreaterThan(0);
    expect(sizes[0]).not.toBe(sizes[1]);
  });
});

describe('names and postcodes', () => {
  it('ranks the closest name first for a full-text search', async () => {
    const res = await stack.gql(
      `{ searchOrganisations(filter: { text: "royal free" }, first: 3) { totalCount edges { node { odsCode name } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchOrganisations.edges[0].node).toEqual({
      odsCode: 'RAL',
      name: 'ROYAL FREE LONDON NHS FOUNDATION TRUST',
    });
    const everyWord = [...dataset.organisations.values()].filter(
      (o) => primaryRole(o) && /\bROYAL/.test(o.Name) && /\bFREE/.test(o.Name),
    );
    expect(res.data!.searchOrganisations.totalCount).toBe(everyWord.length);
  });

  it('finds postcodes by any prefix, spaces ignored, where ORD’s PostCode would keep to one district', async () => {
    const res = await stack.gql(
      `{ typeahead: searchOrganisations(filter: { postcodeStartsWith: "n 1" }, first: 0) { totalCount }
         district: searchOrganisations(filter: { postcode: "N1" }, first: 0) { totalCount } }`,
    );
    const startsN1 = [...dataset.organisations.values()].filter(
      (o) => primaryRole(o) && (o.GeoLoc?.Location.PostCode ?? '').replace(/ /g, '').startsWith('N1'),
    );
    expect(res.data!.typeahead.totalCount).toBe(startsN1.length);
    expect(res.data!.district.totalCount).toBe(13);
  });
});

describe('freshness', () => {
  it('says on every executed response which source answered and as of when', async () => {
    const res = await stack.gql(`{ organisation(odsCode: "RWR") { name } }`);
    expect(res.extensions?.source).toEqual({ name: 'mirror', asOf: '2026-03-01T00:00:00.000Z' });
  });

  it('is ready while younger than MIRROR_MAX_AGE_HOURS, and says why not once older', async () => {
    expect((await fetch(stack.url.replace('/graphql', '/ready'))).status).toBe(200);
    // The same data, but a server told to refuse anything older than a day.
    const strict = await startStack({ tier: 'small', source: 'mirror-sqlite', mirrorMaxAgeHours: 24 });
    try {
      const ready = await fetch(strict.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { reason: string };
      expect(body.reason).toContain('the mirror was last complete at 2026-03-01T00:00:00.000Z');
      expect(body.reason).toContain('MIRROR_MAX_AGE_HOURS (24)');
    } finally {
      await strict.close();
    }
  });
});
