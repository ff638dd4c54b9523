// Type references shared across schema modules before their types are implemented, to keep module imports acyclic.
// Organisation is referenced by relationships, successions and connections, and implemented in organisation.ts; so is
// what reaching one costs upstream, which every field that leads to an organisation declares (cost/declare.ts).

import type { Organisation } from '../domain/types.js';
import { parseOdsCode, type OdsCode } from '../domain/odsCode.js';
import type { OrganisationRecord } from '../loaders/index.js';
import { builder } from './builder.js';
import type { CostAt } from './cost/declare.js';

export const OrganisationRef = builder.objectRef<OrganisationRecord>('Organisation');

/** Most codes (or ids) `organisations` and `nodes` take in one call. */
export const MAX_CODES_PER_FIELD = 1000;

/**
 * What the cost estimate knows about an Organisation: its code when the operation or a cached record names it, and
 * its full record when the source holds one fresh (then its relationships are counted, not assumed).
 */
export interface OrganisationAtCost {
  code: string | undefined;
  held: Organisation | undefined;
}

/** An organisation the estimate knows nothing about (a cold relationship target, a row of an uncached page). */
export const UNKNOWN_ORGANISATION: OrganisationAtCost = { code: undefined, held: undefined };

/**
 * Reaching an organisation by code (`organisation`, `node`, a relationship or succession target), as `loaders.best`
 * does: nothing when it is held, or known not to exist (null: nothing below runs); nothing when a summary is held and
 * suffices; else one record fetch. A code that will be refused as bad input costs nothing.
 */
export function organisationByCodeCost(at: CostAt<unknown>, code: OdsCode | undefined): number {
  if (code === undefined) return 0;
  const held = at.known?.knownOrganisation(code);
  if (held === null) return 0;
  const summaryServes = held === undefined && at.known?.knownSummary(code) !== undefined && !at.needsFullRecord();
  const fetch = held !== undefined || summaryServes ? 0 : at.calls.record();
  return fetch + at.below({ code, held } satisfies OrganisationAtCost);
}

/** Several organisations by code (`organisations`, `nodes`): each distinct code once; too many is refused: 0. */
export function organisationsByCodesCost(at: CostAt<unknown>, codes: readonly (OdsCode | undefined)[]): number {
  if (codes.length > MAX_CODES_PER_FIELD) return 0;
  let calls = 0;
  for (const code of new Set(codes)) calls += organisationByCodeCost(at, code);
  return calls;
}

/** What the cost estimate knows about a relationship or succession: its target's code when its record is held. */
export interface LinkAtCost {
  targetCode: string | undefined;
}

/** A relationship or succession of a record the estimate cannot see. */
export const UNKNOWN_LINK: LinkAtCost = { targetCode: undefined };

/** A relationship's or succession's `target`: by code when known, else a fetch of an organisation not known at all. */
export function targetCost(at: CostAt<LinkAtCost>): number {
  const code = at.parent.targetCode;
  if (code === undefined) return at.calls.record() + at.below(UNKNOWN_ORGANISATION);
  return organisationByCodeCost(at, parseOdsCode(code));
}
