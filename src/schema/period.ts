// The Period type (start and end dates of an operational or legal period) and the "as at a date" rule built on it.
// `activeOn` filters on roles and relationships use `isActiveOn` so every field applies the same rule.

import type { IsoDate, Period } from '../domain/types.js';
import { builder } from './builder.js';
import { DateScalar } from './scalars.js';

export const PeriodRef = builder.objectRef<Period>('Period').implement({
  description: 'A span of dates. A null start means ORD records no start; a null end means it is still open.',
  fields: (t) => ({
    start: t.field({
      type: DateScalar,
      nullable: true,
      description: 'First day in effect (inclusive).',
      resolve: (p) => p.start,
    }),
    end: t.field({
      type: DateScalar,
      nullable: true,
      description: 'Last day in effect (inclusive); null while open.',
      resolve: (p) => p.end,
    }),
  }),
});

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
