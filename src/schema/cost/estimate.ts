// Estimates, before execution, how many upstream calls a GraphQL operation could need on the current cache: a walk of
// the operation over the schema, adding up what each selected field declares (declare.ts). Used by the budget plugin.

import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { codeSystemKnown } from '../../loaders/index.js';
import { upstreamCallCostsOf, type UpstreamCallCosts } from '../../sources/cost.js';
import { knowsAnswers, type KnownAnswers } from '../../sources/known.js';
import type { CodeSystemName, OrganisationSource } from '../../sources/types.js';
import { schema } from '../index.js';
import type { CodeSystemUse, CostAt, FieldCost, FromSummary } from './declare.js';

export interface UpstreamEstimate {
  /** Upstream calls the operation could make on the current cache. */
  calls: number;
  /** Code systems the operation would have to load. */
  codeSystems: CodeSystemName[];
}

export interface EstimateInput {
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  /** Asked what it already holds (KnownAnswers) and what its calls cost; never called upstream. */
  source: OrganisationSource;
  /** The source's today (Context.today), for arguments relative to it such as `daysAgo`. */
  today?: string | undefined;
}

type Vars = Readonly<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------------------------
// The plan: what does not depend on variables or on the cache, worked out once per document and operation (Yoga hands
// a repeated query the same parsed DocumentNode) — fragments spread, fields matched to the schema, literals read.

/** An @skip or @include whose `if` is a variable. */
interface Condition {
  readonly skip: boolean;
  readonly variable: string;
}

interface PlannedField {
  readonly cost: FieldCost | undefined;
  /** Set when the cost is only a code system's use (usesCodeSystem): the walk notes it without calling the cost. */
  readonly codeSystem: CodeSystemName | undefined;
  readonly fromSummary: FromSummary | undefined;
  /** Arguments written as literals, read once. Shared by every request: never mutated. */
  readonly literalArgs: Vars;
  /** Arguments that hold variables, read per request, with their declared types (see listShaped). */
  readonly variableArgs: readonly (readonly [string, ValueNode, GraphQLInputType | undefined])[] | undefined;
  /** The variable @skip/@include on the field or on the fragments it sits in; all must let it through. */
  readonly conditions: readonly Condition[] | undefined;
  /** The field's own selection, planned once per object type the field may return; undefined for a leaf. */
  readonly selection: readonly SelectionPlan[] | undefined;
  /** Whether anything in the selection declares a cost (else it costs nothing, whatever the parent). */
  readonly selectionCosts: boolean;
}

interface SelectionPlan {
  /** Every field selected (aliases separately), for `needsFullRecord`. */
  readonly fields: readonly PlannedField[];
  /** The fields that declare a cost, or have one below them: the only ones the walk visits. */
  readonly costed: readonly PlannedField[];
  /** Whether the selection needs a full record; undefined when that depends on variables. */
  readonly needsFull: boolean | undefined;
}

interface OperationPlan {
  /** The query's root selection; undefined for an unknown operation or a mutation (execution makes no call). */
  readonly root: SelectionPlan | undefined;
  /** The operation's variable defaults. */
  readonly defaults: Vars;
}

/** The arguments of a field written without any. */
const NO_ARGS: Vars = Object.freeze({});

const TYPENAME: Omit<PlannedField, 'conditions'> = {
  cost: undefined,
  codeSystem: undefined,
  fromSummary: true,
  literalArgs: NO_ARGS,
  variableArgs: undefined,
  selection: undefined,
  selectionCosts: false,
};

/** Marks a selection a literal @skip(if: true) or @include(if: false) leaves out. */
const LEFT_OUT = null;

/** The variable conditions of these directives, or LEFT_OUT when a literal one excludes the selection. */
function conditionsOf(directives: readonly DirectiveNode[] | undefined): Condition[] | typeof LEFT_OUT {
  const conditions: Condition[] = [];
  for (const directive of directives ?? []) {
    const skip = directive.name.value === 'skip';
    if (!skip && directive.name.value !== 'include') continue;
    const value = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (!value) continue;
    if (value.kind === Kind.VARIABLE) conditions.push({ skip, variable: value.name.value });
    else if (valueFromASTUntyped(value) === skip) return LEFT_OUT;
  }
  return conditions;
}

/**
 * The value as graphql-js will coerce it, as far as lists go: a single value given for a list argument (or input
 * field) is a one-item list (`organisations(odsCodes: "RWR")` asks for one code, not none). Nothing else is coerced.
 */
