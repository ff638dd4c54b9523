// The estimator's assumptions about the data, one place: how many relationships, successions and members a record has
// when the estimate cannot look (it is not cached). What a call costs is the source's to say (src/sources/cost.ts).

/**
 * Counts come from the national dataset (59,836 records, asOf 2026-03-01): per organisation, relationships p99 8 /
 * max 10, active ones max 3, of one type p99 5 / max 7 (active: always 1); successions p99 1 / max 9. Estimates aim to
 * be an upper bound for real queries, not the worst case of every record: the per-operation budget enforced during
 * execution (UpstreamScope) catches the rare record that exceeds them.
 */
export const COST_ASSUMPTIONS = {
  /** `relationships` with `types` and `status: ACTIVE` or `activeOn`: relationships per listed type. */
  relationshipsPerTypeCurrent: 1,
  /** `relationships` with `types` otherwise (history included): per listed type. */
  relationshipsPerType: 5,
  /** `relationships` without `types` but with `status: ACTIVE` or `activeOn`. */
  relationshipsCurrent: 3,
  /** `relationships` with no filter (and the cap on every relationships estimate). */
  relationshipsAll: 10,
  /** `successions`, filtered by type or not: three generations of a merger history then cost 3 + 9 + 27 fetches. */
  successions: 3,
  /**
   * `inboundRelationships` with `status: ACTIVE`: most members a target has, by relationship type (and the members'
   * primary role when the query filters on it); capped by `first`. Twice as many when inactive members are included.
   * Types not listed here (RE4 practices per commissioner, RE6 sites per trust: hundreds) are estimated at `first`.
   */
  inboundActiveMembers: {
    'RE5/RO98': 10, // sub-ICB locations in an ICB
    'RE5/RO197': 20, // NHS trusts in an ICB
    RE5: 50, // anything "in the geography of" an ICB or region
    RE2: 10, // sub-ICB locations a commissioning hub serves
    'RE8/RO177': 35, // GP practices in a PCN
    RE8: 50, // PCN members of any kind
  } as Record<string, number>,
  /**
   * Walks (`descendants`): members one organisation has through one relationship type, by type. From the national
   * dataset (59,836 records, asOf 2026-03-01), the 99th percentile over the organisations that have any such member:
   * `current` counts ACTIVE relationships; `any` every status (what a walk with `activeOn` searches), never below
   * `current` (the many closed CCGs and PCTs with a few old members pull the all-status percentile down). Measured with
   * a count of inbound Rels per target and type over `loadDataset('full')`; maxima: RE4 556, RE6 1136, RE5 28, RE8 31.
   */
  walkMembersPerType: {
    RE2: { current: 8, any: 8 }, // sub-ICB reporting entities a sub-ICB location serves
    RE4: { current: 478, any: 478 }, // practices (and PCNs) a commissioner commissions
    RE5: { current: 28, any: 29 }, // sub-ICB locations and trusts in an ICB's geography, ICBs in a region's
    RE6: { current: 497, any: 497 }, // sites a trust operates, practices a sub-ICB location operates
    RE8: { current: 13, any: 17 }, // a PCN's partners
  } as Record<string, { current: number; any: number }>,
  /** Walks: members per organisation through a relationship type the table above does not list. */
  walkMembersOtherType: 100,
} as const;

type Args = Readonly<Record<string, unknown>>;

/** Relationships assumed for `relationships(types, status, activeOn)` on a record the estimate cannot see. */
export function assumedRelationships(args: Args): number {
  const a = COST_ASSUMPTIONS;
  const types = Array.isArray(args.types) ? args.types.length : 0;
  const current = args.status === 'ACTIVE' || (args.activeOn !== undefined && args.activeOn !== null);
  if (types === 0) return current ? a.relationshipsCurrent : a.relationshipsAll;
  return Math.min(types * (current ? a.relationshipsPerTypeCurrent : a.relationshipsPerType), a.relationshipsAll);
}

/** Members assumed for `inboundRelationships(types, status, primaryRole)`; undefined when the table has no figure. */
export function assumedInboundMembers(args: Args): number | undefined {
  const types = Array.isArray(args.types) ? args.types.map((t) => String(t).trim().toUpperCase()) : [];
  if (types.length === 0) return undefined;
  const role = typeof args.primaryRole === 'string' ? args.primaryRole.trim().toUpperCase() : undefined;
  const table = COST_ASSUMPTIONS.inboundActiveMembers;
  let total = 0;
  for (const type of types) {
    const known = (role ? table[`${type}/${role}`] : undefined) ?? table[type];
    if (known === undefined) return undefined;
    total += known;
  }
  return args.status === 'ACTIVE' ? total : 2 * total;
}

/** Members one organisation is assumed to have through relationship type `type` in a walk (see walkMembersPerType). */
export function assumedWalkMembers(type: string, anyStatus: boolean): number {
  const known = COST_ASSUMPTIONS.walkMembersPerType[type];
  if (!known) return COST_ASSUMPTIONS.walkMembersOtherType;
  return anyStatus ? known.any : known.current;
}

/** Parents one organisation is assumed to have in an `ancestors` walk over `types` (its relationships of those types). */
export function assumedWalkParents(types: number, current: boolean): number {
  const a = COST_ASSUMPTIONS;
  return Math.min(types * (current ? a.relationshipsPerTypeCurrent : a.relationshipsPerType), a.relationshipsAll);
}
