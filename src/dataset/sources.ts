// Reads every gzipped ODS source file under data/sources/ into typed rows (column layouts: data/sources/PROVENANCE.md).
// Only this module knows file names and column numbers; everything else works with the named fields below.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fromPackageRoot } from '../paths.js';
import { parseCsv } from './csv.js';
import { isoFromOds } from './dates.js';

/** data/ at the package root, so the build works from any working directory and wherever this module sits. */
export const DATA_DIR = fromPackageRoot('data');

export function readDataText(relativePath: string): string {
  const bytes = readFileSync(join(DATA_DIR, relativePath));
  return (relativePath.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

function readCsv(relativePath: string, headerRows = 0): string[][] {
  return parseCsv(readDataText(relativePath)).slice(headerRows);
}

/** Field `col` (1-based, as PROVENANCE.md numbers them) of an ODS row; missing trailing fields read as "". */
function col(row: string[], column: number): string {
  return (row[column - 1] ?? '').trim();
}

/** The five address lines and postcode of the standard 27-field layout (cols 5–10). */
interface AddressFields {
  lines: [string, string, string, string, string];
  postCode: string;
}

function address27(row: string[]): AddressFields {
  return { lines: [col(row, 5), col(row, 6), col(row, 7), col(row, 8), col(row, 9)], postCode: col(row, 10) };
}

/** highspring epraccur.csv: one prescribing cost centre (GP practice or other PCC). */
interface PccRow {
  code: string;
  name: string;
  region: string;
  icb: string;
  address: AddressFields;
  open?: string;
  close?: string;
  status: string;
  commissioner: string;
  commissionerJoin?: string;
  commissionerLeft?: string;
  tel: string;
  operator: string;
  /** Non-primary role ids from col 26 ("RO80|RO87" → ["RO80","RO87"]). */
  settingRoles: string[];
}

/** Practice → PCN membership (the 2026 and 2023 partner files share this layout). */
export interface PcnMembershipRow {
  practice: string;
  practiceName: string;
  pcn: string;
  pcnName: string;
  pcnSubIcb: string;
  start?: string;
  end?: string;
}

/** blackwellrd epcn.csv: PCN master data, Feb 2023. */
interface PcnRow {
  code: string;
  name: string;
  subIcb: string;
  open?: string;
  close?: string;
  lines: [string, string, string, string, string];
  postCode: string;
}

interface SuccessionRow {
  predecessor: string;
  successor: string;
  date: string;
}

/** etr.csv: NHS trusts with legal open/close dates. */
export interface TrustRow {
  code: string;
  name: string;
  region: string;
  icb: string;
  address: AddressFields;
  open?: string;
  close?: string;
  tel: string;
  /** Government Office Region letter; "W" = Wales. */
  gor: string;
}

/** etr_ord_active.csv: trusts ORD reported as Status=Active in Aug 2026. */
interface ActiveTrustRow {
  code: string;
  name: string;
  postCode: string;
}

/** eccg.csv: CCGs, sub-ICB locations, reporting entities and commissioning hubs (primary role RO98). */
interface CommissionerRow {
  code: string;
  name: string;
  region: string;
  icb: string;
  address: AddressFields;
  open?: string;
  close?: string;
  nonPrimaryRoles: string[];
}

interface IcbLookupRow {
  code: string;
  name: string;
  regionName: string;
}

export interface CommissionerHistoryRow {
  practice: string;
  parent: string;
  join?: string;
  left?: string;
}

interface TrustSiteSample {
  code: string;
  name: string;
  postCode: string;
}

export interface Sources {
  pccs: PccRow[];
  memberships2026: PcnMembershipRow[];
  memberships2023: PcnMembershipRow[];
  pcns2023: PcnRow[];
  successions: SuccessionRow[];
  trusts: TrustRow[];
  activeTrusts: ActiveTrustRow[];
  commissioners: CommissionerRow[];
  icbs: IcbLookupRow[];
  /** ONS ICB names (Dec 2024), by ODS code; used only to cross-check the ICB list. */
  icbOnsNames: Map<string, string>;
  commissionerHistory: CommissionerHistoryRow[];
  /** Trust site code → operating trust code (ods-parents.json, insertion order of the file). */
  siteParents: Map<string, string>;
  /** The 200 trust sites whose real name and postcode are known (ord-sample.json). */
  siteSamples: Map<string, TrustSiteSample>;
}

function splitRoles(value: string): string[] {
  return value === ''
    ? []
    : value
        .split('|')
        .map((r) => r.trim())
        .filter((r) => r !== '');
}

function readMemberships(path: string): PcnMembershipRow[] {
  return readCsv(path).map((r) => ({
    practice: col(r, 1),
    practiceName: col(r, 2),
    pcn: col(r, 5),
    pcnName: col(r, 6),
    pcnSubIcb: col(r, 7),
    start: isoFromOds(col(r, 9)),
    end: isoFromOds(col(r, 10)),
  }));
}

export function readSources(): Sources {
  const pccs: PccRow[] = readCsv('sources/highspring-2026-02/epraccur.csv.gz').map((r) => ({
    code: col(r, 1),
    name: col(r, 2),
    region: col(r, 3),
    icb: col(r, 4),
    address: address27(r),
    open: isoFromOds(col(r, 11)),
    close: isoFromOds(col(r, 12)),
    status: col(r, 13),
    commissioner: col(r, 15),
    commissionerJoin: isoFromOds(col(r, 16)),
    commissionerLeft: isoFromOds(col(r, 17)),
    tel: col(r, 18),
    operator: col(r, 24),
    settingRoles: splitRoles(col(r, 26)),
  }));

  const pcns2023: PcnRow[] = readCsv('sources/blackwellrd-epcn-2023-02/epcn.csv.gz').map((r) => ({
    code: col(r, 1),
    name: col(r, 2),
    subIcb: col(r, 3),
    open: isoFromOds(col(r, 5)),
    close: isoFromOds(col(r, 6)),
    lines: [col(r, 7), col(r, 8), col(r, 9), col(r, 10), col(r, 11)],
    postCode: col(r, 12),
  }));

  const successions: SuccessionRow[] = readCsv('sources/maglehoj-succ-2026/succ.csv.gz').map((r) => {
    const date = isoFromOds(col(r, 4));
    if (date === undefined) throw new Error(`succ.csv row without a date: ${r.join(',')}`);
    return { predecessor: col(r, 1), successor: col(r, 2), date };
  });

  const trusts: TrustRow[] = readCsv('sources/jhau-nhs-spend-2025/etr.csv.gz').map((r) => ({
    code: col(r, 1),
    name: col(r, 2),
    region: col(r, 3),
    icb: col(r, 4),
    address: address27(r),
    open: isoFromOds(col(r, 11)),
    close: isoFromOds(col(r, 12)),
    tel: col(r, 18),
    gor: col(r, 24),
  }));

  const activeTrusts: ActiveTrustRow[] = readCsv('sources/wayfinder-ord-2026-08/etr_ord_active.csv.gz').map((r) => ({
    code: col(r, 1),
    name: col(r, 2),
    postCode: col(r, 10),
  }));

  const commissioners: CommissionerRow[] = readCsv('sources/jhau-nhs-spend-2025/eccg.csv.gz').map((r) => ({
    code: col(r, 1),
    name: col(r, 2),
    region: col(r, 3),
    icb: col(r, 4),
    address: address27(r),
    open: isoFromOds(col(r, 11)),
    close: isoFromOds(col(r, 12)),
    nonPrimaryRoles: splitRoles(col(r, 14)),
  }));

  // icb_lookup.csv has a header and an "UNIDENTIFIED" row with code "-": keep only real ICB codes.
  const icbs: IcbLookupRow[] = readCsv('sources/benstanbury-2026-02/icb_lookup.csv.gz', 1)
    .map((r) => ({ code: col(r, 1), name: col(r, 2), regionName: col(r, 3) }))
    .filter((r) => /^Q[A-Z0-9]{2}$/.test(r.code));

  const icbOnsNames = new Map(
    readCsv('sources/jhau-nhs-spend-2025/icb_names_codes_dec_2024.csv.gz', 1).map(
      (r) => [col(r, 2), col(r, 3)] as const,
    ),
  );

  const commissionerHistory: CommissionerHistoryRow[] = readCsv('sources/prm-gp2gp-epcmem-2019/epcmem.csv.gz').map(
    (r) => ({
      practice: col(r, 1),
      parent: col(r, 2),
      join: isoFromOds(col(r, 4)),
      left: isoFromOds(col(r, 5)),
    }),
  );

  const parentsJson = JSON.parse(readDataText('sources/wayfinder-ord-2026-08/ods-parents.json.gz')) as Record<
    string,
    string
  >;
  const siteParents = new Map(Object.entries(parentsJson));

  const sampleJson = JSON.parse(readDataText('sources/wayfinder-ord-2026-08/ord-sample.json.gz')) as {
    sample: { OrgId: string; Name: string; PostCode?: string }[];
  };
  const siteSamples = new Map(
    sampleJson.sample.map(
      (s) => [s.OrgId, { code: s.OrgId, name: s.Name.trim(), postCode: (s.PostCode ?? '').trim() }] as const,
    ),
  );

  return {
    pccs,
    memberships2026: readMemberships('sources/highspring-2026-02/epcncorepartnerdetails.csv.gz'),
    memberships2023: readMemberships('sources/blackwellrd-epcn-2023-02/epcncorepartnerdetails.csv.gz'),
    pcns2023,
    successions,
    trusts,
    activeTrusts,
    commissioners,
    icbs,
    icbOnsNames,
    commissionerHistory,
    siteParents,
    siteSamples,
  };
}
