// The operations every source must answer alike (test/contract.test.ts): each example operation, and queries over every
// field, filter, paging window and input error of the contract, on real codes of the small tier (ICB QMJ).

import { exampleOperations } from '../../src/server/examples.js';

export interface ContractOperation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

const CARD = `odsCode name status recordClass { id displayName } isReferenceOnly lastChangeDate
  operationalPeriod { start end } legalPeriod { start end }
  address { lines town county postcode country uprn } contacts { type value }
  primaryRole { type { id displayName isPrimary } status operationalPeriod { start end } }
  roles { type { id } isPrimary status operationalPeriod { start end } legalPeriod { start end } uniqueRoleId }
  relationships { type { id displayName } status operationalPeriod { start end } targetOdsCode targetPrimaryRole { id } uniqueRelId target { odsCode name } }
  successions { type effectiveDate targetOdsCode uniqueSuccId target { odsCode name status } }`;

const PAGE = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id odsCode name status recordClass { id } lastChangeDate address { postcode } primaryRole { type { id } } } }`;

const custom: ContractOperation[] = [
  { name: 'card of a trust', query: `{ organisation(odsCode: "RWR") { ${CARD} } }` },
  { name: 'card of a trust site', query: `{ organisation(odsCode: "RVVKC") { ${CARD} } }` },
  { name: 'card of a sub-ICB location', query: `{ organisation(odsCode: "93C") { ${CARD} } }` },
  { name: 'card of an ICB', query: `{ organisation(odsCode: "QMJ") { ${CARD} } }` },
  { name: 'card with successions', query: `{ organisation(odsCode: "97T") { ${CARD} } }` },
  { name: 'practice that changed commissioner', query: `{ organisation(odsCode: "G6V2S") { ${CARD} } }` },
  {
    name: 'unknown and odd spellings',
    query: `{ a: organisation(odsCode: "ZZZ99") { odsCode } b: organisation(odsCode: " rvvkc ") { odsCode name } }`,
  },
  {
    name: 'many codes in order',
    query: `{ organisations(odsCodes: ["RWR", "NOPE1", "93C", "QMJ", "RWR"]) { odsCode name status } }`,
  },
  {
    name: 'relationships as at dates',
    query: `{ organisation(odsCode: "G6V2S") {
      now: relationships(types: ["RE4"], status: ACTIVE) { targetOdsCode }
      then: relationships(types: ["RE4"], activeOn: "2025-06-30") { targetOdsCode operationalPeriod { start end } }
      later: relationships(activeOn: "2026-04-02") { type { id } targetOdsCode }
      roles(activeOn: "2020-01-01") { type { id } }
    } }`,
  },
  {
    name: 'inbound members with paging',
    query: `{ organisation(odsCode: "93C") {
      first: inboundRelationships(types: ["RE4"], status: ACTIVE, primaryRole: "RO177", first: 5) { ${PAGE} }
      all: inboundRelationships(first: 1000) { totalCount edges { node { odsCode } } }
      none: inboundRelationships(types: ["RE6"]) { totalCount }
    } }`,
  },
  {
    name: 'inbound second page',
    query: `query($after: String) { organisation(odsCode: "93C") { inboundRelationships(types: ["RE4"], first: 3, after: $after) { ${PAGE} } } }`,
    variables: { after: Buffer.from('ods-offset:4').toString('base64') },
  },
  { name: 'search by name', query: `{ searchOrganisations(filter: { name: "surgery" }, first: 25) { ${PAGE} } }` },
  {
    name: 'search by name wildcard',
    query: `{ searchOrganisations(filter: { name: "h_alth" }, first: 50) { ${PAGE} } }`,
  },
  {
    name: 'search by outward code',
    query: `{ searchOrganisations(filter: { postcode: "CT1" }, first: 100) { ${PAGE} } }`,
  },
  {
    name: 'search by postcode prefix',
    query: `{ searchOrganisations(filter: { postcode: "CT" }, first: 1000) { totalCount edges { node { odsCode } } } }`,
  },
  {
    name: 'search trusts',
    query: `{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 1000) { ${PAGE} } }`,
  },
  {
    name: 'search inactive practices',
    query: `{ searchOrganisations(filter: { primaryRole: "RO177", status: INACTIVE }, first: 1000) { totalCount edges { node { odsCode } } } }`,
  },
  {
    name: 'search non-primary role',
    query: `{ searchOrganisations(filter: { nonPrimaryRole: "RO76" }, first: 1000) { totalCount edges { node { odsCode } } } }`,
  },
  {
    name: 'search any of roles',
    query: `{ searchOrganisations(filter: { anyOfRoles: ["RO98", "RO261"] }, first: 1000) { totalCount edges { node { odsCode } } } }`,
  },
  {
    name: 'search active sites',
    query: `{ searchOrganisations(filter: { recordClass: "RC2", status: ACTIVE }, first: 7) { ${PAGE} } }`,
  },
  {
    name: 'search deep page',
    query: `query($after: String) { searchOrganisations(filter: { primaryRole: "RO177" }, first: 10, after: $after) { ${PAGE} } }`,
    variables: { after: Buffer.from('ods-offset:99').toString('base64') },
  },
  {
    name: 'membership search',
    query: `{ searchOrganisations(filter: { relatedTo: { odsCode: "rvv", relationshipTypes: ["RE6"], relationshipStatus: ACTIVE } }, first: 1000) { ${PAGE} } }`,
  },
  {
    name: 'changed since a date',
    query: `{ searchOrganisations(filter: { changedSince: "2026-01-01" }, first: 1000) { totalCount edges { node { odsCode lastChangeDate } } } }`,
  },
  {
    name: 'changed since days ago',
    query: `{ organisationsChangedSince(daysAgo: 90, first: 1000) { totalCount edges { node { odsCode name lastChangeDate } } } }`,
  },
  { name: 'first zero', query: `{ searchOrganisations(filter: { primaryRole: "RO98" }, first: 0) { ${PAGE} } }` },
  {
    name: 'code systems',
    query: `{ roleTypes { id code displayName isPrimary } relationshipTypes { id code displayName } recordClasses { id code displayName } }`,
  },
  {
    name: 'node and nodes',
    query: `query($id: ID!) { node(id: $id) { id ... on Organisation { odsCode name } } nodes(ids: [$id]) { id } }`,
    variables: { id: Buffer.from('Organisation:RWR').toString('base64') },
  },
  {
    name: 'walk down an ICB to its practices',
    query: `{ organisation(odsCode: "QMJ") { descendants(types: ["RE5", "RE4"], depth: 2, first: 1000) { totalCount edges { cursor depth relationshipType { id } via { odsCode } node { odsCode name primaryRole { type { id } } } } } } }`,
  },
  {
    name: 'walk down with a role filter and paging',
    query: `query($after: String) { organisation(odsCode: "QMJ") { descendants(types: ["RE5", "RE4"], depth: 2, primaryRole: "RO177", first: 20, after: $after) { ${PAGE} } } }`,
    variables: { after: Buffer.from('ods-offset:19').toString('base64') },
  },
  {
    name: 'walk down a trust as at a date',
    query: `{ organisation(odsCode: "RVV") { descendants(types: ["RE6"], activeOn: "2015-01-01", first: 1000) { totalCount edges { depth node { odsCode } } } } }`,
  },
  {
    name: 'walk up from a site',
    query: `{ organisation(odsCode: "RVVKC") { ancestors(types: ["RE6", "RE5"], first: 10) { totalCount edges { depth relationshipType { id } via { odsCode } node { odsCode name } } } } }`,
  },
  {
    name: 'walk up from a practice as at a date',
    query: `{ organisation(odsCode: "G6V2S") { then: ancestors(types: ["RE4", "RE5"], activeOn: "2025-06-30") { edges { depth node { odsCode } } } now: ancestors(types: ["RE4", "RE5"]) { edges { depth node { odsCode } } } } }`,
  },
  { name: 'bad code', query: `{ organisation(odsCode: "R-W") { odsCode } }` },
  {
    name: 'bad date',
    query: `{ organisation(odsCode: "RWR") { relationships(activeOn: "2021-13-01") { targetOdsCode } } }`,
  },
  { name: 'bad name filter', query: `{ searchOrganisations(filter: { name: "ab" }) { totalCount } }` },
  { name: 'empty filter', query: `{ searchOrganisations(filter: {}) { totalCount } }` },
  {
    name: 'bad cursor',
    query: `{ searchOrganisations(filter: { primaryRole: "RO197" }, after: "nope") { totalCount } }`,
  },
];

/** Every operation in the contract corpus: the example operations (with their own variables) first. */
export function contractCorpus(): ContractOperation[] {
  const examples = exampleOperations().map((op) => ({
    name: `example ${op.name}`,
    query: op.query,
    ...(op.variables ? { variables: JSON.parse(op.variables) as Record<string, unknown> } : {}),
  }));
  return [...examples, ...custom];
}
