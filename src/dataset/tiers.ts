// Dataset tiers: `full` is everything; `small` is one ICB (QMJ, North Central London) with everything under it.
// The small tier is a projection of the full build, closed under Rels/Succs, so ids and records are identical in both.

import type { OrdOrganisation } from '../sources/ord/types.js';
import type { BuiltDataset } from './types.js';

export const SMALL_TIER_ICB = 'QMJ';

function targetsOf(record: OrdOrganisation): string[] {
  return [
    ...(record.Rels?.Rel ?? []).map((r) => r.Target.OrgId.extension),
    ...(record.Succs?.Succ ?? []).map((s) => s.Target.OrgId.extension),
  ];
}

/**
 * 1. Downwards from the ICB: every record with a relationship to it, then every record with a relationship to those,
 *    and so on (sub-ICB locations, reporting entities and trusts → PCNs, practices/PCCs and trust sites → …).
 * 2. Plus every real record.
 * 3. Upwards/sideways: the transitive closure over Rel and Succ targets, as full records (stubs stay stubs).
 */
function selectSmallTierCodes(full: BuiltDataset, icbCode: string): Set<string> {
  const incoming = new Map<string, string[]>();
  for (const [code, record] of full.organisations) {
    for (const rel of record.Rels?.Rel ?? []) {
      const target = rel.Target.OrgId.extension;
      const list = incoming.get(target);
      if (list === undefined) incoming.set(target, [code]);
      else list.push(code);
    }
  }
  const selected = new Set<string>([icbCode]);
  const down = [icbCode];
  while (down.length > 0) {
    const code = down.pop() as string;
    for (const source of incoming.get(code) ?? []) {
      if (!selected.has(source)) {
        selected.add(source);
        down.push(source);
      }
    }
  }
  for (const code of full.realRecordFiles.keys()) selected.add(code);
  const up = [...selected];
  while (up.length > 0) {
    const record = full.organisations.get(up.pop() as string);
    if (record === undefined) continue;
    for (const target of targetsOf(record)) {
      if (!selected.has(target)) {
        selected.add(target);
        up.push(target);
      }
    }
  }
  return selected;
}

export function projectSmallTier(full: BuiltDataset, icbCode: string): BuiltDataset {
  const selected = selectSmallTierCodes(full, icbCode);
  const organisations = new Map<string, OrdOrganisation>();
  for (const [code, record] of full.organisations) if (selected.has(code)) organisations.set(code, record);
  return {
    tier: 'small',
    asOf: full.asOf,
    organisations,
    roles: full.roles,
    rels: full.rels,
    recordClasses: full.recordClasses,
    synthetic: full.synthetic.filter((s) => selected.has(s.odsCode)),
    realRecordFiles: new Map([...full.realRecordFiles].filter(([code]) => selected.has(code))),
  };
}
