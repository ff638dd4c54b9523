// The ODT simulator's FHIR answers: one request (method, path, headers, body) in, status + headers + HAPI bytes out.
// Serves an OrdDataset as ODT would (docs/odt-wire.md); server.ts adds faults, the log and the control paths.
//
// Choices where ODT's sources are silent (also in docs/odt-wire.md, "Simulator choices"):
// * `_count` defaults to 20 and is capped at 1000 silently (HAPI's max_page_size behaviour); a full page carries a
//   next link and no `total`, a short one `total` and no next link, as HAPI's offset paging does.
// * Load order = ODS-code order of the dataset at start; records created later go after, as on the real service.
// * 401 (an API key configured, none or another sent): the proxy's CatchAll template filled in with 401 /
//   Unauthorized / "Invalid ApiKey". 429: the APIM shared-flow OperationOutcome (TOO_MANY_REQUESTS).
// * `$lookup` of an unknown code: 404 with Ontoserver's not-found OperationOutcome; its uuid is fixed.
// * `$expand`: the role, relationship and record-class systems, and ods-organization-code (with `concept in`, or
//   all of it in load order, paged by count/offset); over 50,000 concepts without a count is 422 too-costly.
// * Deletions: `List/Organization-deletion` lists every code deleted by applyChanges, date = that day at midnight UTC;
//   the three other Lists exist and are empty.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OrdDataset } from '../../dataset/types.js';
import { fromPackageRoot } from '../../paths.js';
import {
  EXPANSION_PROPERTY_EXTENSION,
  ODS_CODE_SYSTEM,
  RECORD_CLASS_CODE_SYSTEM,
  RELATIONSHIP_CODE_SYSTEM,
  ROLE_CODE_SYSTEM,
  type Extension,
  type Organization,
  type OrganizationAffiliation,
  type Parameters,
} from '../../sources/fhir/types.js';
import type { OrdOrganisation } from '../../sources/ord/types.js';
import type { OrdChanges } from '../ord/notifications.js';
import {
  conceptProperties,
  displayNamesOf,
  toFhirAffiliation,
  toFhirOrganization,
  toLookupParameters,
  type ConceptProperty,
  type DisplayNames,
} from './fhirRecords.js';
import { hapiJson } from './json.js';

export const ODT_BASE_PATH = '/organisation-data-terminology-api/fhir/';
export const ODT_PUBLIC_BASE_URL = 'https://api.service.nhs.uk/organisation-data-terminology-api/fhir/';
export const HAPI_POWERED_BY = 'HAPI FHIR 7.0.2 REST Server (FHIR Server; FHIR 4.0.1/R4)';
const FHIR_JSON = 'application/fhir+json;charset=UTF-8';
const MAX_COUNT = 1000;
const DEFAULT_COUNT = 20;
const MAX_EXPANSION = 50_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const LIST_IDS = [
  'Organization-deletion',
  'OrganizationAffiliation-deletion',
  'Organization-role-deletion',
  'Organization-succession-deletion',
];

const recorded = (path: string): Buffer => readFileSync(fromPackageRoot('data', 'recorded', 'odt', path));

/** What the server sends: status, headers in order, and the exact bytes. */
export interface OdtResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
  /** The request log's name for the interaction. */
  endpoint: string;
}

export interface OdtApiOptions {
  today: string;
  /** Base URL written into Bundle links and fullUrls (ends in a slash). */
  linkBaseUrl: string;
  /** When set, every request must carry it in the `apikey` header. */
  apiKey?: string;
  /** Answers larger than this become APIM's 422 too-costly (default 10 MB). */
  maxResponseBytes?: number;
}

type Query = [string, string][];

class HttpError extends Error {
  constructor(readonly response: Omit<OdtResponse, 'endpoint'>) {
    super(`HTTP ${response.status}`);
  }
}

function fhirResponse(status: number, value: unknown, extra: [string, string][] = []): Omit<OdtResponse, 'endpoint'> {
  return {
    status,
    headers: [
      ['Content-Type', FHIR_JSON],
      ['X-Powered-By', HAPI_POWERED_BY],
      ...extra,
      ['Access-Control-Allow-Origin', '*'],
    ],
    body: Buffer.from(hapiJson(value), 'utf8'),
  };
}

