// The real ORD /organisations/{code} responses kept in data/: they enter every tier unmodified and win over generated ones.
// Also harvests the real uniqueRoleIds they quote for their targets, so generated targets can carry the same ids.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OrdOrganisation, OrdOrganisationDocument } from '../sources/ord/types.js';
import { DATA_DIR, readDataText } from './sources.js';

const REAL_RECORD_FOLDERS = ['recorded', 'sources/nhs-uec-analytics-ord-json'] as const;

export interface RealRecord {
  code: string;
  /** Path relative to data/, e.g. "recorded/organisations_RWR.json". */
  file: string;
  organisation: OrdOrganisation;
}

/** Every real record file, in a fixed order (folder order above, then file name). */
function listRealRecordFiles(): string[] {
  const files: string[] = [];
  for (const folder of REAL_RECORD_FOLDERS) {
    const names = readdirSync(join(DATA_DIR, folder))
      .filter((n) => n.endsWith('.json') && (folder !== 'recorded' || n.startsWith('organisations_')))
      .sort();
    for (const name of names) files.push(`${folder}/${name}`);
  }
  return files;
}

/**
 * One real record per code. Where a code has files in both folders (RJY), the later LastChangeDate wins; on a tie the
 * later folder wins (nhs-uec-analytics, a 2026 fixture kept in ORD's own spacing, over the whitespace-stripped recorded
 * copy). The RJY copies are identical in content, so the choice only matters if the files ever diverge.
 */
export function readRealRecords(): Map<string, RealRecord> {
  const chosen = new Map<string, RealRecord>();
  for (const file of listRealRecordFiles()) {
    const document = JSON.parse(readDataText(file)) as OrdOrganisationDocument;
    const organisation = document.Organisation;
    const code = organisation.OrgId.extension.toUpperCase();
    const existing = chosen.get(code);
    if (existing === undefined || organisation.LastChangeDate >= existing.organisation.LastChangeDate) {
      chosen.set(code, { code, file, organisation });
    }
  }
  return chosen;
}

/** A target's primary role as a real record quotes it. */
export interface TargetRoleHint {
  roleId: string;
  uniqueRoleId: number;
}

/** Target code → primary role quoted by real records' Rels and Succs (first seen in file order wins). */
export function harvestTargetRoleHints(records: Iterable<RealRecord>): Map<string, TargetRoleHint> {
  const hints = new Map<string, TargetRoleHint>();
  for (const { organisation } of records) {
    const targets = [
      ...(organisation.Rels?.Rel ?? []).map((r) => r.Target),
      ...(organisation.Succs?.Succ ?? []).map((s) => s.Target),
    ];
    for (const target of targets) {
      const code = target.OrgId.extension.toUpperCase();
      if (!hints.has(code))
        hints.set(code, { roleId: target.PrimaryRoleId.id, uniqueRoleId: target.PrimaryRoleId.uniqueRoleId });
    }
  }
  return hints;
}
