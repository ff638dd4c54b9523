// A small OrdDataset for the ORD client/source tests: every real recorded record plus invented trust sites for paging.
// The invented records are listed in `synthetic`; tests only rely on their count, codes and names, never on realism.

import { readFileSync } from 'node:fs';
import type { OrdDataset } from '../../src/dataset/types.js';
import type { OrdOrganisation, OrdRecordClass, OrdRelType, OrdRoleType } from '../../src/ord/types.js';

const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));

export const RECORDED_CODES = ['X26', '97T', 'RJY', 'RVVKC', 'RWR'] as const;
export const UEC_CODES = ['FBL', 'G6V2S', 'RCZ', 'RHC', 'RJY', 'RP2', 'RRP', 'RRQ', 'TAF'] as const;
/** Invented RC2 sites under RVV, named "SYNTHETIC PAGING SITE nnnnn": enough for searches that span three ORD pages. */
export const SYNTHETIC_SITE_COUNT = 2345;
export const SYNTHETIC_NAME = 'SYNTHETIC PAGING SITE';
/** The dataset's "today": recent enough that the 2026 records fall inside the 185-day /sync window. */
export const CLIENT_DATASET_AS_OF = '2026-04-15';

export function syntheticCode(i: number): string {
  return `ZZP${String(i).padStart(5, '0')}`;
}

export function recordedOrganisation(code: string): OrdOrganisation {
  const fromRecorded = (RECORDED_CODES as readonly string[]).includes(code);
  const path = fromRecorded ? `data/recorded/organisations_${code}.json` : `data/sources/nhs-uec-analytics-ord-json/${code}.json`;
  return (read(path) as { Organisation: OrdOrganisation }).Organisation;
}

function syntheticSite(i: number): OrdOrganisation {
  const code = syntheticCode(i);
  const template = recordedOrganisation('RVVKC');
  return {
    ...structuredClone(template),
    Name: `${SYNTHETIC_NAME} ${String(i).padStart(5, '0')}`,
    OrgId: { ...template.OrgId, extension: code },
    LastChangeDate: '2021-07-21',
    Succs: undefined,
  } as OrdOrganisation;
}

export function buildClientDataset(): OrdDataset {
  const organisations = new Map<string, OrdOrganisation>();
  for (const code of [...RECORDED_CODES, ...UEC_CODES]) organisations.set(code, recordedOrganisation(code));
  const synthetic: OrdDataset['synthetic'] = [];
  for (let i = 1; i <= SYNTHETIC_SITE_COUNT; i++) {
    const org = syntheticSite(i);
    delete (org as { Succs?: unknown }).Succs;
    organisations.set(syntheticCode(i), org);
    synthetic.push({ odsCode: syntheticCode(i), path: '', reason: 'invented trust site (copy of RVVKC) for paging tests' });
  }
  const sorted = new Map([...organisations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    tier: 'small',
    asOf: CLIENT_DATASET_AS_OF,
    organisations: sorted,
    roles: (read('data/recorded/roles.json') as { Roles: OrdRoleType[] }).Roles,
    rels: (read('data/recorded/rels.json') as { Relationships: OrdRelType[] }).Relationships,
    recordClasses: (read('data/recorded/recordclasses.json') as { RecordClasses: OrdRecordClass[] }).RecordClasses,
    synthetic,
  };
}
