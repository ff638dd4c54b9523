// What a source's requests cost upstream, in calls, as the source itself counts them (its paging, its batching). The
// budget estimator multiplies these by what an operation asks for; the schema never assumes a wire's page size.

import type { CodeSystemName, OrganisationSource } from './types.js';

export interface UpstreamCallCosts {
  /**
   * One full record by code. A source that fetches records in batches may say what one costs within a batch, as a
   * fraction of a call (the estimate rounds its total up).
   */
  record(): number;
  /**
   * For a source that fetches records in batches: what one batch costs, whatever its size. The estimate adds it once
   * per level of the operation that fetches any record (records at one depth go upstream together), so a lone record
   * counts a whole batch and `record()` covers the batches a level's many records fill.
   */
  readonly batchCalls?: number;
  /** One page of a search, `rows` rows long. */
  searchPage(rows: number): number;
  /** One code system's whole list. */
  codeSystem(system: CodeSystemName): number;
}

/** A source that says what its requests cost (a decorator passes its inner source's costs on). */
export interface CostsUpstreamCalls {
  readonly upstreamCallCosts: UpstreamCallCosts;
}

/** For a source that does not say: every request is one call. */
const ONE_CALL_EACH: UpstreamCallCosts = { record: () => 1, searchPage: () => 1, codeSystem: () => 1 };

/** What `source`'s requests cost upstream. */
export function upstreamCallCostsOf(source: OrganisationSource): UpstreamCallCosts {
  return (source as Partial<CostsUpstreamCalls>).upstreamCallCosts ?? ONE_CALL_EACH;
}
