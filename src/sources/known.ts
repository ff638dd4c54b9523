// What a source that remembers answers can tell without calling upstream: the loaders skip fetches with it and the
// budget estimator counts less. Only caching sources (src/cache/cachedSource.ts) implement it; `knowsAnswers` tells.

import type { Organisation, OrganisationSummary } from '../domain/types.js';
import type { CodeSystemName, OrganisationSearch, OrganisationSource, SearchPage } from './types.js';

/** Answers given synchronously, never from upstream, and only while fresh. */
export interface KnownAnswers {
  /** A fresh full record held for `odsCode`; `null` when the code is known not to exist; undefined when not known. */
  knownOrganisation(odsCode: string): Organisation | null | undefined;
  /** A fresh summary held for `odsCode` (from a search page or a full record); undefined when not known. */
  knownSummary(odsCode: string): OrganisationSummary | undefined;
  /** A fresh page held for exactly this search, offset and limit; undefined when not known. */
  knownSearch(filter: OrganisationSearch, offset: number, limit: number): SearchPage | undefined;
  /** True when the code system is held fresh, so using it costs no upstream call. */
  knownCodeSystem(system: CodeSystemName): boolean;
}

/** True for a source that offers KnownAnswers. */
export function knowsAnswers(source: OrganisationSource): source is OrganisationSource & KnownAnswers {
  const probe = source as Partial<KnownAnswers>;
  return (
    typeof probe.knownOrganisation === 'function' &&
    typeof probe.knownSummary === 'function' &&
    typeof probe.knownSearch === 'function' &&
    typeof probe.knownCodeSystem === 'function'
  );
}
