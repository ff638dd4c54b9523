// Unit tests for the simulator's byte-exact serialisers against Python json.dumps / Flask jsonify behaviour.
// Expected strings are what CPython 3 prints (json.dumps defaults; Flask 0.12 jsonify pretty mode).

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flaskErrorBody, pythonJsonDumps, pythonJsonString } from '../src/simulators/ord/json.js';
import { RECORDED_DIR, readRecorded } from './helpers/recordedDataset.js';

describe('pythonJsonDumps', () => {
  it('uses Python default separators and no trailing newline', () => {
    expect(pythonJsonDumps({ a: 1, b: [1, 2, { c: 'x' }], d: {}, e: [] })).toBe(
      '{"a": 1, "b": [1, 2, {"c": "x"}], "d": {}, "e": []}',
    );
  });
  it('keeps insertion order and skips undefined values', () => {
    expect(pythonJsonDumps({ z: 1, a: undefined, m: null, b: true, c: false })).toBe(
      '{"z": 1, "m": null, "b": true, "c": false}',
    );
  });
  it('escapes like ensure_ascii=True', () => {
    expect(pythonJsonString('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(pythonJsonString('\n\r\t\b\f')).toBe('"\\n\\r\\t\\b\\f"');
    expect(pythonJsonString('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\\u007f"');
    expect(pythonJsonString('café Ω ﬀ')).toBe('"caf\\u00e9 \\u03a9 \\ufb00"');
    expect(pythonJsonString('😀')).toBe('"\\ud83d\\ude00"'); // astral → surrogate pair, lower-case hex
    expect(pythonJsonString('\u00A0\u2019')).toBe('"\\u00a0\\u2019"');
    expect(pythonJsonString(' ~')).toBe('" ~"');
  });
  it('prints numbers as Python does', () => {
    expect(pythonJsonDumps([0, -1, 100062280103, 2 ** 53 - 1])).toBe('[0, -1, 100062280103, 9007199254740991]');
    expect(pythonJsonDumps([1.5, 0.1, -2.25, 1e-5, 1.5e-7, 1e16, 1.5e300, 123456.789])).toBe(
      '[1.5, 0.1, -2.25, 1e-05, 1.5e-07, 1e+16, 1.5e+300, 123456.789]',
    );
    expect(pythonJsonDumps([NaN, Infinity, -Infinity])).toBe('[NaN, Infinity, -Infinity]');
  });
  it('reproduces every byte-exact recorded success body from its parsed JSON', () => {
    const exact = readdirSync(RECORDED_DIR).filter(
      (f) => f.endsWith('.json') && !f.startsWith('error_') && !/RWR|RVVKC|RJY|reconstructed/.test(f),
    );
    expect(exact.length).toBeGreaterThanOrEqual(10);
    for (const f of exact) {
      const bytes = readRecorded(f).toString('latin1');
      expect(pythonJsonDumps(JSON.parse(bytes)), f).toBe(bytes);
    }
  });
});

describe('flaskErrorBody', () => {
  it('matches Flask 0.12 jsonify bytes, trailing space included', () => {
    expect(flaskErrorBody(406, 'Unknown argument found.')).toBe(
      '{\n  "errorCode": 406, \n  "errorText": "Unknown argument found."\n}\n',
    );
    expect(Buffer.byteLength(flaskErrorBody(406, 'Unknown argument found.'))).toBe(66);
    expect(Buffer.byteLength(flaskErrorBody(404, 'Not found'))).toBe(52);
    expect(Buffer.byteLength(flaskErrorBody(406, 'Invalid date format.'))).toBe(63);
    expect(Buffer.byteLength(flaskErrorBody(406, 'Supplied query must include some query parameters'))).toBe(92);
  });
  it('escapes the text like json.dumps', () => {
    expect(flaskErrorBody(406, 'Unknown dialect specified "é"')).toBe(
      '{\n  "errorCode": 406, \n  "errorText": "Unknown dialect specified \\"\\u00e9\\""\n}\n',
    );
  });
});
