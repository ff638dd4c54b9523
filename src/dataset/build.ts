// Builds the deterministic national ORD dataset (as of 2026-03-01) from data/, and memoises one instance per tier.
// Order of work: generate drafts → add successions → let real records win → stub missing targets → allocate ids → emit.

import type { OrdOrganisation, OrdTarget } from '../sources/ord/types.js';
import { readCodeSystems } from './codeSystems.js';
import { AS_OF, dayBefore } from './dates.js';
import type { DraftOrg } from './draft.js';
import { UniqueIdAllocator } from './ids.js';
import {
  buildCommissioners,
  buildIcbs,
  buildRegions,
  buildTrustSites,
  buildTrusts,
  indexSuccessionDates,
} from './organisations.js';
import { buildPcns, buildPrescribingCostCentres } from './primaryCare.js';
import { type RealRecord, harvestTargetRoleHints, readRealRecords } from './realRecords.js';
import { REASON } from './reasons.js';
import { toOrdOrganisation } from './records.js';
import { readSources } from './sources.js';
import { type StubEvidence, buildStub, newEvidence } from './stubs.js';
import { SMALL_TIER_ICB, projectSmallTier } from './tiers.js';
import type { BuiltDataset, DatasetTier, SyntheticEntry } from './types.js';

export { AS_OF } from './dates.js';

function primaryRoleOf(record: OrdOrganisation): OrdTarget['PrimaryRoleId'] {
  const role = record.Roles.Role.find((r) => r.primaryRole === true) ?? record.Roles.Role[0];
  if (role === undefined) throw new Error(`record ${record.OrgId.extension} has no roles`);
  return { id: role.id, uniqueRoleId: role.uniqueRoleId };
}

function generateDrafts(): { drafts: Map<string, DraftOrg>; sources: ReturnType<typeof readSources> } {
  const sources = readSources();
  const succession = indexSuccessionDates(sources);
  const drafts = new Map<string, DraftOrg>();
  const add = (list: readonly DraftOrg[]): void => {
    for (const d of list) {
      if (drafts.has(d.code)) throw new Error(`two generated records for ${d.code}`);
      drafts.set(d.code, d);
    }
  };
  add(buildRegions(sources, succession));
  const icbs = buildIcbs(sources, succession);
  add(icbs);
  const icbCodes = new Set(icbs.map((i) => i.code));
  add(buildCommissioners(sources, icbCodes));
  const trusts = buildTrusts(sources, icbCodes);
  add(trusts);
  add(buildTrustSites(sources, new Map(trusts.map((t) => [t.code, t] as const)), succession));
  add(buildPcns(sources));
  add(buildPrescribingCostCentres(sources));

  // The whole succession history, on both sides: Successor on the old record, Predecessor on the new one.
  for (const s of sources.successions) {
    drafts.get(s.predecessor)?.succs.push({ type: 'Successor', target: s.successor, date: s.date });
    drafts.get(s.successor)?.succs.push({ type: 'Predecessor', target: s.predecessor, date: s.date });
  }
  return { drafts, sources };
}