function listShaped(value: unknown, type: GraphQLInputType | undefined): unknown {
  if (value === null || value === undefined || type === undefined) return value;
  const nullable = unwrapNonNull(type);
  const kind = nullable[Symbol.toStringTag];
  if (kind === 'GraphQLList') {
    const item = (nullable as { ofType: GraphQLInputType }).ofType;
    if (!Array.isArray(value)) return [listShaped(value, item)];
    const itemKind = unwrapNonNull(item)[Symbol.toStringTag];
    return itemKind === 'GraphQLList' || itemKind === 'GraphQLInputObjectType'
      ? value.map((v: unknown) => listShaped(v, item))
      : value;
  }
  if (kind === 'GraphQLInputObjectType' && typeof value === 'object' && !Array.isArray(value)) {
    const fields = (nullable as { getFields(): Record<string, { type: GraphQLInputType }> }).getFields();
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value)) out[name] = listShaped(v, fields[name]?.type);
    return out;
  }
  return value;
}

function unwrapNonNull(type: GraphQLInputType): GraphQLInputType {
  return type[Symbol.toStringTag] === 'GraphQLNonNull' ? (type as { ofType: GraphQLInputType }).ofType : type;
}

function holdsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(holdsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => holdsVariable(f.value));
  return false;
}

/** Through lists and non-nulls, by shape: under vitest the schema's graphql-js may be another copy than ours. */
function namedType(type: GraphQLOutputType): GraphQLNamedType {
  let named: GraphQLOutputType = type;
  while ('ofType' in named) named = named.ofType;
  return named;
}

const kindOf = (type: GraphQLNamedType): string => type[Symbol.toStringTag];

/** Whether a field's selection, as planned, needs a full record: true, false, or undefined when variables decide. */
function plannedNeedsFull(plans: readonly SelectionPlan[] | undefined): boolean | undefined {
  let needs: boolean | undefined = false;
  for (const plan of plans ?? []) {
    if (plan.needsFull === true) return true;
    if (plan.needsFull === undefined) needs = undefined;
  }
  return needs;
}

function selectionNeedsFull(fields: readonly PlannedField[]): boolean | undefined {
  let needs: boolean | undefined = false;
  for (const field of fields) {
    let own =
      field.fromSummary === true ? false : field.fromSummary === 'selection' ? plannedNeedsFull(field.selection) : true;
    if (field.conditions && own !== false) own = undefined;
    if (own === true) return true;
    if (own === undefined) needs = undefined;
  }
  return needs;
}

class Planner {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();

  constructor(document: DocumentNode) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  selection(set: SelectionSetNode, type: GraphQLObjectType): SelectionPlan {
    const fields: PlannedField[] = [];
    this.collect(set, type, undefined, new Set(), fields);
    return {
      fields,
      costed: fields.filter((f) => f.cost !== undefined || f.selectionCosts),
      needsFull: selectionNeedsFull(fields),
    };
  }

