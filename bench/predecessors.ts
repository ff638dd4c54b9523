// The records a MergerHistory answer needs, counted from the dataset: one organisation and its predecessors.
// Shared by the analyst suite (its "needed" figure) and the pacing suite (its single-flight goal).

import type { OrdDataset } from '../src/dataset/types.js';

/** The organisation and its predecessors, `generations` deep: the records MergerHistory needs. */
export function predecessorTree(d: OrdDataset, code: string, generations: number): Set<string> {
  const tree = new Set<string>();
  const walk = (at: string, depth: number) => {
    tree.add(at);
    if (depth === generations) return;
    for (const s of d.organisations.get(at)?.Succs?.Succ ?? [])
      if (s.Type === 'Predecessor') walk(s.Target.OrgId.extension, depth + 1);
  };
  walk(code, 0);
  return tree;
}
