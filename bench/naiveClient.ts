// The baseline for the analyst-task bench: an ORD client written the way typical scripts are (one record at a time).
// Plain undici fetch, ORD's default search page of 20 with Next-Page links followed, each listed record fetched by its OrgLink, a 0.21 s sleep per call (as odsR does), no cache.

import { fetch } from 'undici';
import type { OrdOrganisation, OrdRoleType, OrdSummary } from '../src/sources/ord/types.js';

/** odsR sleeps this long before each call to stay under ORD's five requests a second. */
export const NAIVE_SLEEP_MS = 210;
/** A runaway walk stops here rather than hammering the simulator. */
const MAX_CALLS = 5_000;

export class NaiveOrdClient {
  calls = 0;

  constructor(
    /** ORD base URL ending in a slash, e.g. http://127.0.0.1:PORT/ORD/2-0-0/ */
    private readonly baseUrl: string,
    private readonly sleepMs = NAIVE_SLEEP_MS,
  ) {}

  /** GET an absolute URL (an OrgLink or Next-Page link) or a path under the base; returns the JSON and the headers. */
  async get(urlOrPath: string): Promise<{ json: unknown; headers: Headers }> {
    if (++this.calls > MAX_CALLS) throw new Error(`naive client: more than ${MAX_CALLS} calls, giving up`);
    await new Promise((resolve) => setTimeout(resolve, this.sleepMs));
    const url = /^https?:/.test(urlOrPath) ? urlOrPath : new URL(urlOrPath, this.baseUrl).href;
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`naive client: GET ${url} answered ${res.status}: ${text.slice(0, 200)}`);
    return { json: JSON.parse(text) as unknown, headers: res.headers as unknown as Headers };
  }

  async organisation(codeOrLink: string): Promise<OrdOrganisation> {
    const path = /^https?:/.test(codeOrLink) ? codeOrLink : `organisations/${codeOrLink}`;
    const { json } = await this.get(path);
    return (json as { Organisation: OrdOrganisation }).Organisation;
  }

  /** Every row of a search, following Next-Page from ORD's default page of 20. */
  async searchAll(query: string): Promise<OrdSummary[]> {
    const rows: OrdSummary[] = [];
    let next: string | null = `organisations?${query}`;
    while (next !== null) {
      const { json, headers }: { json: unknown; headers: Headers } = await this.get(next);
      rows.push(...(json as { Organisations: OrdSummary[] }).Organisations);
      next = headers.get('next-page');
    }
    return rows;
  }

  /** OrgLinks of everything changed since `date` (ORD's /sync). */
  async sync(date: string): Promise<string[]> {
    const { json } = await this.get(`sync?LastChangeDate=${date}`);
    return (json as { Organisations: { OrgLink: string }[] }).Organisations.map((o) => o.OrgLink);
  }

  async roles(): Promise<OrdRoleType[]> {
    const { json } = await this.get('roles');
    return (json as { Roles: OrdRoleType[] }).Roles;
  }
}

const activeRel = (org: OrdOrganisation, type: string) =>
  (org.Rels?.Rel ?? []).filter((r) => r.id === type && r.Status === 'Active').map((r) => r.Target.OrgId.extension);
const predecessors = (org: OrdOrganisation) =>
  (org.Succs?.Succ ?? []).filter((s) => s.Type === 'Predecessor').map((s) => s.Target.OrgId.extension);

// --- The analyst tasks, as a script would do them. Each returns "code name" lines so answers can be compared.

/** A trust with the names of its active sites. */
export async function naiveTrustWithSites(c: NaiveOrdClient, trust: string): Promise<string[]> {
  const org = await c.organisation(trust);
  const out = [`${trust} ${org.Name}`];
  for (const row of await c.searchAll(`TargetOrgId=${trust}&RelTypeId=RE6&RelStatus=active`)) {
    const site = await c.organisation(row.OrgLink);
    out.push(`${site.OrgId.extension} ${site.Name}`);
  }
  return out;
}

/** An ICB down through its sub-ICB locations to every practice, with each practice's PCN. */
export async function naiveIcbToPractices(c: NaiveOrdClient, icb: string): Promise<string[]> {
  const org = await c.organisation(icb);
  const out = [`${icb} ${org.Name}`];
  for (const subRow of await c.searchAll(`TargetOrgId=${icb}&RelTypeId=RE5&RelStatus=active&PrimaryRoleId=RO98`)) {
    const sub = await c.organisation(subRow.OrgLink);
    out.push(`${sub.OrgId.extension} ${sub.Name}`);
    const subCode = sub.OrgId.extension;
    for (const row of await c.searchAll(`TargetOrgId=${subCode}&RelTypeId=RE4&RelStatus=active&PrimaryRoleId=RO177`)) {
      const practice = await c.organisation(row.OrgLink);
      out.push(`${practice.OrgId.extension} ${practice.Name} ${practice.GeoLoc?.Location.PostCode ?? ''}`);
      // No memo: a script fetches the PCN again for every practice in it.
      for (const pcnCode of activeRel(practice, 'RE8')) out.push(`${pcnCode} ${(await c.organisation(pcnCode)).Name}`);
    }
  }
  return out;
}

/** An organisation's predecessors, theirs and theirs again. */
export async function naiveMergerHistory(c: NaiveOrdClient, code: string, generations = 3): Promise<string[]> {
  const out: string[] = [];
  const walk = async (org: OrdOrganisation, depth: number): Promise<void> => {
    out.push(`${org.OrgId.extension} ${org.Name}`);
    if (depth === generations) return;
    for (const pred of predecessors(org)) await walk(await c.organisation(pred), depth + 1);
  };
  await walk(await c.organisation(code), 0);
  return out;
}

/** Every organisation changed since `date`, with its name and its primary role's name. */
export async function naiveChangedSince(c: NaiveOrdClient, date: string): Promise<string[]> {
  const roleNames = new Map((await c.roles()).map((r) => [r.id, r.displayName]));
  const out: string[] = [];
  for (const link of await c.sync(date)) {
    const org = await c.organisation(link);
    const primary = org.Roles.Role.find((r) => r.primaryRole)?.id ?? '';
    out.push(`${org.OrgId.extension} ${org.Name} ${roleNames.get(primary) ?? ''}`);
  }
  return out;
}
