// The Date scalar (a real calendar date, YYYY-MM-DD) and the Status enum shared by organisations, roles and relationships.
// Malformed dates are BAD_USER_INPUT errors; the server names the offending argument (src/server/plugins/argumentNames.ts).

import { Kind } from 'graphql';
import { builder } from './builder.js';
import { InputCoercionError, quoteInput } from './errors.js';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is YYYY-MM-DD and names a day that exists (2021-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  // Date.UTC maps years 0–99 to 1900–1999, so set the full year explicitly (0000-02-29 is a leap day in ISO 8601).
  const lastDay = new Date(Date.UTC(2000, 0, 1));
  lastDay.setUTCFullYear(year, month, 0);
  const daysInMonth = lastDay.getUTCDate();
  return day <= daysInMonth;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new InputCoercionError(
      `Date must be a real calendar date written YYYY-MM-DD; got ${typeof value === 'string' ? quoteInput(value) : typeof value}.`,
    );
  }
  return value;
}

export const DateScalar = builder.scalarType('Date', {
  description:
    'A calendar date, written YYYY-MM-DD (ISO 8601), with no time or zone. Only real dates are accepted: 2021-02-30 is rejected.',
  serialize: (value) => value,
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new InputCoercionError(`Date must be a string written YYYY-MM-DD; got a ${ast.kind.toLowerCase()}.`);
    }
    return parseDate(ast.value);
  },
});

export const StatusEnum = builder.enumType('Status', {
  description: 'Whether something is in effect now, as ORD records it (operational status for organisations).',
  values: {
    ACTIVE: { value: 'ACTIVE' as const, description: 'In effect (ORD "Active").' },
    INACTIVE: { value: 'INACTIVE' as const, description: 'Ended or not yet started (ORD "Inactive").' },
  },
});
