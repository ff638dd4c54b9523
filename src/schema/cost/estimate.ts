// Estimates, before execution, how many ORD calls a GraphQL operation could need on a cold cache (minus what is cached).
// The upstream-budget plugin (src/server/upstream.ts) refuses operations over MAX_UPSTREAM_CALLS_PER_OPERATION with it.

import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { codeSystemKnown } from '../../loaders/index.js';
import type { Organisation, Relationship, Succession } from '../../domain/types.js';
import type { CodeSystemName, OrganisationSearch, OrganisationSource, SearchPage } from '../../sources/types.js';
import { checkCodeSystemId } from '../errors.js';
import { selectRelationships, selectSuccessions } from '../filters.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageWindow, toSearch } from '../search.js';

/**
 * The estimator's assumptions, one place. Counts come from the national dataset (59,836 records, asOf 2026-03-01):
 * per organisation, relationships p99 8 / max 10, active ones max 3, of one type p99 5 / max 7 (active: always 1);
 * successions p99 1 / max 9. Estimates aim to be an upper bound for real queries, not the worst case of every record:
 * the per-operation budget enforced during execution (UpstreamScope) catches the rare record that exceeds them.
 */
export const COST_ASSUMPTIONS = {
  /** ORD returns at most this many rows per search call: a page of `first` rows costs ceil(first / 1000) calls (min 1). */
  ordPageRows: 1000,
  /** `relationships` with `types` and `status: ACTIVE` or `activeOn`: relationships per listed type. */
  relationshipsPerTypeCurrent: 1,
  /** `relationships` with `types` otherwise (history included): per listed type. */
  relationshipsPerType: 5,
  /** `relationships` without `types` but with `status: ACTIVE` or `activeOn`. */
  relationshipsCurrent: 3,
  /** `relationships` with no filter (and the cap on every relationships estimate). */
  relationshipsAll: 10,
  /** `successions`, filtered by type or not: three generations of a merger history then cost 3 + 9 + 27 fetches. */
  successions: 3,
  /**
   * `inboundRelationships` with `status: ACTIVE`: most members a target has, by relationship type (and the members'
   * primary role when the query filters on it); capped by `first`. Twice as many when inactive members are included.
   * Types not listed here (RE4 practices per commissioner, RE6 sites per trust: hundreds) are estimated at `first`.
   */
  inboundActiveMembers: {
    'RE5/RO98': 10, // sub-ICB locations in an ICB
    'RE5/RO197': 20, // NHS trusts in an ICB
    RE5: 50, // anything "in the geography of" an ICB or region
    RE2: 10, // sub-ICB locations a commissioning hub serves
    'RE8/RO177': 35, // GP practices in a PCN
    RE8: 50, // PCN members of any kind
  } as Record<string, number>,
} as const;

/** Fields answered from a search summary (see Organisation's description): no full record needed for these. */
const SUMMARY_FIELDS = new Set(['__typename', 'id', 'odsCode', 'name', 'status', 'recordClass', 'lastChangeDate', 'inboundRelationships']);
const SUMMARY_ADDRESS_FIELDS = new Set(['__typename', 'postcode']);
const SUMMARY_PRIMARY_ROLE_FIELDS = new Set(['__typename', 'type', 'isPrimary']);

export interface UpstreamEstimate {
  /** ORD calls the operation could make on the current cache. */
  calls: number;
  /** Code systems the operation would have to load. */
  codeSystems: CodeSystemName[];
}

export interface EstimateInput {
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  /** Asked what it already holds (knownOrganisation/knownSummary/knownCodeSystem); never called upstream. */
  source: OrganisationSource;
}

type Vars = Record<string, unknown>;

function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function normaliseCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  return /^[A-Z0-9]{2,12}$/.test(code) ? code : undefined;
}

function codeFromGlobalId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const decoded = decodeGlobalID(value);
    return decoded.typename === 'Organisation' ? normaliseCode(decoded.id) : undefined;
  } catch {
    return undefined;
  }
}

class Estimator {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly systems = new Set<CodeSystemName>();

  constructor(
    document: DocumentNode,
    private readonly vars: Vars,
    private readonly source: OrganisationSource,
  ) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  run(operation: OperationDefinitionNode): UpstreamEstimate {
    if (operation.operation !== 'query') return { calls: 0, codeSystems: [] };
    let calls = 0;
    for (const field of this.fields(operation.selectionSet)) calls += this.rootField(field);
    const missing = [...this.systems].filter((s) => !codeSystemKnown(this.source, s));
    return { calls: calls + missing.length, codeSystems: missing };
  }

