// ODT client settings (src/sources/fhir/settings.ts): the defaults come from the recorded spec and NOTES §1.1/§1.4.
// The base URL is checked against the spec file itself, so a typo in either place fails here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FHIR_DEFAULT_SETTINGS, FHIR_SANDBOX_BASE_URL, fhirRequestHeaders } from '../src/sources/fhir/settings.js';

const spec = readFileSync(
  join(import.meta.dirname, '..', 'data', 'recorded', 'odt', 'spec', 'organisation-data-terminology-api.yaml'),
  'utf8',
);

describe('FHIR settings', () => {
  it('defaults to the production base URL named in the spec, 5 requests a second and no key', () => {
    expect(FHIR_DEFAULT_SETTINGS.baseUrl).toBe('https://api.service.nhs.uk/organisation-data-terminology-api/fhir');
    expect(spec).toContain(`${FHIR_DEFAULT_SETTINGS.baseUrl}/Organization/RJY`);
    expect(spec).toContain(`- url: ${FHIR_SANDBOX_BASE_URL}\n`);
    expect(FHIR_DEFAULT_SETTINGS.rateLimit).toBe(5);
    expect(FHIR_DEFAULT_SETTINGS.apiKey).toBeNull();
  });

  it('sends the key in the apikey header, and no such header without a key', () => {
    expect(fhirRequestHeaders({ apiKey: 'k-123' })).toEqual({ accept: 'application/fhir+json', apikey: 'k-123' });
    expect(fhirRequestHeaders({ apiKey: null })).toEqual({ accept: 'application/fhir+json' });
    expect(fhirRequestHeaders({ apiKey: '' })).not.toHaveProperty('apikey');
  });
});
