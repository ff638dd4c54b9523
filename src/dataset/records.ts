// Turns finished DraftOrgs into ORD full records with exactly ORD's key order (docs/ord-api.md §2).
// Optional keys are omitted when empty, lists are always arrays, `primaryRole`/`refOnly` appear only when true.

import {
  ORD_ASSIGNING_AUTHORITY,
  ORD_ORG_ROOT,
  type OrdDate,
  type OrdOrganisation,
  type OrdOrgId,
  type OrdRel,
  type OrdRole,
  type OrdSucc,
  type OrdTarget,
} from '../sources/ord/types.js';
import { isActiveOn } from './dates.js';
import type { DraftDates, DraftOrg, DraftPeriod } from './draft.js';

function orgId(code: string): OrdOrgId {
  return { root: ORD_ORG_ROOT, assigningAuthorityName: ORD_ASSIGNING_AUTHORITY, extension: code };
}

function ordDate(type: OrdDate['Type'], p: DraftPeriod): OrdDate | undefined {
  if (p.start === undefined && p.end === undefined) return undefined;
  const d: OrdDate = { Type: type };
  if (p.start !== undefined) d.Start = p.start;
  if (p.end !== undefined) d.End = p.end;
  return d;
}

/** Operational first, then Legal; each only if it has a date. */
function toOrdDates(dates: DraftDates): OrdDate[] {
  const out: OrdDate[] = [];
  const operational = ordDate('Operational', dates.operational);
  if (operational !== undefined) out.push(operational);
  if (dates.legal !== undefined) {
    const legal = ordDate('Legal', dates.legal);
    if (legal !== undefined) out.push(legal);
  }
  return out;
}

function status(p: DraftPeriod, asOf: string): 'Active' | 'Inactive' {
  return isActiveOn(p.start, p.end, asOf) ? 'Active' : 'Inactive';
}

/** The latest date in the record that is on or before `asOf` (the as-of date itself when there is none). */
function lastChangeDate(record: OrdOrganisation, asOf: string): string {
  let latest: string | undefined;
  const consider = (dates: readonly OrdDate[]): void => {
    for (const d of dates) {
      for (const v of [d.Start, d.End])
        if (v !== undefined && v <= asOf && (latest === undefined || v > latest)) latest = v;
    }
  };
  consider(record.Date);
  for (const r of record.Roles.Role) consider(r.Date);
  for (const r of record.Rels?.Rel ?? []) consider(r.Date);
  for (const s of record.Succs?.Succ ?? []) consider(s.Date);
  return latest ?? asOf;
}

/** Resolves a target code to its primary role (id + uniqueRoleId) as the target's own record carries it. */
type TargetResolver = (code: string) => OrdTarget['PrimaryRoleId'];

function requireId(value: number | undefined, what: string): number {
  if (value === undefined) throw new Error(`unique id not allocated: ${what}`);
  return value;
}

export function toOrdOrganisation(draft: DraftOrg, resolveTarget: TargetResolver, asOf: string): OrdOrganisation {
  const dates = toOrdDates(draft.dates);
  if (dates.length === 0) throw new Error(`record ${draft.code} has no dates`);
  const record: OrdOrganisation = {
    Name: draft.name,
    Date: dates,
    OrgId: orgId(draft.code),
    Status: draft.refOnly ? 'Inactive' : status(draft.dates.operational, asOf),
    LastChangeDate: asOf, // replaced below once the whole record exists
    orgRecordClass: draft.recordClass,
  } as OrdOrganisation; // Roles is added below, after the optional sections that precede it in ORD's key order
  if (draft.refOnly) record.refOnly = true;
  if (draft.location !== undefined) record.GeoLoc = { Location: draft.location };
  if (draft.tel !== undefined) record.Contacts = { Contact: [{ type: 'tel', value: draft.tel }] };
  record.Roles = {
    Role: draft.roles.map((r): OrdRole => {
      const role: OrdRole = {
        id: r.id,
        uniqueRoleId: requireId(r.uniqueRoleId, `${draft.code} role ${r.id}`),
      } as OrdRole;
      if (r.primary) role.primaryRole = true;
      role.Date = toOrdDates(r.dates);
      role.Status = draft.refOnly ? 'Inactive' : status(r.dates.operational, asOf);
      return role;
    }),
  };
  if (draft.rels.length > 0) {
    record.Rels = {
      Rel: draft.rels.map((r): OrdRel => ({
        Date: toOrdDates(r.dates),
        Status: status(r.dates.operational, asOf),
        Target: { OrgId: orgId(r.target), PrimaryRoleId: resolveTarget(r.target) },
        id: r.id,
        uniqueRelId: requireId(r.uniqueRelId, `${draft.code} rel ${r.id} → ${r.target}`),
      })),
    };
  }
  if (draft.succs.length > 0) {
    record.Succs = {
      Succ: draft.succs.map((s): OrdSucc => ({
        uniqueSuccId: requireId(s.uniqueSuccId, `${draft.code} succ → ${s.target}`),
        Date: [{ Type: 'Legal', Start: s.date }],
        Type: s.type,
        Target: { OrgId: orgId(s.target), PrimaryRoleId: resolveTarget(s.target) },
      })),
    };
  }
  record.LastChangeDate = lastChangeDate(record, asOf);
  return record;
}
