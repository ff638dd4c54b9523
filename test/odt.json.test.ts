// Byte-exact tests for the ODT simulator's HAPI pretty-printer against real ODT HTTP captures.
// Each capture's body is parsed and re-printed; the printer must reproduce HAPI's bytes exactly.

import { describe, expect, it } from 'vitest';
import { hapiJson } from '../src/simulators/odt/json.js';
import { readRecorded } from './helpers/recordedDataset.js';

/** The body of a recorded HTTP capture (headers end at the first blank line; some captures use LF-only line ends). */
function captureBody(name: string): string {
  const text = readRecorded(`odt/recorded/${name}`).toString('utf8');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) throw new Error(`no header/body separator in ${name}`);
  return text.slice(match.index + match[0].length);
}

describe('hapiJson', () => {
  it('reprints the metadata_not_found 404 OperationOutcome byte for byte (471 bytes)', () => {
    const body = captureBody('ndr_lookup-metadata_not_found_response.txt');
    expect(Buffer.byteLength(body)).toBe(471);
    expect(hapiJson(JSON.parse(body))).toBe(body);
  });

  it('reprints the X26 Organization read byte for byte', () => {
    const body = captureBody('ndr_lookup-organisation_find_success_response.txt').replace(/\r\n/g, '\n');
    expect(body).toContain('"id": "X26"');
    expect(hapiJson(JSON.parse(body))).toBe(body);
  });

  // The sync_empty capture is not HAPI's layout (`"link": [` then `{` on its own line): another printer wrote it.
  it('reprints the search and sync Bundles byte for byte', () => {
    for (const name of [
      'ndr_lookup-search_success_response.txt',
      'ndr_lookup-organisation_sync_success_response.txt',
    ]) {
      const body = captureBody(name);
      expect(hapiJson(JSON.parse(body)), name).toBe(body);
    }
  });

  it('prints primitive arrays on one line and object arrays on the parent indent', () => {
    expect(hapiJson({ a: [1, 'x'], b: [{ c: true }, { d: null }], e: [] })).toBe(
      '{\n  "a": [ 1, "x" ],\n  "b": [ {\n    "c": true\n  }, {\n    "d": null\n  } ],\n  "e": []\n}',
    );
  });
});
