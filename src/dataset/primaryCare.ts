// Generators for primary care: PCNs (RO272, RE4 → sub-ICB location) and all prescribing cost centres (RO177 + setting
// roles; RE4 → commissioner with history, RE6 → operator, RE8 → PCN with history), from epraccur, the PCN files and epcmem.

import { dayBefore, earlierOf, laterOf } from './dates.js';
import { type DraftOrg, type DraftRel, locationFrom, period } from './draft.js';
import { REASON } from './reasons.js';
import type { CommissionerHistoryRow, PcnMembershipRow, Sources } from './sources.js';
import { AS_OF } from './dates.js';

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [row]);
    else list.push(row);
  }
  return groups;
}

/** PCNs from the 2026 membership file ∪ the 2023 master list ∪ the 2023 membership file. */
export function buildPcns(sources: Sources): DraftOrg[] {
  const master = new Map(sources.pcns2023.map((p) => [p.code, p] as const));
  const members2026 = groupBy(sources.memberships2026, (m) => m.pcn);
  const members2023 = groupBy(sources.memberships2023, (m) => m.pcn);
  const codes = [...new Set([...members2026.keys(), ...master.keys(), ...members2023.keys()])].sort();
  return codes.map((code) => {
    const row = master.get(code);
    const now = members2026.get(code) ?? [];
    const before = members2023.get(code) ?? [];
    const all = [...now, ...before];
    const synthetic: DraftOrg['synthetic'] = [];
    const name = now[0]?.pcnName ?? row?.name ?? before[0]?.pcnName ?? code;

    let start = row?.open;
    let end = row?.close;
    if (start === undefined) {
      start = all.reduce<string | undefined>((min, m) => earlierOf(min, m.start), undefined);
      synthetic.push({ path: 'Date', reason: REASON.pcnDates });
    }
    const hasCurrentMember = now.some((m) => m.end === undefined || m.end >= AS_OF);
    if (end === undefined && !hasCurrentMember && all.length > 0 && all.every((m) => m.end !== undefined)) {
      end = all.reduce<string | undefined>((max, m) => laterOf(max, m.end), undefined);
      if (!synthetic.some((s) => s.path === 'Date')) synthetic.push({ path: 'Date', reason: REASON.pcnDates });
    }

    // The sub-ICB location of the newest membership row is the PCN's current parent; the 2023 list is the fallback.
    const newest = [...now].sort((a, b) =>
      (b.start ?? '') < (a.start ?? '') ? -1 : (b.start ?? '') > (a.start ?? '') ? 1 : 0,
    )[0];
    const subIcb = newest?.pcnSubIcb ?? row?.subIcb ?? '';
    const rels: DraftRel[] = [];
    if (subIcb !== '') {
      rels.push({ id: 'RE4', target: subIcb, dates: { operational: period(start, end) } });
      synthetic.push({ path: 'Rels.Rel[0].Date', reason: REASON.pcnSubIcbRelDates });
    }
    const draft: DraftOrg = {
      code,
      name,
      dates: { operational: period(start, end) },
      recordClass: 'RC1',
      refOnly: false,
      roles: [{ id: 'RO272', primary: true, dates: { operational: period(start, end) } }],
      rels,
      succs: [],
      synthetic,
    };
    if (row !== undefined) {
      const location = locationFrom(row.lines, row.postCode, 'ENGLAND');
      if (location !== undefined) draft.location = location;
    }
    return draft;
  });
}

/** The day before the earliest of `starts` that is after `after`, if any. */
function dayBeforeNextStart(starts: readonly (string | undefined)[], after: string | undefined): string | undefined {
  let next: string | undefined;
  for (const s of starts) if (s !== undefined && (after === undefined || s > after)) next = earlierOf(next, s);
  return next === undefined ? undefined : dayBefore(next);
}

