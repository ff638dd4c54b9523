// The "as at a date" rule: whether something with an operational and a legal period was in effect on a date.
// One home for it: the schema's `activeOn` filters, the loaders' walks and the mirror's SQL all apply this rule.

import type { IsoDate, Period } from './types.js';

/**
 * True when the period that governs something (its operational period, else its legal one) contains `date`:
 * start is null or ≤ date, and end is null or ≥ date. Something with neither period is never "active on" a date.
 */
export function isActiveOn(
  item: { operationalPeriod: Period | null; legalPeriod: Period | null },
  date: IsoDate,
): boolean {
  const period = item.operationalPeriod ?? item.legalPeriod;
  if (!period) return false;
  return (period.start === null || period.start <= date) && (period.end === null || period.end >= date);
}
