// How a field declares, beside its resolver, what it costs upstream: `extensions: { upstreamCost, fromSummary }`.
// The estimator (estimate.ts) walks an operation over the schema and asks each selected field; it names no field.

import type { UpstreamCallCosts } from '../../sources/cost.js';
import type { KnownAnswers } from '../../sources/known.js';
import type { CodeSystemName } from '../../sources/types.js';

/** What a field's cost function is told about one selection of the field, on one parent object. */
export interface CostAt<Parent> {
  /** The arguments as the operation writes them, variables substituted (no schema defaults, no coercion). Read only. */
  readonly args: Readonly<Record<string, unknown>>;
  /** What the estimate knows about the object the field is on: whatever the field above passed to `below`. */
  readonly parent: Parent;
  /** What the source already holds, when it is a caching source. */
  readonly known: KnownAnswers | undefined;
  /** What the source's requests cost upstream. */
  readonly calls: UpstreamCallCosts;
  /** The source's today (the request context's), for arguments relative to it; undefined when the caller has none. */
  readonly today: string | undefined;
  /** The calls the field's own selection makes for one object, which the fields below see as their `parent`. */
  below(child: unknown): number;
  /** Whether the field's selection asks for anything a summary cannot answer (see FromSummary). */
  needsFullRecord(): boolean;
  /** Notes that answering needs this code system: counted once per operation, unless the source holds it. */
  useCodeSystem(system: CodeSystemName): void;
}

/**
 * The upstream calls one selection of a field makes, its own and its selection's. A field that declares none costs what
 * its selection costs, the fields below seeing the same parent. (Typed as a method, so that a cost function may name
 * the parent it expects, e.g. `CostAt<OrganisationAtCost>`: what a field passes to `below` is agreed per type.)
 */
export type FieldCost = { cost(at: CostAt<unknown>): number }['cost'];

/**
 * How a field of an object that may be only a summary (an Organisation from a search) is answered: `true`, from the
 * summary, whatever is selected below it; `'selection'`, from the summary when everything selected below it is too (an
 * address's postcode, a primary role's type). A field that declares neither needs the full record.
 */
export type FromSummary = true | 'selection';

declare module 'graphql' {
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    upstreamCost?: FieldCost;
    fromSummary?: FromSummary;
  }
}

/** A cost that is only the use of a code system: the estimator reads `codeSystem` rather than calling it. */
export type CodeSystemUse = FieldCost & { readonly codeSystem: CodeSystemName };

/** The cost of a field that needs a code system: the system (once per operation) and what its selection costs. */
export function usesCodeSystem(system: CodeSystemName): CodeSystemUse {
  const cost: FieldCost = (at) => {
    at.useCodeSystem(system);
    return at.below(at.parent);
  };
  return Object.assign(cost, { codeSystem: system });
}
