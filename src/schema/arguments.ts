// Argument checks shared by the schema modules, applied once at the edge: each returns the value in the form the
// loaders and the source take, or throws BAD_USER_INPUT naming the argument.

import { parseOdsCode, type OdsCode } from '../domain/odsCode.js';
import { badUserInput, quoteInput } from './errors.js';

/** An ODS code is 2–12 letters and digits (e.g. RWR, RVVKC, F83001); returned as an OdsCode (upper case). */
export function checkOdsCode(value: string, argumentName: string): OdsCode {
  const code = parseOdsCode(value);
  if (code === undefined) {
    throw badUserInput(
      `${argumentName} must be an ODS code of 2 to 12 letters and digits; got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return code;
}

const CODE_SYSTEM_ID: Record<'RO' | 'RE' | 'RC', { pattern: RegExp; example: string; what: string }> = {
  RO: { pattern: /^RO\d{1,4}$/i, example: 'RO197', what: 'role type id' },
  RE: { pattern: /^RE\d{1,4}$/i, example: 'RE6', what: 'relationship type id' },
  RC: { pattern: /^RC\d{1,2}$/i, example: 'RC1', what: 'record class id' },
};

/** An ORD code-system id of the given family (RO…, RE…, RC…); returned upper-cased. */
export function checkCodeSystemId(value: string, family: 'RO' | 'RE' | 'RC', argumentName: string): string {
  const rule = CODE_SYSTEM_ID[family];
  const id = value.trim();
  if (!rule.pattern.test(id)) {
    throw badUserInput(
      `${argumentName} must be an ORD ${rule.what} like ${rule.example}; got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return id.toUpperCase();
}

/** ORD's own rule for `Name` (docs/ord-api.md §1.2): 3–100 characters from this set; `_` matches any one character. */
const NAME_CHARS = /^[a-zA-Z0-9_@&.()'" /:,+;-]*$/;

/** A name filter ORD would accept; checked here so the client hears about it before anything is sent. */
export function checkNameFilter(value: string, argumentName: string, label = argumentName): string {
  const length = [...value].length;
  if (length < 3 || length > 100) {
    throw badUserInput(`${label} must be 3 to 100 characters (ORD's rule); got ${length}.`, argumentName);
  }
  if (!NAME_CHARS.test(value)) {
    throw badUserInput(
      `${label} may hold only letters, digits, spaces and _ @ & . ( ) ' " / : , + ; - (ORD's rule); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return value;
}

/**
 * A UK postcode or a prefix of one (area "LS", district "LS1", sector "LS1 4", full "LS1 4HY" with or without the
 * space), at most 8 characters: the shapes ORD's PostCode filter matches.
 */
const POSTCODE_PREFIX = /^[A-Z]{1,2}(?:[0-9][A-Z0-9]?(?: ?[0-9](?:[A-Z]{1,2})?)?)? ?$/i;

export function checkPostcodeFilter(value: string, argumentName: string, label = argumentName): string {
  const length = [...value].length;
  if (length < 2 || length > 8 || !POSTCODE_PREFIX.test(value)) {
    throw badUserInput(
      `${label} must be a UK postcode or the start of one (2 to 8 characters, e.g. "LS1" or "LS1 4HY"); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return value;
}

/** Full-text words: letters and digits, with the punctuation names carry (`'&.,()/+-`) and spaces between words. */
const TEXT_CHARS = /^[\p{L}\p{N}'&.,()/+\- ]*$/u;

/** A `text` filter (ranked full-text search over names): 2–100 characters of words; returned trimmed. */
export function checkTextFilter(value: string, argumentName: string, label = argumentName): string {
  const text = value.trim();
  const length = [...text].length;
  if (length < 2 || length > 100) {
    throw badUserInput(`${label} must be 2 to 100 characters; got ${length}.`, argumentName);
  }
  if (!TEXT_CHARS.test(text) || !/[\p{L}\p{N}]/u.test(text)) {
    throw badUserInput(
      `${label} must be words of letters and digits (with ' & . , ( ) / + - inside names); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return text;
}

/** A `postcodeStartsWith` filter (typeahead): 1–8 letters, digits and spaces; returned upper-cased and trimmed. */
export function checkPostcodeStartsWith(value: string, argumentName: string, label = argumentName): string {
  const prefix = value.trim().toUpperCase();
  if (!/^[A-Z0-9 ]{1,8}$/.test(prefix)) {
    throw badUserInput(
      `${label} must be 1 to 8 letters, digits and spaces (the start of a postcode, e.g. "LS1" or "N1 9"); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return prefix;
}

/** Levels a walk (`descendants`, `ancestors`) may go: six reach from a region past its practices. */
export const MAX_WALK_DEPTH = 6;
/** Most relationship types one walk follows. */
export const MAX_WALK_TYPES = 10;

/** A walk's `depth`: a whole number from 1 to MAX_WALK_DEPTH. */
export function checkWalkDepth(value: number, argumentName = 'depth'): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WALK_DEPTH) {
    throw badUserInput(
      `${argumentName} must be a whole number from 1 to ${MAX_WALK_DEPTH}; got ${value}.`,
      argumentName,
    );
  }
  return value;
}

/** A walk's `types`: 1 to MAX_WALK_TYPES relationship type ids, returned upper-cased, each once, sorted. */
export function checkWalkTypes(values: readonly unknown[], argumentName = 'types'): string[] {
  if (values.length < 1 || values.length > MAX_WALK_TYPES) {
    throw badUserInput(
      `${argumentName} must list 1 to ${MAX_WALK_TYPES} relationship type ids (e.g. ["RE6"]); got ${values.length}.`,
      argumentName,
    );
  }
  const ids = values.map((value) => checkCodeSystemId(String(value), 'RE', argumentName));
  return [...new Set(ids)].sort();
}
