// Round-trip tests for the ODT simulator's records: every small-tier ORD record, written as FHIR by the simulator and
// read back by the adapter's reader (src/sources/fhir/map.ts), must equal what the ORD reader makes of the record.

import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import {
  displayNamesOf,
  toFhirAffiliation,
  toFhirOrganization,
  toLookupParameters,
} from '../src/simulators/odt/fhirRecords.js';
import {
  fromOrganisationCodeLookup,
  relationshipsFromBundle,
  toOrganisation as fromFhir,
  withLookup,
  withRelationships,
} from '../src/sources/fhir/map.js';
import type { Bundle } from '../src/sources/fhir/types.js';
import { toOrganisation as fromOrd } from '../src/sources/ord/map.js';

const dataset = loadDataset('small');
const names = displayNamesOf(dataset);
const primaryRoles = new Map(dataset.roles.map((r) => [r.id, r.primaryRole === 'true']));
const isPrimaryRole = (id: string) => primaryRoles.get(id);

/** What the adapter would assemble for one code: Organization + affiliations with _include + $lookup. */
function viaFhir(code: string) {
  const record = dataset.organisations.get(code)!;
  const entries: Bundle['entry'] = (record.Rels?.Rel ?? []).map((rel) => ({
    resource: toFhirAffiliation(record, rel, names),
    search: { mode: 'match' },
  }));
  for (const target of new Set((record.Rels?.Rel ?? []).map((r) => r.Target.OrgId.extension))) {
    const t = dataset.organisations.get(target);
    if (t !== undefined) entries.push({ resource: toFhirOrganization(t, names), search: { mode: 'include' } });
  }
  const bundle = { resourceType: 'Bundle', type: 'searchset', entry: entries } as Bundle;
  const relationships = relationshipsFromBundle(bundle, isPrimaryRole).get(code) ?? [];
  const org = fromFhir(toFhirOrganization(record, names), isPrimaryRole);
  return withLookup(
    withRelationships(org, relationships),
    fromOrganisationCodeLookup(toLookupParameters(record, dataset.asOf)),
  );
}

describe('ODT records round-trip through the adapter reader', () => {
  it('covers a real small tier', () => {
    const records = [...dataset.organisations.values()];
    expect(records.length).toBeGreaterThan(50);
    // The round-trip means something only if relationships, successions, contacts and UPRNs are exercised.
    expect(records.some((r) => (r.Rels?.Rel.length ?? 0) > 0)).toBe(true);
    expect(records.some((r) => (r.Succs?.Succ.length ?? 0) > 0)).toBe(true);
    expect(records.some((r) => (r.Contacts?.Contact.length ?? 0) > 0)).toBe(true);
    expect(records.some((r) => r.GeoLoc?.Location.UPRN !== undefined)).toBe(true);
  });

  it('reads back every small-tier organisation as the ORD reader does', () => {
    const mismatches: string[] = [];
    for (const [code, record] of dataset.organisations) {
      const expected = fromOrd(record);
      const actual = viaFhir(code);
      try {
        expect(actual).toEqual(expected);
      } catch {
        mismatches.push(code);
      }
    }
    if (mismatches.length > 0) {
      const first = mismatches[0]!;
      expect(viaFhir(first), `${mismatches.length} mismatches, first ${first}`).toEqual(
        fromOrd(dataset.organisations.get(first)!),
      );
    }
  });
});
