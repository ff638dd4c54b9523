// refOnly stub records for succession/relationship targets that have no record of their own (e.g. the April 2026 ICBs).
// ORD shows archived targets this way: Inactive, one inactive primary role, no Rels/Succs; the role here is guessed.

import { earlierOf, laterOf } from './dates.js';
import { type DraftOrg, period } from './draft.js';
import { REASON } from './reasons.js';
import type { TargetRoleHint } from './realRecords.js';

/** What the rest of the dataset says about a code that has no record: how it is referred to. */
export interface StubEvidence {
  code: string;
  /** Starts of relationships pointing at it and dates it became a successor. */
  startDates: string[];
  /** The day before it handed over to a successor. */
  endDates: string[];
  /** Relationship contexts: `${relType}:${sourcePrimaryRole}` (e.g. "RE4:RO177"). */
  relContexts: Set<string>;
  /** Primary roles of its succession partners that have records. */
  partnerRoles: string[];
}

export function newEvidence(code: string): StubEvidence {
  return { code, startDates: [], endDates: [], relContexts: new Set(), partnerRoles: [] };
}

/**
 * Primary role from the code's shape, for shapes that are unambiguous enough in ODS numbering. Returns undefined for
 * shapes that are not (e.g. the random-looking 2021+ codes like Z9B2Z), which then take a succession partner's role.
 */
function roleFromCodeShape(code: string, relContexts: ReadonlySet<string>): string | undefined {
  if (/^7A\d$/.test(code)) return 'RO144'; // Welsh local health boards 7A1–7A7
  if (/^6[A-Z0-9]{2}$/.test(code)) return 'RO142'; // pre-2009 Welsh local health boards
  if (/^Y\d\d$/.test(code)) return 'RO209';
  if (/^Q\d\d$/.test(code)) return Number(code.slice(1)) < 40 ? 'RO132' : 'RO210'; // SHAs (Q01–Q39), NHS England local offices after
  if (/^Q[A-Z][A-Z0-9]$/.test(code)) return 'RO261';
  if (/^\d\d[A-Z]$/.test(code)) return 'RO98'; // CCG / sub-ICB location
  if (/^\d[A-Z][A-Z0-9]$/.test(code)) return 'RO179'; // primary care trusts (5E1, 5QP …)
  if (/^\d{3}$/.test(code)) return 'RO141'; // numeric 3-digit codes are local-authority style
  if (/^[RT][A-Z0-9]{2}$/.test(code)) return 'RO197';
  if (/^N[A-Z0-9]{2}$/.test(code)) return 'RO172';
  if (/^X[A-Z0-9]{2}$/.test(code)) return 'RO116';
  if (/^[A-Z][A-Z0-9]{2}$/.test(code)) return 'RO111'; // pre-trust directly managed units (like FBL)
  if (/^U\d{5}$/.test(code)) return 'RO272';
  if (/^[A-Z]\d{5}$/.test(code)) return 'RO177';
  if (/^\d[A-Z0-9]{4}$/.test(code)) return relContexts.size > 0 ? 'RO171' : 'RO180'; // PCGs as 1999–2001 commissioners, else PCT sites
  if (/^[RT][A-Z0-9]{4}$/.test(code)) return 'RO198';
  if (/^N[A-Z0-9]{4}$/.test(code)) return 'RO176';
  if (/^[A-Z]\d[A-Z]\d[A-Z]$/.test(code)) return undefined; // new random-style codes: any kind of organisation
  if (/^[A-Z]{2}[A-Z0-9]{3}$/.test(code)) return 'RO114'; // DMU sites (BF100, CABAB …)
  return undefined;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/** Site-like roles give an RC2 (HSCSite) record. */
function recordClassForRole(roleId: string, roleNames: ReadonlyMap<string, string>): 'RC1' | 'RC2' {
  return (roleNames.get(roleId) ?? '').includes('SITE') ? 'RC2' : 'RC1';
}

export function buildStub(
  evidence: StubEvidence,
  hint: TargetRoleHint | undefined,
  roleNames: ReadonlyMap<string, string>,
): DraftOrg {
  const synthetic: DraftOrg['synthetic'] = [
    { path: 'Name', reason: REASON.stubName },
    { path: 'Date', reason: REASON.stubDates },
  ];
  let roleId = hint?.roleId;
  if (roleId === undefined) {
    roleId = roleFromCodeShape(evidence.code, evidence.relContexts) ?? mostCommon(evidence.partnerRoles) ?? 'RO157';
    synthetic.push({ path: 'Roles.Role[0].id', reason: REASON.stubRole });
  }
  let start = evidence.startDates.reduce<string | undefined>((min, d) => earlierOf(min, d), undefined);
  const end = evidence.endDates.reduce<string | undefined>((max, d) => laterOf(max, d), undefined);
  if (start !== undefined && end !== undefined && start > end) start = undefined;
  const dates = { operational: period(start, end) };
  const role = { id: roleId, primary: true, dates, ...(hint !== undefined ? { uniqueRoleId: hint.uniqueRoleId } : {}) };
  return {
    code: evidence.code,
    name: evidence.code,
    dates,
    recordClass: recordClassForRole(roleId, roleNames),
    refOnly: true,
    roles: [role],
    rels: [],
    succs: [],
    synthetic,
  };
}