/** All 15,407 prescribing cost centres of epraccur. */
export function buildPrescribingCostCentres(sources: Sources): DraftOrg[] {
  const members2026 = groupBy(sources.memberships2026, (m) => m.practice);
  const members2023 = groupBy(sources.memberships2023, (m) => m.practice);
  const history = groupBy(sources.commissionerHistory, (h) => h.practice);

  return sources.pccs.map((p) => {
    const synthetic: DraftOrg['synthetic'] = [];
    const orgDates = { operational: period(p.open, p.close) };
    const draft: DraftOrg = {
      code: p.code,
      name: p.name,
      dates: orgDates,
      recordClass: 'RC1',
      refOnly: false,
      roles: [{ id: 'RO177', primary: true, dates: orgDates }],
      rels: [],
      succs: [],
      synthetic,
    };
    for (const roleId of p.settingRoles) draft.roles.push({ id: roleId, primary: false, dates: orgDates });
    if (p.settingRoles.length > 0) synthetic.push({ path: 'Roles.Role[*].Date', reason: REASON.nonPrimaryRoleDates });

    const welsh = p.code.startsWith('W') || p.commissioner.startsWith('7A');
    const location = locationFrom(p.address.lines, p.address.postCode, welsh ? 'WALES' : 'ENGLAND');
    if (location !== undefined) draft.location = location;
    if (p.tel !== '') draft.tel = p.tel;

    const rel = (
      id: string,
      target: string,
      start: string | undefined,
      end: string | undefined,
      reason?: string,
    ): void => {
      if (reason !== undefined) synthetic.push({ path: `Rels.Rel[${draft.rels.length}].Date`, reason });
      draft.rels.push({ id, target, dates: { operational: period(start, end) } });
    };

    // RE4 → current commissioner (cols 15–17).
    let commissionerStart = p.commissionerJoin;
    if (p.commissioner !== '') {
      const missingStart = commissionerStart === undefined;
      if (missingStart) commissionerStart = p.open;
      rel(
        'RE4',
        p.commissioner,
        commissionerStart,
        p.commissionerLeft,
        missingStart ? REASON.pccCommissionerStart : undefined,
      );
    }
    // RE6 → operating organisation (col 24).
    if (p.operator !== '') {
      const sameAsCommissioner = p.operator === p.commissioner;
      rel(
        'RE6',
        p.operator,
        sameAsCommissioner ? commissionerStart : p.open,
        sameAsCommissioner ? p.commissionerLeft : p.close,
        REASON.pccOperatorRelDates,
      );
    }
    // RE8 → PCN memberships from the 2026 partner file (active and ended ones, with their own dates).
    const current = members2026.get(p.code) ?? [];
    for (const m of current) rel('RE8', m.pcn, m.start, m.end);

    // Historic RE4s from epcmem 2019 that differ from the current commissioner relationship.
    const past: CommissionerHistoryRow[] = (history.get(p.code) ?? []).filter(
      (h) => !(h.parent === p.commissioner && h.join === commissionerStart),
    );
    const commissionerStarts = [commissionerStart, ...past.map((h) => h.join)];
    for (const h of past) {
      let end = h.left;
      let reason: string | undefined;
      if (end === undefined) {
        end = dayBeforeNextStart(commissionerStarts, h.join) ?? p.close;
        reason = REASON.historicCommissionerEnd;
      }
      if (end === undefined) continue; // still open in 2019, superseded at an unknown date: nothing reliable to add
      rel('RE4', h.parent, h.join, end, reason);
    }

    // Historic RE8s from the 2023 partner file that the 2026 file no longer has.
    const seen = new Set(current.map((m) => `${m.pcn}|${m.start ?? ''}`));
    const older: PcnMembershipRow[] = (members2023.get(p.code) ?? []).filter(
      (m) => !seen.has(`${m.pcn}|${m.start ?? ''}`),
    );
    const membershipStarts = [...current, ...older].map((m) => m.start);
    for (const m of older) {
      let end = m.end;
      let reason: string | undefined;
      if (end === undefined) {
        end = dayBeforeNextStart(membershipStarts, m.start) ?? p.close;
        reason = REASON.historicPcnEnd;
      }
      if (end === undefined) continue;
      rel('RE8', m.pcn, m.start, end, reason);
    }
    return draft;
  });
}
