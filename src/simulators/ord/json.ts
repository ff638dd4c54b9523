// Byte-exact serialisers for the ORD simulator: Python `json.dumps` (success bodies) and Flask 0.12 `jsonify` (errors).
// ORD is a Flask app, so clients that compare bytes or Content-Length must see exactly what Python would have written.

/** Python `json.dumps(s)` for one string with ensure_ascii=True: escape `"` `\`, controls, DEL and every non-ASCII code unit. */
export function pythonJsonString(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Printable ASCII except `"` and `\` passes through untouched (Python's ESCAPE_ASCII is `([\\"]|[^\ -~])`).
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    if (i > runStart) out += s.slice(runStart, i);
    runStart = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      // JS strings are UTF-16 already, so astral characters come out as the surrogate pair Python writes.
      default:
        out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  if (runStart < s.length) out += s.slice(runStart);
  return out + '"';
}

/** Python's `float.__repr__`: shortest round-trip digits, exponent form when exp < -4 or exp >= 16. */
function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // JS cannot tell 1.0 from 1; every number in ORD JSON is an int, so integers print as Python ints.
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return Object.is(n, -0) ? '0' : String(n);
  const [mant = '', expStr = '0'] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(n);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * Python `json.dumps(value)` with default settings: separators `", "` / `": "`, ensure_ascii, no trailing newline.
 * Object keys keep insertion order (ORD's builders emit a fixed order); keys whose value is `undefined` are skipped,
 * which is how the simulator "omits absent keys".
 */
export function pythonJsonDumps(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(pythonJsonString(value));
  } else if (typeof value === 'number') {
    out.push(pythonNumber(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(', ');
      write(value[i], out);
    }
    out.push(']');
  } else if (typeof value === 'object') {
    out.push('{');
    let first = true;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (!first) out.push(', ');
      first = false;
      out.push(pythonJsonString(k), ': ');
      write(v, out);
    }
    out.push('}');
  } else {
    throw new TypeError(`pythonJsonDumps: cannot serialise ${typeof value}`);
  }
}

/**
 * Flask 0.12 `jsonify({"errorCode": code, "errorText": text})` in pretty-print mode: indent 2, item separator `", "`
 * (hence the trailing space after the comma), keys sorted, newline at the end.
 */
export function flaskErrorBody(code: number, text: string): string {
  return `{\n  "errorCode": ${code}, \n  "errorText": ${pythonJsonString(text)}\n}\n`;
}
