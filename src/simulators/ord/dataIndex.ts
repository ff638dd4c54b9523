// The simulator's precomputed view of an OrdDataset: lookups by code, role, relationship and postcode, plus pre-serialised bodies.
// Built once at start so a 1000-row search or a whole /sync over the ~56k-organisation dataset costs only a filter and a join.

import type { OrdDataset } from '../../dataset/types.js';
import type { OrdOrganisation, OrdSummary } from '../../sources/ord/types.js';
import { pythonJsonDumps } from './json.js';

interface IndexedRel {
  type: string; // upper-case, e.g. "RE4"
  target: string; // upper-case ODS code
  status: string; // lower-case "active" | "inactive"
}

export interface IndexedOrg {
  code: string;
  org: OrdOrganisation;
  /** Position in ORD's search order, ORDER BY Name, OrgId. */
  rank: number;
  upperName: string;
  /** Upper-case postcode, or null when the address has none. */
  postcode: string | null;
  primaryRole: string | null; // upper-case
  nonPrimaryRoles: string[]; // upper-case
  statusUpper: string;
  recordClassUpper: string;
  lastChangeDate: string;
  rels: IndexedRel[];
  /**
   * ORD's search INNER-JOINs the primary-role row, so an org without a primary role is never found by search. The 2018 SQL
   * also joined the address row, but the built dataset has no address for most records (its sources carry none), so
   * applying that join here would hide ~70% of organisations that real ORD finds: the simulator does not apply it [INF].
   */
  searchable: boolean;
}

/** Code-unit order, like a C-collated ORDER BY; the recorded 2019 page is consistent with it. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export class OrdIndex {
  readonly byCode = new Map<string, IndexedOrg>();
  /** Searchable organisations in search order. */
  readonly sorted: IndexedOrg[] = [];
  /** Every organisation in dataset (Map) order: /sync has no ORDER BY, so it answers in database order. */
  readonly databaseOrder: IndexedOrg[] = [];
  readonly byPrimaryRole = new Map<string, IndexedOrg[]>();
  readonly byNonPrimaryRole = new Map<string, IndexedOrg[]>();
  readonly byRelType = new Map<string, IndexedOrg[]>();
  readonly byRelTarget = new Map<string, IndexedOrg[]>();
  /** Searchable organisations that have a postcode, sorted by upper-case postcode, for prefix range scans. */
  readonly byPostcode: IndexedOrg[] = [];
  readonly roleNames = new Map<string, string>();

  /** Code-system bodies (exact bytes) keyed by collection, then by id ("" = the whole list). */
  readonly codeSystemBodies = new Map<string, Map<string, string>>();

  private readonly summaryCache = new Map<string, string>();
  private readonly syncItemCache = new Map<string, string>();

  constructor(
    readonly dataset: OrdDataset,
    readonly linkBaseUrl: string,
  ) {
    for (const r of dataset.roles) this.roleNames.set(r.id.toUpperCase(), r.displayName);

    for (const [code, org] of dataset.organisations) {
      const roles = org.Roles?.Role ?? [];
      const primary = roles.find((r) => r.primaryRole === true);
      const entry: IndexedOrg = {
        code: code.toUpperCase(),
        org,
        rank: 0,
        upperName: org.Name.toUpperCase(),
        postcode: org.GeoLoc?.Location.PostCode?.toUpperCase() ?? null,
        primaryRole: primary ? primary.id.toUpperCase() : null,
        nonPrimaryRoles: roles.filter((r) => r !== primary).map((r) => r.id.toUpperCase()),
        statusUpper: org.Status.toUpperCase(),
        recordClassUpper: org.orgRecordClass.toUpperCase(),
        lastChangeDate: org.LastChangeDate,
        rels: (org.Rels?.Rel ?? []).map((r) => ({
          type: r.id.toUpperCase(),
          target: r.Target.OrgId.extension.toUpperCase(),
          status: r.Status.toLowerCase(),
        })),
        searchable: primary !== undefined,
      };
      this.byCode.set(entry.code, entry);
      this.databaseOrder.push(entry);
      if (entry.searchable) this.sorted.push(entry);
    }

    this.sorted.sort(
      (a, b) => compareStrings(a.org.Name, b.org.Name) || compareStrings(a.org.OrgId.extension, b.org.OrgId.extension),
    );
    // Index lists are filled in search order, so a single-index search needs no sort afterwards.
    this.sorted.forEach((e, i) => {
      e.rank = i;
      if (e.primaryRole) pushTo(this.byPrimaryRole, e.primaryRole, e);
      for (const r of new Set(e.nonPrimaryRoles)) pushTo(this.byNonPrimaryRole, r, e);
      for (const t of new Set(e.rels.map((r) => r.type))) pushTo(this.byRelType, t, e);
      for (const t of new Set(e.rels.map((r) => r.target))) pushTo(this.byRelTarget, t, e);
      if (e.postcode !== null) this.byPostcode.push(e);
    });
    this.byPostcode.sort((a, b) => compareStrings(a.postcode ?? '', b.postcode ?? '') || a.rank - b.rank);

    this.addCodeSystem('roles', 'Roles', dataset.roles);
    this.addCodeSystem('rels', 'Relationships', dataset.rels);
    this.addCodeSystem('recordclasses', 'RecordClasses', dataset.recordClasses);
  }

  private addCodeSystem(collection: string, wrapper: string, items: { id: string }[]): void {
    const bodies = new Map<string, string>();
    bodies.set('', pythonJsonDumps({ [wrapper]: items }));
    for (const item of items) bodies.set(item.id, pythonJsonDumps({ [wrapper]: [item] }));
    this.codeSystemBodies.set(collection, bodies);
  }

  orgLink(code: string): string {
    return `${this.linkBaseUrl}organisations/${code}`;
  }

  /** The search row for one organisation, serialised once and cached (rows are immutable for the simulator's life). */
  summaryJson(e: IndexedOrg): string {
    let s = this.summaryCache.get(e.code);
    if (s === undefined) {
      const org = e.org;
      const summary: OrdSummary = {
        Name: org.Name,
        OrgId: org.OrgId.extension,
        Status: org.Status,
        OrgRecordClass: org.orgRecordClass,
        PostCode: org.GeoLoc?.Location.PostCode,
        LastChangeDate: org.LastChangeDate,
        PrimaryRoleId: e.primaryRole ?? '',
        // A role missing from the code system would break ORD's join; the simulator answers an empty description instead.
        PrimaryRoleDescription: (e.primaryRole && this.roleNames.get(e.primaryRole)) || '',
        OrgLink: this.orgLink(org.OrgId.extension),
      };
      s = pythonJsonDumps(summary);
      this.summaryCache.set(e.code, s);
    }
    return s;
  }

  syncItemJson(e: IndexedOrg): string {
    let s = this.syncItemCache.get(e.code);
    if (s === undefined) {
      s = pythonJsonDumps({ OrgLink: this.orgLink(e.org.OrgId.extension) });
      this.syncItemCache.set(e.code, s);
    }
    return s;
  }

  /** Searchable organisations whose upper-case postcode starts with `prefix`, in search order. */
  postcodePrefix(prefix: string): IndexedOrg[] {
    const list = this.byPostcode;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid]?.postcode ?? '') < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: IndexedOrg[] = [];
    for (let i = lo; i < list.length; i++) {
      const e = list[i];
      if (!e || !(e.postcode ?? '').startsWith(prefix)) break;
      out.push(e);
    }
    return out.sort((a, b) => a.rank - b.rank);
  }
}