  // ------------------------------------------------------------------------------------------------ selections

  private included(directives: readonly DirectiveNode[] | undefined): boolean {
    for (const d of directives ?? []) {
      const arg = d.arguments?.find((a) => a.name.value === 'if');
      if (!arg) continue;
      const value = valueFromASTUntyped(arg.value, this.vars);
      if (d.name.value === 'skip' && value === true) return false;
      if (d.name.value === 'include' && value === false) return false;
    }
    return true;
  }

  /** The fields a selection set asks for, with fragments spread and @skip/@include applied (aliases stay separate). */
  private fields(selectionSet: SelectionSetNode | undefined, seen = new Set<string>()): FieldNode[] {
    const out: FieldNode[] = [];
    for (const selection of selectionSet?.selections ?? []) {
      if (!this.included(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...this.fields(selection.selectionSet, seen));
      else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || seen.has(name)) continue; // unknown or cyclic: validation refuses it anyway
        out.push(...this.fields(fragment.selectionSet, new Set([...seen, name])));
      }
    }
    return out;
  }

  private args(field: FieldNode): Vars {
    const args: Vars = {};
    for (const arg of field.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, this.vars);
    return args;
  }

  private sub(field: FieldNode, name: string): FieldNode[] {
    return this.fields(field.selectionSet).filter((f) => f.name.value === name);
  }

  // ------------------------------------------------------------------------------------------------ root fields

  private rootField(field: FieldNode): number {
    const args = this.args(field);
    const fields = this.fields(field.selectionSet);
    switch (field.name.value) {
      case 'organisation':
        return this.byCode(normaliseCode(args.odsCode), fields);
      case 'organisations':
        return this.byCodes(Array.isArray(args.odsCodes) ? args.odsCodes.map(normaliseCode) : [], fields);
      case 'node':
        return this.byCode(codeFromGlobalId(args.id), fields);
      case 'nodes':
        return this.byCodes(Array.isArray(args.ids) ? args.ids.map(codeFromGlobalId) : [], fields);
      case 'searchOrganisations':
        return this.connection(field, args, undefined, () => toSearch(args.filter as Parameters<typeof toSearch>[0]));
      case 'organisationsChangedSince':
        return this.connection(field, args, undefined, () => ({ changedSince: String(args.date) }));
      case 'roleTypes':
      case 'roleType':
        this.systems.add('roleTypes');
        return 0;
      case 'relationshipTypes':
      case 'relationshipType':
        this.systems.add('relationshipTypes');
        return 0;
      case 'recordClasses':
      case 'recordClass':
        this.systems.add('recordClasses');
        return 0;
      default:
        return 0;
    }
  }

  private byCodes(codes: (string | undefined)[], fields: FieldNode[]): number {
    if (codes.length > MAX_PAGE_SIZE) return 0; // refused as BAD_USER_INPUT before any call
    let calls = 0;
    for (const code of new Set(codes)) calls += this.byCode(code, fields);
    return calls;
  }

  /** An organisation asked for by a code in the operation: what the cache holds decides whether it costs a fetch. */
  private byCode(code: string | undefined, fields: FieldNode[]): number {
    if (code === undefined) return 0; // refused as BAD_USER_INPUT before any call
    const held = this.source.knownOrganisation?.(code);
    if (held === null) return 0; // known not to exist: null, nothing below it runs
    const fetch = held !== undefined ? 0 : this.source.knownSummary?.(code) && !this.needsFull(fields) ? 0 : 1;
    return fetch + this.organisationFields(fields, code, held);
  }

  // ------------------------------------------------------------------------------------------------ Organisation

  /** Whether these Organisation fields need the full record (anything a search summary cannot answer). */
  private needsFull(fields: FieldNode[]): boolean {
    return fields.some((f) => {
      const name = f.name.value;
      if (name === 'address') return this.fields(f.selectionSet).some((s) => !SUMMARY_ADDRESS_FIELDS.has(s.name.value));
      if (name === 'primaryRole') return this.fields(f.selectionSet).some((s) => !SUMMARY_PRIMARY_ROLE_FIELDS.has(s.name.value));
      return !SUMMARY_FIELDS.has(name);
    });
  }

  /**
   * Calls made below an Organisation whose record (full or summary) is in hand. With its full record already cached
   * (`held`), relationships and successions are counted from the record itself and their targets looked up in the
   * cache, so a warm operation estimates what it will really spend; otherwise the assumptions apply.
   */
  private organisationFields(fields: FieldNode[], code?: string, held?: Organisation): number {
    let calls = 0;
    for (const field of fields) {
      const args = this.args(field);
      switch (field.name.value) {
        case 'recordClass':
          this.systems.add('recordClasses');
          break;
        case 'primaryRole':
        case 'roles':
          if (this.sub(field, 'type').length > 0) this.systems.add('roleTypes');
          break;
        case 'relationships':
          calls += held
            ? this.heldRelationships(held, args).reduce((n, r) => n + this.relationship(this.fields(field.selectionSet), r.targetOdsCode), 0)
            : this.relationshipCount(args) * this.relationship(this.fields(field.selectionSet));
          break;
        case 'successions':
          calls += held
            ? this.heldSuccessions(held, args).reduce((n, s) => n + this.succession(this.fields(field.selectionSet), s.targetOdsCode), 0)
            : COST_ASSUMPTIONS.successions * this.succession(this.fields(field.selectionSet));
          break;
        case 'inboundRelationships':
          calls += this.connection(field, args, args, code === undefined ? undefined : () => this.inboundSearch(code, args));
          break;
        default:
          break;
      }
    }
    return calls;
  }

  /** An organisation reached through a relationship or succession target: fetched (cold) whatever is selected. */
  private target(fields: FieldNode[], code: string | undefined): number {
    return code === undefined ? 1 + this.organisationFields(fields) : this.byCode(normaliseCode(code), fields);
  }

  /** A held record's relationships the field would list, by the resolver's own filter. */
  private heldRelationships(held: Organisation, args: Vars): Relationship[] {
    return selectRelationships(held.relationships, {
      types: Array.isArray(args.types) ? args.types.map((t) => String(t).trim().toUpperCase()) : null,
      status: args.status === 'ACTIVE' || args.status === 'INACTIVE' ? args.status : null,
      activeOn: typeof args.activeOn === 'string' ? args.activeOn : null,
    });
  }

  private heldSuccessions(held: Organisation, args: Vars): Succession[] {
    return selectSuccessions(held.successions, args.type === 'PREDECESSOR' || args.type === 'SUCCESSOR' ? args.type : null);
  }

  private relationshipCount(args: Vars): number {
    const a = COST_ASSUMPTIONS;
    const types = Array.isArray(args.types) ? args.types.length : 0;
    const current = args.status === 'ACTIVE' || (args.activeOn !== undefined && args.activeOn !== null);
    const count = types > 0 ? types * (current ? a.relationshipsPerTypeCurrent : a.relationshipsPerType) : current ? a.relationshipsCurrent : a.relationshipsAll;
    return Math.min(count, a.relationshipsAll);
  }

  /** Calls per relationship for its selected fields (`targetCode` when the relationship itself is known). */
  private relationship(fields: FieldNode[], targetCode?: string): number {
    let calls = 0;
    for (const field of fields) {
      if (field.name.value === 'type') this.systems.add('relationshipTypes');
      else if (field.name.value === 'targetPrimaryRole') this.systems.add('roleTypes');
      else if (field.name.value === 'target') calls += this.target(this.fields(field.selectionSet), targetCode);
    }
    return calls;
  }

  private succession(fields: FieldNode[], targetCode?: string): number {
    let calls = 0;
    for (const field of fields) {
      if (field.name.value === 'targetPrimaryRole') this.systems.add('roleTypes');
      else if (field.name.value === 'target') calls += this.target(this.fields(field.selectionSet), targetCode);
    }
    return calls;
  }

  // ------------------------------------------------------------------------------------------------ connections

  /** The search `inboundRelationships` runs for organisation `code` (as its resolver builds it). */
  private inboundSearch(code: string, args: Vars): OrganisationSearch {
    const types = Array.isArray(args.types) ? args.types.map((t) => checkCodeSystemId(String(t), 'RE', 'types')) : [];
    const relatedTo: NonNullable<OrganisationSearch['relatedTo']> = { odsCode: code };
    if (types.length > 0) relatedTo.relationshipTypeIds = types;
    if (typeof args.status === 'string') relatedTo.status = args.status as 'ACTIVE' | 'INACTIVE';
    const search: OrganisationSearch = { relatedTo };
    if (args.primaryRole !== undefined && args.primaryRole !== null) search.primaryRoleTypeId = checkCodeSystemId(String(args.primaryRole), 'RO', 'primaryRole');
    return search;
  }

  /** The cached page this connection would read, if the source holds it fresh. */
  private knownPage(args: Vars, filter: (() => OrganisationSearch) | undefined): SearchPage | undefined {
    if (!filter || !this.source.knownSearch) return undefined;
    try {
      const { offset, limit } = pageWindow(args as { first?: number; after?: string });
      return this.source.knownSearch(filter(), offset, limit);
    } catch {
      return undefined; // bad input: execution refuses it before any call
    }
  }

  /**
   * A search page (root search, change feed, or `inboundRelationships` when `inbound` holds its arguments). When the
   * source holds the very page fresh, its rows are counted one by one (what each needs beyond its summary, looked up
   * in the cache); otherwise the page costs its search calls plus `first` (or the fan-out assumption) cold rows.
   */
  private connection(field: FieldNode, args: Vars, inbound: Vars | undefined, filter?: () => OrganisationSearch): number {
    const first = args.first === undefined || args.first === null ? DEFAULT_PAGE_SIZE : args.first;
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) return 0; // BAD_USER_INPUT
    const page = this.knownPage(args, filter);
    let nodeFields: FieldNode[] = [];
    let edgeCalls = 0;
    let nodeNeedsFull = false;
    for (const edges of this.sub(field, 'edges')) {
      for (const edgeField of this.fields(edges.selectionSet)) {
        const name = edgeField.name.value;
        if (name === 'node') {
          nodeFields = [...nodeFields, ...this.fields(edgeField.selectionSet)];
        } else if (name === 'relationship' || name === 'relationships') {
          // The member's own relationship(s) to the target: they need the member's full record.
          nodeNeedsFull = true;
          const types = Array.isArray(inbound?.types) ? inbound.types.length : 1;
          edgeCalls += (name === 'relationship' ? 1 : Math.max(1, types)) * this.relationship(this.fields(edgeField.selectionSet));
        }
      }
    }
    if (this.needsFull(nodeFields)) nodeNeedsFull = true;
    if (page) {
      let calls = 0;
      for (const item of page.items.slice(0, first)) {
        const held = this.source.knownOrganisation?.(item.odsCode);
        if (held === null) continue;
        calls += (nodeNeedsFull && held === undefined ? 1 : 0) + edgeCalls + this.organisationFields(nodeFields, item.odsCode, held);
      }
      return calls;
    }
    const searchCalls = Math.max(1, Math.ceil(first / COST_ASSUMPTIONS.ordPageRows));
    const nodes = inbound ? Math.min(first, this.inboundMembers(inbound) ?? first) : first;
    return searchCalls + nodes * (edgeCalls + this.organisationFields(nodeFields) + (nodeNeedsFull ? 1 : 0));
  }

  private inboundMembers(args: Vars): number | undefined {
    const types = Array.isArray(args.types) ? args.types.map((t) => String(t).trim().toUpperCase()) : [];
    if (types.length === 0) return undefined;
    const role = typeof args.primaryRole === 'string' ? args.primaryRole.trim().toUpperCase() : undefined;
    const table = COST_ASSUMPTIONS.inboundActiveMembers;
    let total = 0;
    for (const type of types) {
      const known = (role ? table[`${type}/${role}`] : undefined) ?? table[type];
      if (known === undefined) return undefined;
      total += known;
    }
    return args.status === 'ACTIVE' ? total : 2 * total;
  }
}

/**
 * The most ORD calls `operationName` in `document` could make with these variables, given what the source already
 * holds. Unknown operations, mutations and arguments that will be refused as bad input count 0 (execution refuses
 * them before any call). Within one operation nothing is de-duplicated, so the same code reached twice counts twice.
 */
export function estimateUpstreamCalls(input: EstimateInput): UpstreamEstimate {
  const operation = findOperation(input.document, input.operationName);
  if (!operation) return { calls: 0, codeSystems: [] };
  const vars: Vars = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) vars[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  for (const [name, value] of Object.entries(input.variables ?? {})) if (value !== undefined) vars[name] = value;
  return new Estimator(input.document, vars, input.source).run(operation);
}
