// The shape of a built ORD dataset: full ORD records plus the code systems, as the simulator serves them.
// Built deterministically from data/ by src/dataset/build.ts; invented values are listed in `synthetic`, never in records.

import type {
  OrdDeletedOrganisation,
  OrdOrganisation,
  OrdRecordClass,
  OrdRelType,
  OrdRoleType,
} from '../sources/ord/types.js';

export type DatasetTier = 'small' | 'full';

/** One invented value: which record, which JSON path within it, and why it had to be made up. */
export interface SyntheticEntry {
  odsCode: string;
  /** e.g. "Roles.Role[0].uniqueRoleId", "Name", "LastChangeDate", "Roles.Role[1]" (a whole inferred role). */
  path: string;
  reason: string;
}

export interface OrdDataset {
  tier: DatasetTier;
  /** The date the dataset describes, YYYY-MM-DD (2026-03-01). */
  asOf: string;
  /** Full records keyed by upper-case ODS code, in a deterministic insertion order (sorted by code). */
  organisations: Map<string, OrdOrganisation>;
  /** Code systems in ORD's recorded order. */
  roles: OrdRoleType[];
  rels: OrdRelType[];
  recordClasses: OrdRecordClass[];
  synthetic: SyntheticEntry[];
  /** Organisations withdrawn from publication, as /notifications lists them (the built tiers have none). */
  deletions?: OrdDeletedOrganisation[];
}

/** The full dataset plus which file each real record came from (code → path relative to data/). */
export interface BuiltDataset extends OrdDataset {
  realRecordFiles: Map<string, string>;
}
