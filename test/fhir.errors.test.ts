// ODT error responses (src/sources/fhir/errors.ts) classified from the REAL recorded bodies in data/recorded/odt/:
// the APIM proxy's 401 and 422 bodies and catch-all template, and the spec's HAPI 400 and 404 OperationOutcomes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceRejectedError, SourceUnavailableError } from '../src/sources/errors.js';
import {
  FhirNotFoundError,
  FhirRejectedError,
  FhirUpstreamError,
  fhirErrorFromResponse,
  outcomeText,
} from '../src/sources/fhir/errors.js';

const ODT = join(import.meta.dirname, '..', 'data', 'recorded', 'odt');
const body = (path: string): unknown => JSON.parse(readFileSync(join(ODT, path), 'utf8'));

describe('fhirErrorFromResponse over recorded bodies', () => {
  it('404 HAPI-2001 (spec Organization read) is a not-found carrying HAPI diagnostics', () => {
    const err = fhirErrorFromResponse(
      404,
      body('spec/spec-Organization-read-404-OperationOutcome-HAPI-2001.json'),
      'organization',
    );
    expect(err).toBeInstanceOf(FhirNotFoundError);
    expect((err as FhirNotFoundError).outcomeText).toBe('HAPI-2001: Resource Organization/8J632648493 is not known');
    expect(err.endpoint).toBe('organization');
  });

  it('400 HAPI-0524 (unknown search parameter) is a rejection with issue code processing', () => {
    const err = fhirErrorFromResponse(400, body('spec/spec-Organization-search-4XX-OperationOutcome-HAPI-0524.json'));
    expect(err).toBeInstanceOf(FhirRejectedError);
    expect(err).toBeInstanceOf(SourceRejectedError);
    const rejected = err as FhirRejectedError;
    expect(rejected.status).toBe(400);
    expect(rejected.issueCode).toBe('processing');
    expect(rejected.upstreamText).toMatch(
      /^HAPI-0524: Unknown search parameter "count" for resource type "Organization"/,
    );
    expect(rejected.tooCostly).toBe(false);
  });

  it('422 TooBigBody (APIM 10 MB limit) is a too-costly rejection', () => {
    const err = fhirErrorFromResponse(422, body('proxy/proxy-422-TooBigBody-OperationOutcome.json'));
    expect(err).toBeInstanceOf(FhirRejectedError);
    const rejected = err as FhirRejectedError;
    expect(rejected.issueCode).toBe('too-costly');
    expect(rejected.tooCostly).toBe(true);
    expect(rejected.upstreamText).toBe('Response exceeds APIM size limit');
  });

  it('401 from the proxy (OAuthPolicyError template) is an unauthorized upstream failure', () => {
    const err = fhirErrorFromResponse(401, body('proxy/proxy-401-OAuthPolicyError-OperationOutcome.template.json'));
    expect(err).toBeInstanceOf(FhirUpstreamError);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect((err as FhirUpstreamError).kind).toBe('unauthorized');
    expect((err as FhirUpstreamError).status).toBe(401);
    // The template has no diagnostics or details text: the coding display is the text (a placeholder in the template).
    expect((err as FhirUpstreamError).outcomeText).toBe('{faultstring}');
  });

  it('429 is rate_limited even without a body (APIM 429 bytes are not recorded)', () => {
    const err = fhirErrorFromResponse(429, undefined, 'organization-search');
    expect(err).toBeInstanceOf(FhirUpstreamError);
    expect((err as FhirUpstreamError).kind).toBe('rate_limited');
    expect((err as FhirUpstreamError).outcomeText).toBeNull();
  });

  it('a 5xx with the proxy catch-all template is http_status, its diagnostics kept', () => {
    const err = fhirErrorFromResponse(502, body('proxy/proxy-catchall-OperationOutcome.template.json'));
    expect(err).toBeInstanceOf(FhirUpstreamError);
    expect((err as FhirUpstreamError).kind).toBe('http_status');
    expect((err as FhirUpstreamError).outcomeText).toBe('%error.content#');
  });

  it('outcomeText ignores what is not an OperationOutcome', () => {
    expect(outcomeText(body('spec/spec-OrganizationAffiliation-read-617400.json'))).toBeNull();
    expect(outcomeText('<html>')).toBeNull();
  });
});