/** Collects, for every referenced code without a record, the evidence a stub is built from. */
function collectStubEvidence(
  drafts: ReadonlyMap<string, DraftOrg>,
  real: ReadonlyMap<string, RealRecord>,
): Map<string, StubEvidence> {
  const evidence = new Map<string, StubEvidence>();
  const forMissing = (code: string): StubEvidence | undefined => {
    if (drafts.has(code) || real.has(code)) return undefined;
    let e = evidence.get(code);
    if (e === undefined) evidence.set(code, (e = newEvidence(code)));
    return e;
  };
  for (const draft of drafts.values()) {
    const sourceRole = draft.roles.find((r) => r.primary)?.id ?? '';
    for (const rel of draft.rels) {
      const e = forMissing(rel.target);
      if (e === undefined) continue;
      if (rel.dates.operational.start !== undefined) e.startDates.push(rel.dates.operational.start);
      e.relContexts.add(`${rel.id}:${sourceRole}`);
    }
    for (const succ of draft.succs) {
      const e = forMissing(succ.target);
      if (e === undefined) continue;
      if (succ.type === 'Successor') e.startDates.push(succ.date);
      else e.endDates.push(dayBefore(succ.date));
      e.partnerRoles.push(sourceRole);
    }
  }
  for (const { organisation } of real.values()) {
    const sourceRole = primaryRoleOf(organisation).id;
    for (const rel of organisation.Rels?.Rel ?? []) {
      const e = forMissing(rel.Target.OrgId.extension);
      if (e === undefined) continue;
      const start = rel.Date.find((d) => d.Type === 'Operational')?.Start;
      if (start !== undefined) e.startDates.push(start);
      e.relContexts.add(`${rel.id}:${sourceRole}`);
    }
    for (const succ of organisation.Succs?.Succ ?? []) {
      const e = forMissing(succ.Target.OrgId.extension);
      const date = succ.Date[0]?.Start;
      if (e === undefined || date === undefined) continue;
      if (succ.Type === 'Successor') e.startDates.push(date);
      else e.endDates.push(dayBefore(date));
      e.partnerRoles.push(sourceRole);
    }
  }
  return evidence;
}

/** Real ids are reserved first; generated ids are then allocated record by record in code order (deterministic). */
function allocateIds(
  drafts: ReadonlyMap<string, DraftOrg>,
  real: ReadonlyMap<string, RealRecord>,
  codes: readonly string[],
): void {
  const roleIds = new UniqueIdAllocator();
  const relIds = new UniqueIdAllocator();
  const succIds = new UniqueIdAllocator();
  for (const { organisation } of real.values()) {
    for (const r of organisation.Roles.Role) roleIds.reserve(r.uniqueRoleId);
    for (const r of organisation.Rels?.Rel ?? []) {
      relIds.reserve(r.uniqueRelId);
      roleIds.reserve(r.Target.PrimaryRoleId.uniqueRoleId);
    }
    for (const s of organisation.Succs?.Succ ?? []) {
      succIds.reserve(s.uniqueSuccId);
      roleIds.reserve(s.Target.PrimaryRoleId.uniqueRoleId);
    }
  }
  const hints = harvestTargetRoleHints(real.values());
  for (const code of codes) {
    const draft = drafts.get(code);
    if (draft === undefined) continue;
    for (const role of draft.roles) {
      if (role.uniqueRoleId !== undefined) continue;
      const hint = hints.get(code);
      // A real record quotes this code's primary role id: reuse it so both sides of the join agree.
      if (role.primary && hint !== undefined && hint.roleId === role.id) role.uniqueRoleId = hint.uniqueRoleId;
      else role.uniqueRoleId = roleIds.allocate(`${code}|role|${role.id}|${role.dates.operational.start ?? ''}`);
    }
  }
  for (const code of codes) {
    const draft = drafts.get(code);
    if (draft === undefined) continue;
    for (const rel of draft.rels)
      rel.uniqueRelId = relIds.allocate(`${code}|rel|${rel.id}|${rel.target}|${rel.dates.operational.start ?? ''}`);
    for (const succ of draft.succs)
      succ.uniqueSuccId = succIds.allocate(`${code}|succ|${succ.type}|${succ.target}|${succ.date}`);
  }
}

/** Throws unless every Rel/Succ target resolves in `organisations` and every role id is in the role code system. */
function assertClosed(
  organisations: ReadonlyMap<string, OrdOrganisation>,
  roleIds: ReadonlySet<string>,
  label: string,
): void {
  for (const [code, record] of organisations) {
    for (const role of record.Roles.Role) {
      if (!roleIds.has(role.id))
        throw new Error(`${label}: ${code} uses role ${role.id}, which is not in the roles code system`);
    }
    const targets = [
      ...(record.Rels?.Rel ?? []).map((r) => r.Target),
      ...(record.Succs?.Succ ?? []).map((s) => s.Target),
    ];
    for (const t of targets) {
      if (!organisations.has(t.OrgId.extension))
        throw new Error(`${label}: ${code} points at ${t.OrgId.extension}, which has no record`);
      if (!roleIds.has(t.PrimaryRoleId.id))
        throw new Error(`${label}: ${code} quotes unknown role ${t.PrimaryRoleId.id}`);
    }
  }
}

