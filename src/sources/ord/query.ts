// What may go into an ORD URL: code checks, the search and sync query strings, and resolution under the base path.
// Everything here refuses with OrdInvalidArgumentError before anything is sent; the client counts the refusal.

import { OrdInvalidArgumentError, type OrdEndpoint } from './errors.js';
import { ORD_SEARCH_FILTERS, type OrdSearchParams } from './types.js';

/** ODS codes and code-system ids: plain ASCII alphanumerics, so they can never alter the URL path. */
export const ORD_CODE_PATTERN = /^[A-Za-z0-9]{1,12}$/;
/** ORD's own page-size ceiling. */
export const ORD_MAX_LIMIT = 1000;
/** Sent when a search caller gives no Limit: ORD's silent default of 20 is never relied upon. */
export const ORD_DEFAULT_LIMIT = ORD_MAX_LIMIT;

/** `value` when it is an ODS code or code-system id (see ORD_CODE_PATTERN), safe to put in a path. */
export function checkCode(argument: string, value: unknown, endpoint: OrdEndpoint): string {
  if (typeof value !== 'string' || !ORD_CODE_PATTERN.test(value)) {
    throw new OrdInvalidArgumentError(argument, value, 'must be 1 to 12 ASCII letters or digits', endpoint);
  }
  return value;
}

/** The query string of one search page. Sends Limit always (ORD_DEFAULT_LIMIT when not given); Offset 0 is omitted. */
export function searchQuery(params: OrdSearchParams, endpoint: OrdEndpoint): string {
  const parts: string[] = [];
  const invalid = (argument: string, value: unknown, reason: string): never => {
    throw new OrdInvalidArgumentError(argument, value, reason, endpoint);
  };
  for (const name of ORD_SEARCH_FILTERS) {
    const value = params[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      // Items are comma-joined on the wire, so an item must not carry its own comma (or anything but an id).
      for (const item of value) {
        if (typeof item !== 'string' || !ORD_CODE_PATTERN.test(item))
          invalid(name, item, 'each item must be an ODS id');
      }
      parts.push(`${name}=${value.map(encodeURIComponent).join(',')}`);
    } else {
      if (typeof value !== 'string') invalid(name, value, 'must be a string');
      parts.push(`${name}=${encodeURIComponent(value as string)}`);
    }
  }
  const limit = params.Limit ?? ORD_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > ORD_MAX_LIMIT)
    invalid('Limit', limit, `must be 1..${ORD_MAX_LIMIT}`);
  parts.push(`Limit=${limit}`);
  const offset = params.Offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) invalid('Offset', offset, 'must be a whole number >= 0');
  // ORD refuses Offset=0 ("must be greater than 1"); skipping zero rows is the same as sending no Offset.
  if (offset > 0) parts.push(`Offset=${offset}`);
  return parts.join('&');
}

/** The query string of the change feed. */
export function syncQuery(lastChangeDate: unknown, endpoint: OrdEndpoint): string {
  if (typeof lastChangeDate !== 'string') {
    throw new OrdInvalidArgumentError('LastChangeDate', lastChangeDate, 'must be a string', endpoint);
  }
  return `LastChangeDate=${encodeURIComponent(lastChangeDate)}`;
}

/** `relative` resolved under `base` (which ends in a slash). */
export function resolveUnder(base: URL, relative: string, endpoint: OrdEndpoint): URL {
  const url = new URL(relative, base);
  // Defence in depth: codes are already checked, but nothing may ever leave the base path.
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new OrdInvalidArgumentError('path', relative, 'resolves outside the ORD base URL', endpoint);
  }
  return url;
}
