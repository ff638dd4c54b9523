// How ORD matches a `PostCode` search value: the prefix it compares a postcode's start against. One home for the rule,
// used by the ORD simulator (which answers as ORD does) and the mirror (which must answer alike).

/** A bare outward code ("LS1"): ORD matches only that district, so "LS1" does not find LS10. */
const OUTWARD_CODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/i;
/** A full postcode written without its space ("LS16AB"): ORD's docs say it matches with or without the space. */
const FULL_POSTCODE_NO_SPACE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/i;

/** The upper-case prefix an ORD `PostCode` search value selects: a postcode matches when it starts with it. */
export function ordPostcodePrefix(value: string): string {
  const prefix = value.toUpperCase();
  if (OUTWARD_CODE.test(prefix)) return `${prefix} `;
  const full = FULL_POSTCODE_NO_SPACE.exec(prefix);
  return full ? `${full[1]} ${full[2]}` : prefix;
}

/** A postcode as a typeahead key: upper case, no spaces ("ls1 6ab" → "LS16AB"). */
export function postcodeKey(value: string): string {
  return value.toUpperCase().replace(/\s+/g, '');
}