function buildFull(): BuiltDataset {
  const codeSystems = readCodeSystems();
  const roleNames = new Map(codeSystems.roles.map((r) => [r.id, r.displayName] as const));
  const real = readRealRecords();
  const { drafts } = generateDrafts();

  // Real records win: drop the generated record with the same code (its generated Succs to others go with it).
  for (const code of real.keys()) drafts.delete(code);

  const hints = harvestTargetRoleHints(real.values());
  const evidence = collectStubEvidence(drafts, real);
  for (const code of [...evidence.keys()].sort()) {
    const e = evidence.get(code);
    if (e !== undefined) drafts.set(code, buildStub(e, hints.get(code), roleNames));
  }

  const codes = [...new Set([...drafts.keys(), ...real.keys()])].sort();
  allocateIds(drafts, real, codes);

  const resolveTarget = (code: string): OrdTarget['PrimaryRoleId'] => {
    const r = real.get(code);
    if (r !== undefined) return primaryRoleOf(r.organisation);
    const d = drafts.get(code);
    const role = d?.roles.find((x) => x.primary);
    if (role?.uniqueRoleId === undefined) throw new Error(`target ${code} has no record`);
    return { id: role.id, uniqueRoleId: role.uniqueRoleId };
  };

  const organisations = new Map<string, OrdOrganisation>();
  const synthetic: SyntheticEntry[] = [];
  const realRecordFiles = new Map<string, string>();
  for (const code of codes) {
    const r = real.get(code);
    if (r !== undefined) {
      organisations.set(code, r.organisation);
      realRecordFiles.set(code, r.file);
      continue;
    }
    const draft = drafts.get(code);
    if (draft === undefined) continue;
    organisations.set(code, toOrdOrganisation(draft, resolveTarget, AS_OF));
    for (const s of draft.synthetic) synthetic.push({ odsCode: code, path: s.path, reason: s.reason });
    // Made-up ids are summarised per record and id kind (one entry, `[*]` path) to keep the side table small.
    if (draft.roles.length > 0)
      synthetic.push({ odsCode: code, path: 'Roles.Role[*].uniqueRoleId', reason: REASON.uniqueIds });
    if (draft.rels.length > 0)
      synthetic.push({ odsCode: code, path: 'Rels.Rel[*].uniqueRelId', reason: REASON.uniqueIds });
    if (draft.succs.length > 0)
      synthetic.push({ odsCode: code, path: 'Succs.Succ[*].uniqueSuccId', reason: REASON.uniqueIds });
    synthetic.push({ odsCode: code, path: 'LastChangeDate', reason: REASON.lastChangeDate });
  }

  assertClosed(organisations, new Set(codeSystems.roles.map((r) => r.id)), 'full');
  return { tier: 'full', asOf: AS_OF, organisations, ...codeSystems, synthetic, realRecordFiles };
}

/** Builds a tier from scratch (no memo). `small` is projected from a fresh full build, so both share every id. */
export function buildDataset(tier: DatasetTier): BuiltDataset {
  const full = buildFull();
  if (tier === 'full') return full;
  const small = projectSmallTier(full, SMALL_TIER_ICB);
  assertClosed(small.organisations, new Set(small.roles.map((r) => r.id)), 'small');
  return small;
}

const memo = new Map<DatasetTier, BuiltDataset>();

/** The memoised dataset for a tier: built once per process; `small` reuses the memoised full build's records. */
export function loadDataset(tier: DatasetTier): BuiltDataset {
  const cached = memo.get(tier);
  if (cached !== undefined) return cached;
  let built: BuiltDataset;
  if (tier === 'full') {
    built = buildFull();
  } else {
    built = projectSmallTier(loadDataset('full'), SMALL_TIER_ICB);
    assertClosed(built.organisations, new Set(built.roles.map((r) => r.id)), 'small');
  }
  memo.set(tier, built);
  return built;
}