/** HAPI's OperationOutcome for an error, with its generated narrative (byte-exact against the recorded 404). */
export function hapiOutcome(diagnostics: string): unknown {
  const div =
    '<div xmlns="http://www.w3.org/1999/xhtml"><h1>Operation Outcome</h1><table border="0"><tr>' +
    `<td style="font-weight: bold;">ERROR</td><td>[]</td><td>${diagnostics}</td></tr></table></div>`;
  return {
    resourceType: 'OperationOutcome',
    text: { status: 'generated', div },
    issue: [{ severity: 'error', code: 'processing', diagnostics }],
  };
}

const hapiError = (status: number, diagnostics: string) =>
  new HttpError(fhirResponse(status, hapiOutcome(diagnostics)));

/** The proxy's CatchAll template (proxy/proxy-catchall-OperationOutcome.template.json) filled in. */
export function proxyOutcome(status: number, phrase: string, content: string): unknown {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: String(status),
        details: { coding: [{ code: String(status), display: phrase }] },
        diagnostics: content,
      },
    ],
  };
}

/** The APIM shared flow's rate-limit body (NOTES §1.4; the bytes are inferred). */
export const RATE_LIMIT_OUTCOME = {
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'error',
      code: 'throttled',
      details: {
        coding: [
          {
            system: 'https://fhir.nhs.uk/CodeSystem/Spine-ErrorOrWarningCode',
            version: '1',
            code: 'TOO_MANY_REQUESTS',
            display: 'Too Many Requests',
          },
        ],
      },
      diagnostics:
        "You have exceeded your application's rate limit. Please see: https://digital.nhs.uk/developer/guides-and-documentation/reference-guide#rate-limits for more details.",
    },
  ],
};

/** The JSON body of an ODT-shaped answer for `status` (the server's faults use it). */
export function odtErrorResponse(status: number, value: unknown): Omit<OdtResponse, 'endpoint'> {
  return fhirResponse(status, value);
}

const ORGANIZATION_PARAMS = new Set([
  '_id',
  'identifier',
  'name',
  'name:contains',
  'name:exact',
  'address-postalcode',
  'address-postalcode:contains',
  'address-postalcode:exact',
  'active',
  'roleCode',
  'roleCode:not',
  'activeRoleCode',
  'type',
  'lastChangeDate',
  '_count',
  '_offset',
  '_summary',
]);
/** HAPI-0524's list of valid Organization parameters (NOTES §1.2). */
const HAPI_ORGANIZATION_PARAMS =
  '[_content, _id, _lastUpdated, _profile, _security, _source, _tag, _text, active, activeRoleCode, address, address-city, address-country, address-postalcode, address-state, address-use, endpoint, identifier, lastChangeDate, name, partof, phonetic, roleCode, type]';
const AFFILIATION_PARAMS = new Set([
  '_id',
  'primary-organization',
  'participating-organization',
  'active',
  '_include',
  '_count',
  '_offset',
  '_summary',
]);