  /** The fields a selection set asks for on `type`, with fragments spread (a cyclic one once) and conditions noted. */
  private collect(
    set: SelectionSetNode,
    type: GraphQLObjectType,
    outer: readonly Condition[] | undefined,
    spread: ReadonlySet<string>,
    out: PlannedField[],
  ): void {
    for (const selection of set.selections) {
      const own = conditionsOf(selection.directives);
      if (own === LEFT_OUT) continue;
      const conditions = own.length === 0 ? outer : [...(outer ?? []), ...own];
      if (selection.kind === Kind.FIELD) {
        const field = this.field(selection, type, conditions);
        if (field) out.push(field);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value;
        if (on === undefined || this.applies(on, type)) {
          this.collect(selection.selectionSet, type, conditions, spread, out);
        }
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || spread.has(name) || !this.applies(fragment.typeCondition.name.value, type)) continue;
        this.collect(fragment.selectionSet, type, conditions, new Set(spread).add(name), out);
      }
    }
  }

  /** Whether a fragment on type `name` applies to an object of `type`. */
  private applies(name: string, type: GraphQLObjectType): boolean {
    if (name === type.name) return true;
    const outer = schema.getType(name);
    if (!outer || kindOf(outer) === 'GraphQLObjectType') return false;
    return schema.isSubType(outer as GraphQLAbstractType, type);
  }

  private field(
    node: FieldNode,
    type: GraphQLObjectType,
    conditions: readonly Condition[] | undefined,
  ): PlannedField | undefined {
    const name = node.name.value;
    if (name === '__typename') return { ...TYPENAME, conditions };
    const definition = type.getFields()[name];
    if (!definition) return undefined; // introspection (__schema, __type): no upstream call
    let literalArgs: Record<string, unknown> | undefined;
    let variableArgs: (readonly [string, ValueNode, GraphQLInputType | undefined])[] | undefined;
    for (const arg of node.arguments ?? []) {
      const type = definition.args.find((a) => a.name === arg.name.value)?.type;
      if (holdsVariable(arg.value)) (variableArgs ??= []).push([arg.name.value, arg.value, type]);
      else (literalArgs ??= {})[arg.name.value] = listShaped(valueFromASTUntyped(arg.value), type);
    }
    const set = node.selectionSet;
    const objectTypes = this.objectTypes(namedType(definition.type));
    const selection = set && objectTypes.map((objectType) => this.selection(set, objectType));
    const cost = definition.extensions.upstreamCost;
    return {
      cost,
      codeSystem: (cost as Partial<CodeSystemUse> | undefined)?.codeSystem,
      fromSummary: definition.extensions.fromSummary,
      literalArgs: literalArgs ?? NO_ARGS,
      variableArgs,
      conditions,
      selection,
      selectionCosts: selection?.some((plan) => plan.costed.length > 0) ?? false,
    };
  }

  /** The object types a value of `type` may be. */
  private objectTypes(type: GraphQLNamedType): readonly GraphQLObjectType[] {
    const kind = kindOf(type);
    if (kind === 'GraphQLObjectType') return [type as GraphQLObjectType];
    if (kind === 'GraphQLInterfaceType' || kind === 'GraphQLUnionType') {
      return schema.getPossibleTypes(type as GraphQLAbstractType);
    }
    return [];
  }
}

function findOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function planOperation(document: DocumentNode, operationName: string | null | undefined): OperationPlan {
  const operation = findOperation(document, operationName);
  const queryType = schema.getQueryType();
  if (!operation || operation.operation !== 'query' || !queryType) return { root: undefined, defaults: NO_DEFAULTS };
  let defaults: Record<string, unknown> | undefined;
  for (const { variable, defaultValue } of operation.variableDefinitions ?? []) {
    if (defaultValue) (defaults ??= {})[variable.name.value] = valueFromASTUntyped(defaultValue);
  }
  const root = new Planner(document).selection(operation.selectionSet, queryType);
  return { root, defaults: defaults ?? NO_DEFAULTS };
}

/** The defaults of an operation that declares none. */
const NO_DEFAULTS: Vars = Object.freeze({});

const plans = new WeakMap<DocumentNode, Map<string, OperationPlan>>();

