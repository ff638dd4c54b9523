// Byte-exact serialiser for the ODT simulator: HAPI FHIR 7's pretty-printed JSON (Jackson with HAPI's own layout).
// Clients that compare bytes or Content-Length must see what HAPI writes: `"key": value`, two-space indent, no final newline.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/**
 * HAPI's pretty JSON: objects open `{` and put each member on its own line, indented two spaces deeper; an array of
 * objects stays on its parent's line and indent (`[ {` … `}, {` … `} ]`); an array of primitives is one line
 * (`[ "a", "b" ]`); an empty array is `[]` (HAPI omits empty arrays, so only
 * callers' own bodies have them). Undefined members are skipped.
 */
export function hapiJson(value: unknown): string {
  return printValue(value as Json, '');
}

function printValue(value: Json, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return printArray(value, indent);
  return printObject(value, indent);
}

function printObject(value: { [key: string]: Json | undefined }, indent: string): string {
  const inner = indent + '  ';
  const members = Object.entries(value).filter(([, member]) => member !== undefined);
  if (members.length === 0) return '{ }';
  const lines = members.map(([key, member]) => `${inner}${JSON.stringify(key)}: ${printValue(member as Json, inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function printArray(items: Json[], indent: string): string {
  if (items.length === 0) return '[]';
  // Objects (and nested arrays) share the array's indent: HAPI writes `[ {` and `}, {` rather than one per line.
  return `[ ${items.map((item) => printValue(item, indent)).join(', ')} ]`;
}