const stripSystem = (value: string): string => value.slice(value.lastIndexOf('|') + 1);
const codesOf = (value: string): string[] =>
  value.split(',').map((v) =>
    stripSystem(v.trim())
      .replace(/^Organization\//, '')
      .toUpperCase(),
  );

function dateMatcher(raw: string): (date: string) => boolean {
  const m = /^(eq|ne|gt|ge|lt|le)?(\d{4}-\d{2}-\d{2})$/.exec(raw);
  if (m === null) throw hapiError(400, `HAPI-1940: Invalid date/time/quantity format: "${raw}"`);
  const op = m[1] ?? 'eq';
  const d = m[2] as string;
  return (date) =>
    op === 'eq'
      ? date === d
      : op === 'ne'
        ? date !== d
        : op === 'gt'
          ? date > d
          : op === 'ge'
            ? date >= d
            : op === 'lt'
              ? date < d
              : date <= d;
}

function intParam(query: Query, name: string, fallback: number): number {
  const raw = query.find(([n]) => n === name)?.[1];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw hapiError(400, `HAPI-1935: Invalid ${name} value: "${raw}"`);
  return Number(raw);
}

export class OdtApi {
  today: string;
  private readonly records = new Map<string, OrdOrganisation>();
  private loadOrder: string[];
  private readonly deletions = new Map<string, string>();
  private readonly names: DisplayNames;
  private readonly organizationCache = new Map<string, Organization>();
  private affiliationIndex: {
    all: OrganizationAffiliation[];
    byTarget: Map<string, OrganizationAffiliation[]>;
  } | null = null;

  constructor(
    readonly dataset: OrdDataset,
    private readonly options: OdtApiOptions,
  ) {
    this.today = options.today;
    this.names = displayNamesOf(dataset);
    for (const [code, org] of dataset.organisations) this.records.set(code.toUpperCase(), org);
    this.loadOrder = [...this.records.keys()].sort();
  }

  get organisationCount(): number {
    return this.records.size;
  }

  /** Answer one request; never throws. */
  handle(
    method: string,
    pathAndQuery: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): OdtResponse {
    const q = pathAndQuery.indexOf('?');
    const pathname = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    const rawQuery = q < 0 ? '' : pathAndQuery.slice(q + 1);
    const rest = pathname.startsWith(ODT_BASE_PATH) ? decodeURIComponent(pathname.slice(ODT_BASE_PATH.length)) : null;
    const endpoint = endpointOf(method, rest);
    try {
      if (this.options.apiKey !== undefined && headers.apikey !== this.options.apiKey) {
        throw new HttpError(fhirResponse(401, proxyOutcome(401, 'Unauthorized', 'Invalid ApiKey')));
      }
      const query: Query = [...new URLSearchParams(rawQuery)];
      const answer = this.route(method, rest, query, rawQuery, body);
      const limit = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      if (answer.body.length > limit) {
        const tooBig = recorded('proxy/proxy-422-TooBigBody-OperationOutcome.json');
        return { status: 422, headers: [['Content-Type', 'application/json']], body: tooBig, endpoint };
      }
      return { ...answer, endpoint };
    } catch (error) {
      if (error instanceof HttpError) return { ...error.response, endpoint };
      throw error;
    }
  }

  /** Changes the data in process (the ORD simulator's OrdChanges): upserts, deletions (listed), a new today. */
  applyChanges(changes: OrdChanges): void {
    if (changes.today !== undefined) this.today = changes.today;
    for (const upsert of changes.upsert ?? []) {
      const org = { ...upsert, LastChangeDate: upsert.LastChangeDate ?? this.today } as OrdOrganisation;
      const code = org.OrgId.extension.toUpperCase();
      if (!this.records.has(code)) this.loadOrder.push(code);
      this.records.set(code, org);
      this.deletions.delete(code);
      this.organizationCache.delete(code);
    }
    for (const { odsCode } of changes.delete ?? []) {
      const code = odsCode.toUpperCase();
      if (!this.records.delete(code)) continue;
      this.loadOrder = this.loadOrder.filter((c) => c !== code);
      this.organizationCache.delete(code);
      this.deletions.set(code, this.today);
    }
    this.affiliationIndex = null;
  }

  // ---------------------------------------------------------------------------------------------- routes

  private route(method: string, rest: string | null, query: Query, rawQuery: string, body: string) {
    if (rest === null)
      throw hapiError(
        404,
        `HAPI-0302: Unknown resource type '' - Server knows how to handle: [Organization, OrganizationAffiliation, CodeSystem, ValueSet, List]`,
      );
    const parts = rest.split('/');
    const allowed = rest === 'ValueSet/$expand' ? 'POST' : 'GET';
    if (method !== allowed && !(method === 'GET' && rest === 'ValueSet/$expand'))
      throw hapiError(
        405,
        `HAPI-0427: HTTP Method ${method} is not allowed for this operation. Allowed method(s): ${allowed}`,
      );
    if (rest === 'metadata') {
      return {
        status: 200,
        headers: [['Content-Type', 'application/fhir+json']] as [string, string][],
        body: recorded('proxy/proxy-live-metadata-CapabilityStatement.json'),
      };
    }
    if (parts.length === 2 && parts[0] === 'Organization') return this.readOrganization(parts[1] as string);
    if (rest === 'Organization') return this.searchOrganizations(query, rawQuery);
    if (parts.length === 2 && parts[0] === 'OrganizationAffiliation') return this.readAffiliation(parts[1] as string);
    if (rest === 'OrganizationAffiliation') return this.searchAffiliations(query, rawQuery);
    if (rest === 'CodeSystem/$lookup') return this.lookup(query);
    if (rest === 'ValueSet/$expand') return this.expand(body);
    if (parts.length === 2 && parts[0] === 'List') return this.readList(parts[1] as string);
    throw hapiError(404, `HAPI-0302: Unknown resource type '${parts[0] ?? ''}'`);
  }

  private organization(code: string): Organization | undefined {
    let org = this.organizationCache.get(code);
    if (org === undefined) {
      const record = this.records.get(code);
      if (record === undefined) return undefined;
      org = toFhirOrganization(record, this.names);
      this.organizationCache.set(code, org);
    }
    return org;
  }

  private readOrganization(id: string) {
    const code = id.toUpperCase();
    const org = this.organization(code);
    if (org === undefined || id !== code) throw hapiError(404, `HAPI-2001: Resource Organization/${id} is not known`);
    return fhirResponse(200, org, [
      ['Content-Location', `https://hscorganisationdata.nhs.uk/fhir/Organization/${code}/_history/1`],
      ['Etag', 'W/"1"'],
      ['Last-Modified', new Date(`${this.records.get(code)?.LastChangeDate ?? this.today}T00:00:00Z`).toUTCString()],
    ]);
  }

  private affiliations() {
    if (this.affiliationIndex === null) {
      const all: OrganizationAffiliation[] = [];
      const byTarget = new Map<string, OrganizationAffiliation[]>();
      for (const code of this.loadOrder) {
        const record = this.records.get(code) as OrdOrganisation;
        for (const rel of record.Rels?.Rel ?? []) {
          const aff = toFhirAffiliation(record, rel, this.names);
          all.push(aff);
          const target = rel.Target.OrgId.extension.toUpperCase();
          const list = byTarget.get(target) ?? [];
          list.push(aff);
          byTarget.set(target, list);
        }
      }
      this.affiliationIndex = { all, byTarget };
    }
    return this.affiliationIndex;
  }

  private readAffiliation(id: string) {
    const aff = this.affiliations().all.find((a) => a.id === id);
    if (aff === undefined) throw hapiError(404, `HAPI-2001: Resource OrganizationAffiliation/${id} is not known`);
    return fhirResponse(200, aff);
  }

  private checkParams(query: Query, allowed: Set<string>, type: string, valid: string): void {
    for (const [name] of query) {
      if (!allowed.has(name))
        throw hapiError(
          400,
          `HAPI-0524: Unknown search parameter "${name}" for resource type "${type}". Valid search parameters for this search are: ${valid}`,
        );
    }
  }

  private searchOrganizations(query: Query, rawQuery: string) {
    this.checkParams(query, ORGANIZATION_PARAMS, 'Organization', HAPI_ORGANIZATION_PARAMS);
    const preds: ((org: Organization, record: OrdOrganisation) => boolean)[] = [];
    let candidates: string[] = this.loadOrder;
    for (const [name, value] of query) {
      switch (name) {
        case '_id':
        case 'identifier': {
          const wanted = new Set(codesOf(value));
          candidates = candidates.filter((c) => wanted.has(c));
          break;
        }
        case 'name':
          preds.push((o) => (o.name ?? '').toUpperCase().startsWith(value.toUpperCase()));
          break;
        case 'name:contains':
          preds.push((o) => (o.name ?? '').toUpperCase().includes(value.toUpperCase()));
          break;
        case 'name:exact':
          preds.push((o) => o.name === value);
          break;
        case 'address-postalcode':
          preds.push((o) => (o.address?.[0]?.postalCode ?? '').toUpperCase().startsWith(value.toUpperCase()));
          break;
        case 'address-postalcode:contains':
          preds.push((o) => (o.address?.[0]?.postalCode ?? '').toUpperCase().includes(value.toUpperCase()));
          break;
        case 'address-postalcode:exact':
          preds.push((o) => o.address?.[0]?.postalCode === value);
          break;
        case 'active':
          preds.push((o) => String(o.active !== false) === value);
          break;
        case 'roleCode':
        case 'roleCode:not':
        case 'activeRoleCode': {
          const wanted = new Set(codesOf(value));
          const has = (r: OrdOrganisation) =>
            r.Roles.Role.some(
              (role) => wanted.has(role.id.toUpperCase()) && (name !== 'activeRoleCode' || role.Status === 'Active'),
            );
          preds.push(name === 'roleCode:not' ? (_o, r) => !has(r) : (_o, r) => has(r));
          break;
        }
        case 'type': {
          const code = stripSystem(value).toUpperCase();
          preds.push(
            (_o, r) =>
              r.orgRecordClass.toUpperCase() === code ||
              ((code === 'REFONLY') === (r.refOnly === true) && (code === 'REFONLY' || code === 'FULL')),
          );
          break;
        }
        case 'lastChangeDate': {
          const matches = dateMatcher(value);
          preds.push((_o, r) => matches(r.LastChangeDate));
          break;
        }
        default:
          break;
      }
    }
    const matches: Organization[] = [];
    for (const code of candidates) {
      const org = this.organization(code);
      const record = this.records.get(code);
      if (org !== undefined && record !== undefined && preds.every((p) => p(org, record))) matches.push(org);
    }
    return this.bundle('Organization', query, rawQuery, matches, () => []);
  }

  private searchAffiliations(query: Query, rawQuery: string) {
    this.checkParams(
      query,
      AFFILIATION_PARAMS,
      'OrganizationAffiliation',
      '[_id, active, participating-organization, primary-organization]',
    );
    const index = this.affiliations();
    let list = index.all;
    const includes = new Set<string>();
    for (const [name, value] of query) {
      if (name === 'participating-organization') {
        const wanted = codesOf(value);
        const byTarget = new Set(wanted.flatMap((c) => index.byTarget.get(c) ?? []));
        list = list.filter((a) => byTarget.has(a));
      } else if (name === 'primary-organization') {
        const wanted = new Set(codesOf(value));
        list = list.filter((a) => wanted.has((a.organization?.identifier?.value ?? '').toUpperCase()));
      } else if (name === 'active') {
        list = list.filter((a) => String(a.active !== false) === value);
      } else if (name === '_id') {
        const wanted = new Set(value.split(','));
        list = list.filter((a) => wanted.has(a.id));
      } else if (name === '_include') {
        if (
          value !== 'OrganizationAffiliation:primary-organization' &&
          value !== 'OrganizationAffiliation:participating-organization'
        )
          throw hapiError(400, `HAPI-0408: Invalid _include parameter value: "${value}"`);
        includes.add(value);
      }
    }
    const included = (page: OrganizationAffiliation[]): Organization[] => {
      const seen = new Set<string>();
      const out: Organization[] = [];
      for (const a of page) {
        const refs = [
          includes.has('OrganizationAffiliation:primary-organization') ? a.organization : undefined,
          includes.has('OrganizationAffiliation:participating-organization') ? a.participatingOrganization : undefined,
        ];
        for (const ref of refs) {
          const code = ref?.identifier?.value?.toUpperCase();
          if (code === undefined || seen.has(code)) continue;
          seen.add(code);
          const org = this.organization(code);
          if (org !== undefined) out.push(org);
        }
      }
      return out;
    };
    return this.bundle('OrganizationAffiliation', query, rawQuery, list, included);
  }

  /** One searchset page: HAPI's offset paging, links and total rule (see the header comment). */
  private bundle<R extends Organization | OrganizationAffiliation>(
    type: string,
    query: Query,
    rawQuery: string,
    matches: R[],
    included: (page: R[]) => Organization[],
  ) {
    const count = Math.min(MAX_COUNT, intParam(query, '_count', DEFAULT_COUNT));
    const offset = intParam(query, '_offset', 0);
    const summaryCount = query.some(([n, v]) => n === '_summary' && v === 'count');
    const page = summaryCount || count === 0 ? [] : matches.slice(offset, offset + count);
    const full = !summaryCount && count > 0 && page.length === count;
    const base = this.options.linkBaseUrl;
    const links: { relation: string; url: string }[] = [
      { relation: 'self', url: `${base}${type}${rawQuery === '' ? '' : `?${rawQuery}`}` },
    ];
    if (full) {
      const others = query
        .filter(([n]) => n !== '_count' && n !== '_offset')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(
          ([n, v]) => `${n}=${encodeURIComponent(v).replace(/%3A/g, ':').replace(/%7C/g, '|').replace(/%2C/g, ',')}`,
        );
      links.push({
        relation: 'next',
        url: `${base}${type}?${[`_count=${count}`, `_offset=${offset + count}`, ...others].join('&')}`,
      });
    }
    const entry = [
      ...page.map((r) => ({ fullUrl: `${base}${type}/${r.id}`, resource: r, search: { mode: 'match' } })),
      ...included(page).map((r) => ({
        fullUrl: `${base}Organization/${r.id}`,
        resource: r,
        search: { mode: 'include' },
      })),
    ];
    return fhirResponse(200, {
      resourceType: 'Bundle',
      id: randomUUID(),
      meta: { lastUpdated: new Date().toISOString().replace('Z', '+00:00') },
      type: 'searchset',
      ...(full ? {} : { total: summaryCount ? matches.length : offset + page.length }),
      link: links,
      ...(entry.length > 0 ? { entry } : {}),
    });
  }

  private lookup(query: Query) {
    const system = query.find(([n]) => n === 'system')?.[1];
    const code = query.find(([n]) => n === 'code')?.[1];
    const record = code === undefined ? undefined : this.records.get(code.toUpperCase());
    if (system !== ODS_CODE_SYSTEM || code === undefined || record === undefined || code !== code.toUpperCase()) {
      const text = `[3f1c2a9e-5d7b-4c1e-9a0f-7b2d8e6c4a10]: The code ${code ?? ''} (${system ?? ''}:${this.today}) was not found.`;
      throw new HttpError(
        fhirResponse(404, {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'not-found', details: { text }, diagnostics: text }],
        }),
      );
    }
    return fhirResponse(200, toLookupParameters(record, this.today));
  }

  private expand(body: string) {
    let params: Parameters;
    try {
      params = JSON.parse(body) as Parameters;
    } catch {
      throw hapiError(400, 'HAPI-0450: Failed to parse request body as JSON resource.');
    }
    const valueSet = params.parameter?.find((p) => p.name === 'valueSet')?.resource as
      | { compose?: { include?: { system?: string; filter?: { property: string; op: string; value: string }[] }[] } }
      | undefined;
    const include = valueSet?.compose?.include?.[0];
    const wanted = new Set((params.parameter ?? []).filter((p) => p.name === 'property').map((p) => p.valueString));
    const countParam = params.parameter?.find((p) => p.name === 'count')?.valueInteger;
    const offset = Number(params.parameter?.find((p) => p.name === 'offset')?.valueInteger ?? 0);
    const system = include?.system;
    type Concept = { system: string; code: string; display: string; extension?: Extension[] };
    let concepts: Concept[];
    const property = (p: ConceptProperty): Extension => ({
      url: EXPANSION_PROPERTY_EXTENSION,
      extension: [
        { url: 'code', valueCode: p.code },
        { url: 'value', [p.valueType]: p.value } as Extension,
        ...(p.sub ?? []).map((s) => ({ ...property(s), url: 'subProperty' })),
      ],
    });
    if (system === ROLE_CODE_SYSTEM) {
      concepts = this.dataset.roles.map((r) => ({
        system,
        code: r.id,
        display: r.displayName,
        ...(wanted.has('primaryRole')
          ? {
              extension: [
                property({ code: 'primaryRole', valueType: 'valueBoolean', value: r.primaryRole === 'true' }),
              ],
            }
          : {}),
      }));
    } else if (system === RELATIONSHIP_CODE_SYSTEM || system === RECORD_CLASS_CODE_SYSTEM) {
      const items = system === RELATIONSHIP_CODE_SYSTEM ? this.dataset.rels : this.dataset.recordClasses;
      concepts = items.map((r) => ({ system, code: r.id, display: r.displayName }));
    } else if (system === ODS_CODE_SYSTEM) {
      const filter = include?.filter?.[0];
      let codes = this.loadOrder;
      if (filter !== undefined) {
        if (filter.property !== 'concept' || filter.op !== 'in')
          throw new HttpError(
            fhirResponse(422, {
              resourceType: 'OperationOutcome',
              issue: [
                {
                  severity: 'error',
                  code: 'invalid',
                  diagnostics: `There is no declared filter called ${filter.property} on code system ${ODS_CODE_SYSTEM}`,
                },
              ],
            }),
          );
        const set = new Set(codesOf(filter.value));
        codes = codes.filter((c) => set.has(c));
      }
      concepts = codes.map((code) => {
        const record = this.records.get(code) as OrdOrganisation;
        const props = conceptProperties(record).filter((p) => wanted.has('*') || wanted.has(p.code));
        return { system, code, display: record.Name, ...(props.length > 0 ? { extension: props.map(property) } : {}) };
      });
    } else {
      throw new HttpError(
        fhirResponse(404, {
          resourceType: 'OperationOutcome',
          issue: [
            { severity: 'error', code: 'not-found', diagnostics: `Unable to find CodeSystem ${system ?? '(none)'}` },
          ],
        }),
      );
    }
    if (concepts.length > MAX_EXPANSION && countParam === undefined) {
      throw new HttpError(
        fhirResponse(422, {
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'error',
              code: 'too-costly',
              diagnostics: `[${randomUUID()}]: The expansion of value set null was too big (>${MAX_EXPANSION}).`,
            },
          ],
        }),
      );
    }
    const count = countParam === undefined ? concepts.length : Number(countParam);
    return fhirResponse(200, {
      resourceType: 'ValueSet',
      expansion: {
        identifier: `urn:uuid:${randomUUID()}`,
        timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        total: concepts.length,
        offset,
        contains: concepts.slice(offset, offset + count),
      },
    });
  }

  private readList(id: string) {
    if (!LIST_IDS.includes(id)) throw hapiError(404, `HAPI-2001: Resource List/${id} is not known`);
    const entries =
      id === 'Organization-deletion'
        ? [...this.deletions].map(([code, date]) => ({
            date: `${date}T00:00:00+00:00`,
            item: { type: 'Organization', identifier: { system: ODS_CODE_SYSTEM, value: code } },
          }))
        : [];
    return fhirResponse(200, {
      resourceType: 'List',
      id,
      meta: { versionId: '1', lastUpdated: `${this.today}T00:00:00.000+00:00` },
      status: 'current',
      mode: 'working',
      title: `List of ${id.replace(/-deletion$/, '')} Resource Deletions`,
      date: `${this.today}T00:00:00+00:00`,
      ...(entries.length > 0 ? { entry: entries } : {}),
    });
  }
}

/** The request log's name for an interaction (the adapter's FhirEndpoint names, plus reads and metadata). */
function endpointOf(method: string, rest: string | null): string {
  if (rest === null) return 'other';
  if (rest === 'metadata') return 'metadata';
  if (rest === 'Organization') return 'organization-search';
  if (rest.startsWith('Organization/')) return 'organization';
  if (rest === 'OrganizationAffiliation') return 'affiliation-search';
  if (rest.startsWith('OrganizationAffiliation/')) return 'affiliation';
  if (rest === 'CodeSystem/$lookup') return 'lookup';
  if (rest === 'ValueSet/$expand' && method === 'POST') return 'expand';
  if (rest.startsWith('List/')) return 'list';
  return 'other';
}
