// The ODS code as one type: a branded string in its one spelling (no surrounding blanks, upper case), and the two ways
// to get one: parsing a client's input (against the shape this API accepts) and normalising a source's own code.

declare const odsCodeBrand: unique symbol;

/** An ODS code spelt the way ORD looks it up (it upper-cases path codes): trimmed, upper case. */
export type OdsCode = string & { readonly [odsCodeBrand]: true };

/** What this API accepts from a client: 2–12 letters and digits (e.g. RWR, RVVKC, F83001), before upper-casing. */
const ACCEPTED_ODS_CODE = /^[A-Za-z0-9]{2,12}$/;

/** A code a source gave us (a record, a relationship target, a search row) in the one spelling. */
export function normaliseOdsCode(code: string): OdsCode {
  return code.trim().toUpperCase() as OdsCode;
}

/**
 * A client's value as an OdsCode, or undefined when it is not one. The shape is checked before upper-casing, so a
 * character that only upper-cases into letters (ß → SS) is refused.
 */
export function parseOdsCode(value: unknown): OdsCode | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim();
  return ACCEPTED_ODS_CODE.test(code) ? (code.toUpperCase() as OdsCode) : undefined;
}
