// The reasons recorded in OrdDataset.synthetic, one constant per kind of invented value.
// Kept together so the README's inference table, the stats script and the tests all use the same wording.

export const REASON = {
  uniqueIds:
    'made-up id: stable hash of (code, kind, target/role, start) into 1..700,000; ORD ids are not in the sources',
  lastChangeDate: 'not in the sources: latest date in the record on or before the as-of date (2026-03-01)',
  regionName: 'region record not in the sources: name built from the icb_lookup region name + " COMMISSIONING REGION"',
  regionDates: 'region dates not in the sources: succ.csv start (2019-04-01 mergers) or assumed 2019-04-01',
  icbDates:
    'ICB dates not in the sources: STP-era role RO261 assumed from 2020-04-01 (or an earlier succession date), ended the day before its 2026 succession',
  icbRole: 'ICB role RO318 assumed from the 2022-07-01 ICB establishment date',
  icbRegionRel: 'ICB RE5 → region is unverified: inferred from icb_lookup/epraccur col 3; dates copied from the ICB',
  subIcbRoleDates: 'sub-ICB role start assumed to be the later of the open date and 2022-07-01',
  commissionerRelDates: 'relationship to the ICB: target from eccg col 4, dates copied from the organisation/role',
  foundationTrustRole: 'RO57 inferred because the name contains "FOUNDATION TRUST"; dates copied from the primary role',
  trustIcbRels:
    'trust RE5/RE8 → ICB from etr col 4; start assumed max(open, 2020-04-01) for RE5 and max(open, 2023-07-01) for RE8',
  trustDates: 'open date unknown (trust only in the Aug 2026 ORD-active list): as-of date used',
  siteName: 'trust site name not in the sources: "<TRUST NAME> SITE <CODE>"',
  siteDates:
    "trust site dates not in the sources: the operating trust's start (or the site's own succession date if later)",
  nonPrimaryRoleDates: 'non-primary role dates not in the sources: copied from the organisation dates',
  pccOperatorRelDates:
    'RE6 dates not in the sources: copied from the RE4 dates when the operator is the commissioner, else from the organisation dates',
  pccCommissionerStart: 'RE4 start missing in epraccur: the open date is used',
  historicCommissionerEnd:
    'historic RE4 (epcmem 2019) end not recorded: the day before the next commissioner relationship starts (or the close date)',
  historicPcnEnd:
    'historic RE8 (2023 partner file) end not recorded: the day before the next PCN membership starts (or the close date)',
  pcnDates:
    'PCN dates not in the 2023 master list: earliest membership start, and latest membership end when no member is left',
  pcnSubIcbRelDates: 'PCN RE4 dates not in the sources: copied from the PCN dates',
  stubName: 'reference-only stub for a target without a record: the name is unknown, the code is used',
  stubRole: 'reference-only stub: primary role guessed from the code shape or a succession partner',
  stubDates: 'reference-only stub: dates inferred from the succession/relationship dates that mention it',
} as const;
