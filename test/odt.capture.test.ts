// Compares the ODT simulator's Organization for X26 with the real ODT capture of Organization/X26, key for key.
// meta (HAPI's load time and request id), LastChangeDate, name and address values differ: the dataset is another
// snapshot (X26 is NHS DIGITAL at 1 Trevelyan Square there), so those values are taken from the record, keys are not.

import { expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import { displayNamesOf, toFhirOrganization } from '../src/simulators/odt/fhirRecords.js';
import { readRecorded } from './helpers/recordedDataset.js';

const dataset = loadDataset('small');

it('writes X26 with the recorded capture shape', () => {
  const record = dataset.organisations.get('X26');
  if (record === undefined) throw new Error('X26 is not in the small tier');
  const text = readRecorded('odt/recorded/ndr_lookup-organisation_find_success_response.txt').toString('utf8');
  const recorded = JSON.parse(text.slice(/\r?\n\r?\n/.exec(text)!.index));
  const ours = JSON.parse(JSON.stringify(toFhirOrganization(record, displayNamesOf(dataset))));
  expect(ours.name).toBe('NHS DIGITAL');
  const recordedAddress = recorded.address[0];
  recorded.name = ours.name;
  recordedAddress.line = ours.address[0].line;
  recordedAddress.postalCode = ours.address[0].postalCode;
  recordedAddress.extension[0].extension[1].valueString = ours.address[0].extension[0].extension[1].valueString;
  expect(Object.keys(ours)).toEqual(Object.keys(recorded));
  expect({ ...ours, meta: undefined, extension: ours.extension.slice(0, -1) }).toEqual({
    ...recorded,
    meta: undefined,
    extension: recorded.extension.slice(0, -1),
  });
});