function planFor(document: DocumentNode, operationName: string | null | undefined): OperationPlan {
  let byName = plans.get(document);
  if (!byName) {
    byName = new Map();
    plans.set(document, byName);
  }
  const key = operationName ?? '';
  let plan = byName.get(key);
  if (!plan) {
    plan = planOperation(document, operationName);
    byName.set(key, plan);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// The walk: per request, with the variables and what the source holds now.

class Walk {
  readonly systems = new Set<CodeSystemName>();
  /** How deep in the operation the walk is now: each `below` one level further. */
  depth = 0;
  /** The levels that fetch a record, for a source that fetches in batches (UpstreamCallCosts.batchCalls). */
  readonly batchedLevels = new Set<number>();
  private readonly costsByDepth: UpstreamCallCosts[] = [];

  constructor(
    private readonly vars: Vars,
    readonly known: KnownAnswers | undefined,
    readonly calls: UpstreamCallCosts,
    readonly today: string | undefined,
  ) {}

  private included(conditions: readonly Condition[]): boolean {
    for (const { skip, variable } of conditions) if (this.vars[variable] === skip) return false;
    return true;
  }

  /** The costs a field at the current depth sees: the source's, noting batched levels when the source batches. */
  costsHere(): UpstreamCallCosts {
    if (this.calls.batchCalls === undefined) return this.calls;
    const depth = this.depth;
    return (this.costsByDepth[depth] ??= {
      ...this.calls,
      record: () => {
        this.batchedLevels.add(depth);
        return this.calls.record();
      },
    });
  }

  args(field: PlannedField): Vars {
    if (!field.variableArgs) return field.literalArgs;
    const args: Record<string, unknown> = field.literalArgs === NO_ARGS ? {} : { ...field.literalArgs };
    for (const [name, value, type] of field.variableArgs) {
      args[name] = listShaped(valueFromASTUntyped(value, this.vars), type);
    }
    return args;
  }

  /** What a selection costs for one `parent`: the most of its object types (an interface's implementations). */
  cost(plans: readonly SelectionPlan[], parent: unknown): number {
    let most = 0;
    for (const plan of plans) {
      let calls = 0;
      for (const field of plan.costed) {
        if (field.conditions && !this.included(field.conditions)) continue;
        if (field.codeSystem) {
          this.systems.add(field.codeSystem);
          if (field.selectionCosts) calls += this.cost(field.selection!, parent);
        } else if (field.cost) {
          calls += field.cost(new FieldAt(this, field, parent));
        } else {
          calls += this.cost(field.selection!, parent);
        }
      }
      if (calls > most) most = calls;
    }
    return most;
  }

  needsFull(plans: readonly SelectionPlan[]): boolean {
    return plans.some((plan) => plan.needsFull ?? plan.fields.some((field) => this.fieldNeedsFull(field)));
  }

  private fieldNeedsFull(field: PlannedField): boolean {
    if (field.conditions && !this.included(field.conditions)) return false;
    if (field.fromSummary === true) return false;
    if (field.fromSummary === 'selection') return field.selection !== undefined && this.needsFull(field.selection);
    return true;
  }
}

class FieldAt implements CostAt<unknown> {
  readonly args: Vars;
  readonly known: KnownAnswers | undefined;
  readonly calls: UpstreamCallCosts;
  readonly today: string | undefined;

  constructor(
    private readonly walk: Walk,
    private readonly field: PlannedField,
    readonly parent: unknown,
  ) {
    this.args = walk.args(field);
    this.known = walk.known;
    this.calls = walk.costsHere();
    this.today = walk.today;
  }

  below(child: unknown): number {
    if (!this.field.selectionCosts) return 0;
    this.walk.depth++;
    try {
      return this.walk.cost(this.field.selection!, child);
    } finally {
      this.walk.depth--;
    }
  }

  needsFullRecord(): boolean {
    return this.field.selection !== undefined && this.walk.needsFull(this.field.selection);
  }

  useCodeSystem(system: CodeSystemName): void {
    this.walk.systems.add(system);
  }
}

/**
 * The most upstream calls `operationName` in `document` could make with these variables, given what the source
 * already holds. Unknown operations, mutations and arguments that will be refused as bad input count 0 (execution
 * refuses them before any call). Within one operation nothing is de-duplicated, so the same code reached twice counts
 * twice; aliases count separately. List arguments count from literals and variables alike, a single value as a
 * one-item list. Repeats of a code in one `organisations`/`nodes` list count once: the request's loader fetches it once,
 * and this counts calls. What the repeats cost in the response is bounded during execution (MAX_RESULT_OBJECTS,
 * MAX_RESPONSE_BYTES in src/server/plugins/responseBounds.ts), which sees every repeat and alias.
 */
export function estimateUpstreamCalls(input: EstimateInput): UpstreamEstimate {
  const plan = planFor(input.document, input.operationName);
  if (!plan.root) return { calls: 0, codeSystems: [] };
  // A variable given as undefined is as good as not given: its default, if any, stands.
  let vars: Vars = input.variables ?? plan.defaults;
  if (input.variables && plan.defaults !== NO_DEFAULTS) {
    const merged: Record<string, unknown> = { ...plan.defaults };
    for (const [name, value] of Object.entries(input.variables)) if (value !== undefined) merged[name] = value;
    vars = merged;
  }
  const { source } = input;
  const walk = new Walk(vars, knowsAnswers(source) ? source : undefined, upstreamCallCostsOf(source), input.today);
  let calls = walk.cost([plan.root], undefined);
  const codeSystems = [...walk.systems].filter((system) => !codeSystemKnown(source, system));
  for (const system of codeSystems) calls += walk.calls.codeSystem(system);
  calls += walk.batchedLevels.size * (walk.calls.batchCalls ?? 0);
  // A source may cost records in fractions of a call (ODT: 3 calls per batch of 100): a started call is a call.
  return { calls: Math.ceil(calls - 1e-9), codeSystems };
}
