// Parser for the ODS CSV extracts: headerless, usually every field double-quoted ("" escapes a quote), CRLF or LF.
// Also accepts unquoted fields, because etr_ord_active.csv and the header-row lookups are written that way.

/** Parse CSV text into rows of string fields. Empty lines are skipped; empty fields stay "" (the ODS null). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const ch = text.charCodeAt(i);
    if (inQuotes) {
      if (ch === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        // Copy the run of ordinary characters in one slice: much faster than char-by-char concatenation.
        let j = i;
        while (j < length && text.charCodeAt(j) !== 34) j++;
        field += text.slice(i, j);
        i = j - 1;
      }
      continue;
    }
    if (ch === 34) {
      inQuotes = true;
      fieldStarted = true;
    } else if (ch === 44 /* , */) {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === 10 /* \n */ || ch === 13 /* \r */) {
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (fieldStarted || field !== '' || row.length > 0) {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += text[i];
      fieldStarted = true;
    }
  }
  if (fieldStarted || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
