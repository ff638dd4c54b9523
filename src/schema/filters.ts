// The filter arguments of `roles`, `relationships` and `successions`, applied one way: by the resolvers and by the cost
// estimator (which counts a cached record's real relationships), so the estimate and the answer can never disagree.

import type { IsoDate, Relationship, Role, Status, Succession, SuccessionType } from '../domain/types.js';
import { isActiveOn } from '../domain/period.js';

export interface RelationshipFilter {
  /** Upper-cased relationship type ids; none or empty keeps every type. */
  types?: readonly string[] | null;
  status?: Status | null;
  activeOn?: IsoDate | null;
}

export function selectRelationships(
  relationships: readonly Relationship[],
  filter: RelationshipFilter,
): Relationship[] {
  const { types, status, activeOn } = filter;
  return relationships.filter(
    (r) =>
      (!types || types.length === 0 || types.includes(r.relationshipTypeId.toUpperCase())) &&
      (!status || r.status === status) &&
      (!activeOn || isActiveOn(r, activeOn)),
  );
}

export function selectRoles(
  roles: readonly Role[],
  filter: { status?: Status | null; activeOn?: IsoDate | null },
): Role[] {
  return roles.filter(
    (r) => (!filter.status || r.status === filter.status) && (!filter.activeOn || isActiveOn(r, filter.activeOn)),
  );
}

export function selectSuccessions(successions: readonly Succession[], type?: SuccessionType | null): Succession[] {
  return type ? successions.filter((s) => s.type === type) : [...successions];
}
