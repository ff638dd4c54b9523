// ORD's postcode search rule, in one home: what prefix a `PostCode` filter matches, for the simulator and the mirror.
// An outward code ("LS1") matches only that district (prefix "LS1 ", not LS10); a full postcode matches with or without its space.

const OUTWARD_CODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/i;
const FULL_POSTCODE_NO_SPACE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/i;

/** The upper-case prefix an organisation's upper-case postcode must start with to match ORD's `PostCode` filter. */
export function postcodeSearchPrefix(postcode: string): string {
  const upper = postcode.toUpperCase();
  if (OUTWARD_CODE.test(upper)) return `${upper} `;
  const full = FULL_POSTCODE_NO_SPACE.exec(upper);
  return full ? `${full[1]} ${full[2]}` : upper;
}

/** A postcode (or the start of one) as the mirror's prefix search compares it: upper case, no spaces. */
export function postcodeKey(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}
