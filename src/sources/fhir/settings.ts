// The ODT (FHIR) client's settings: where ODT is, its API key, plus the call policy (src/upstream/settings.ts).
// ODT's defaults live here: config.ts reads the FHIR_* variables over them, and the client needs nothing from config.ts.

import { DEFAULT_UPSTREAM_SETTINGS, type UpstreamSettings } from '../../upstream/settings.js';

/** Production ODT, from the spec's environment table (its `servers` entry lists only the sandbox). */
export const FHIR_PRODUCTION_BASE_URL = 'https://api.service.nhs.uk/organisation-data-terminology-api/fhir';
/** The sandbox: no API key, real data (NOTES §1.1). */
export const FHIR_SANDBOX_BASE_URL = 'https://sandbox.api.service.nhs.uk/organisation-data-terminology-api/fhir';
/** APIM reads the key from this request header (`VerifyAPIKey` … `request.header.apikey`). */
export const FHIR_API_KEY_HEADER = 'apikey';

/**
 * From the environment (src/config.ts): FHIR_BASE_URL, FHIR_API_KEY, FHIR_RATE_LIMIT, FHIR_MAX_CONCURRENCY,
 * FHIR_TIMEOUT_MS, FHIR_MAX_RETRIES, FHIR_MAX_SEARCH_PAGES, FHIR_CIRCUIT_FAILURES, FHIR_CIRCUIT_RESET_SECONDS.
 */
export interface FhirClientSettings extends UpstreamSettings {
  /** ODT base URL, ending in `/fhir`; the client adds the trailing slash relative paths need. */
  baseUrl: string;
  /** Sent as the `apikey` header; null sends none (the sandbox needs none, production and int do). */
  apiKey: string | null;
  /**
   * Most pages (of up to 1000) one search may take. ODT cannot sort by name, so a search reads every match to answer
   * in ORD's order: one wider than this is refused with a clear error rather than cut short.
   */
  maxSearchPages: number;
}

/**
 * Production, keyless until FHIR_API_KEY is set, at the shared 5 requests a second: the APIM baseline the spec
 * compares its custom limit (5,000 per 5 minutes, about 16.7/s) against; the spec does not say which one applies to
 * a new application, so we start at the lower.
 */
export const FHIR_DEFAULT_SETTINGS: Readonly<Required<FhirClientSettings>> = Object.freeze({
  baseUrl: FHIR_PRODUCTION_BASE_URL,
  apiKey: null,
  // 30 pages: 30,000 matches, 6 s at 5 calls a second; the national GP practice list (~13,000) fits.
  maxSearchPages: 30,
  ...DEFAULT_UPSTREAM_SETTINGS,
  rateLimit: 5,
});

/** The headers every ODT request carries: FHIR JSON, and the API key when one is configured. */
export function fhirRequestHeaders(settings: Pick<FhirClientSettings, 'apiKey'>): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (settings.apiKey !== null && settings.apiKey !== '') headers[FHIR_API_KEY_HEADER] = settings.apiKey;
  return headers;
}
