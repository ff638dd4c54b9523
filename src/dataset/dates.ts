// Date helpers for the dataset build: ODS YYYYMMDD → ISO YYYY-MM-DD, day arithmetic and comparisons.
// Pure string/UTC arithmetic so the build never depends on the clock or the local time zone.

/** The date the dataset describes. */
export const AS_OF = '2026-03-01';

/** "20200401" → "2020-04-01"; "" → undefined. Throws on anything else, so a column mix-up cannot pass silently. */
export function isoFromOds(value: string): string | undefined {
  if (value === '') return undefined;
  if (!/^\d{8}$/.test(value)) throw new Error(`not an ODS date: ${JSON.stringify(value)}`);
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** The ISO date one day before `iso`. */
export function dayBefore(iso: string): string {
  const ms = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) - 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The later of two optional ISO dates (ISO strings compare correctly as strings). */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** The earlier of two optional ISO dates. */
export function earlierOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

/** Operational state as of `asOf`: started (or no start known) and not yet ended. A future end stays active. */
export function isActiveOn(start: string | undefined, end: string | undefined, asOf: string): boolean {
  return (start === undefined || start <= asOf) && (end === undefined || end >= asOf);
}
