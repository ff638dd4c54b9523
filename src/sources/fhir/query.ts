// What may go into an ODT URL: FHIR search parameters as ordered pairs, code checks, paging, and next-link handling.
// Everything here refuses with FhirInvalidArgumentError before anything is sent; the client counts the refusal.

import { FhirInvalidArgumentError, type FhirEndpoint } from './errors.js';

/** One FHIR search parameter; order is kept (repeats mean AND, commas inside a value mean OR). */
export type FhirParam = readonly [name: string, value: string];

/** ODS codes and code-system codes: plain ASCII alphanumerics, so they can never alter a URL path or a comma list. */
export const FHIR_CODE_PATTERN = /^[A-Za-z0-9]{1,12}$/;

/**
 * The page size asked for. ODT publishes no `_count` ceiling (NOTES §1.3); 1000 is what NHS England's own client
 * sends and what the spec recommends, and what the simulator caps at. A page of 1000 Organizations is ~4 MB, under
 * the 5 MB and 10 MB payload limits.
 */
export const FHIR_PAGE_SIZE = 1000;

/** Codes per batched read (`_id=a,b,…`): keeps URLs short (~700 bytes) and a page of their affiliations modest. */
export const FHIR_BATCH_SIZE = 100;

/** `value` when it is an ODS code (see FHIR_CODE_PATTERN), safe to put in a path or a comma list. */
export function checkCode(argument: string, value: unknown, endpoint: FhirEndpoint): string {
  if (typeof value !== 'string' || !FHIR_CODE_PATTERN.test(value)) {
    throw new FhirInvalidArgumentError(argument, value, 'must be 1 to 12 ASCII letters or digits', endpoint);
  }
  return value;
}

/** A query string from pairs, each name and value percent-encoded (FHIR's `|` and `,` included: HAPI decodes them). */
export function queryString(params: readonly FhirParam[]): string {
  return params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
}

/**
 * The relative path of the page a `next` link points at, re-rooted under our own base: HAPI writes its own server
 * address into links (and a proxy may rewrite it), so only the resource type and the query are taken from it.
 */
export function nextPagePath(link: string, resourceType: string, endpoint: FhirEndpoint): string {
  let url: URL;
  try {
    url = new URL(link, 'http://next.invalid/');
  } catch {
    throw new FhirInvalidArgumentError('next link', link, 'is not a URL', endpoint);
  }
  if (!url.pathname.endsWith(`/${resourceType}`) && url.pathname !== `/${resourceType}`) {
    throw new FhirInvalidArgumentError('next link', link, `does not page ${resourceType}`, endpoint);
  }
  return `${resourceType}${url.search}`;
}

/** `relative` resolved under `base` (which ends in a slash); nothing may leave the base path. */
export function resolveUnder(base: URL, relative: string, endpoint: FhirEndpoint): URL {
  const url = new URL(relative, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new FhirInvalidArgumentError('path', relative, 'resolves outside the ODT base URL', endpoint);
  }
  return url;
}
