// A small OrdDataset for the ORD client/source tests: every real recorded record plus invented trust sites for paging.
// The invented records are listed in `synthetic`; tests only rely on their count, codes and names, never on realism.

import type { OrdDataset } from '../../src/dataset/types.js';
import type { OrdOrganisation } from '../../src/sources/ord/types.js';
import { FIXTURE_AS_OF, realRecords, recordedCodeSystems, sortedByCode } from './recordedDataset.js';

/** Invented RC2 sites under RVV, named "SYNTHETIC PAGING SITE nnnnn": enough for searches that span three ORD pages. */
export const SYNTHETIC_SITE_COUNT = 2345;
export const SYNTHETIC_NAME = 'SYNTHETIC PAGING SITE';

export function syntheticCode(i: number): string {
  return `ZZP${String(i).padStart(5, '0')}`;
}

/** One real ORD record, as recorded. */
export function recordedOrganisation(code: string): OrdOrganisation {
  const org = realRecords().get(code);
  if (!org) throw new Error(`no real ORD record for ${code}`);
  return org;
}

function syntheticSite(i: number, template: OrdOrganisation): OrdOrganisation {
  // A site has no successions of its own: the template's are left out, not emptied (ORD omits empty sections).
  const { Succs: _succs, ...rest } = structuredClone(template);
  return {
    ...rest,
    Name: `${SYNTHETIC_NAME} ${String(i).padStart(5, '0')}`,
    OrgId: { ...template.OrgId, extension: syntheticCode(i) },
    LastChangeDate: '2021-07-21',
  };
}

export function buildClientDataset(): OrdDataset {
  const organisations = realRecords();
  const template = organisations.get('RVVKC')!;
  const synthetic: OrdDataset['synthetic'] = [];
  for (let i = 1; i <= SYNTHETIC_SITE_COUNT; i++) {
    organisations.set(syntheticCode(i), syntheticSite(i, template));
    synthetic.push({
      odsCode: syntheticCode(i),
      path: '',
      reason: 'invented trust site (copy of RVVKC) for paging tests',
    });
  }
  // The fixture's "today" keeps the 2026 records inside the 185-day /sync window.
  return {
    tier: 'small',
    asOf: FIXTURE_AS_OF,
    organisations: sortedByCode(organisations),
    ...recordedCodeSystems(),
    synthetic,
  };
}
