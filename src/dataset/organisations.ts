// Generators for the statutory layer: NHS England regions, ICBs, CCG-family commissioners, NHS trusts and trust sites.
// Each turns source rows into DraftOrgs; inferred values are noted in the draft's synthetic list (reasons.ts).

import { AS_OF, dayBefore, earlierOf, laterOf } from './dates.js';
import { type DraftOrg, type DraftRel, type DraftRole, locationFrom, period } from './draft.js';
import { REASON } from './reasons.js';
import type { Sources, TrustRow } from './sources.js';

/** Succession dates per code, for records whose own dates are missing from the sources. */
interface SuccessionDates {
  /** Dates on which the code became a successor (i.e. started as the target of a succession). */
  asSuccessor: string[];
  /** Dates on which the code handed over to a successor. */
  asPredecessor: string[];
}

export function indexSuccessionDates(sources: Sources): Map<string, SuccessionDates> {
  const index = new Map<string, SuccessionDates>();
  const entry = (code: string): SuccessionDates => {
    let e = index.get(code);
    if (e === undefined) index.set(code, (e = { asSuccessor: [], asPredecessor: [] }));
    return e;
  };
  for (const s of sources.successions) {
    entry(s.successor).asSuccessor.push(s.date);
    entry(s.predecessor).asPredecessor.push(s.date);
  }
  return index;
}

function earliest(dates: readonly string[] | undefined): string | undefined {
  return dates?.reduce<string | undefined>((min, d) => earlierOf(min, d), undefined);
}

/** Region code → region name, joining icb_lookup (ICB → region name) with epraccur cols 3–4 (region code, ICB code). */
function regionNamesByCode(sources: Sources): Map<string, string> {
  const regionNameByIcb = new Map(sources.icbs.map((i) => [i.code, i.regionName] as const));
  const votes = new Map<string, Map<string, number>>();
  for (const p of sources.pccs) {
    const name = regionNameByIcb.get(p.icb);
    if (name === undefined || !/^Y\d\d$/.test(p.region)) continue;
    const byName = votes.get(p.region) ?? new Map<string, number>();
    byName.set(name, (byName.get(name) ?? 0) + 1);
    votes.set(p.region, byName);
  }
  const result = new Map<string, string>();
  for (const code of [...votes.keys()].sort()) {
    const ranked = [...(votes.get(code) ?? new Map<string, number>()).entries()].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
    );
    const top = ranked[0];
    if (top !== undefined) result.set(code, top[0]);
  }
  return result;
}

/** The 7 NHS England regions (RO209). Their records are not in the sources, so names and dates are synthetic. */
export function buildRegions(sources: Sources, succession: Map<string, SuccessionDates>): DraftOrg[] {
  const names = regionNamesByCode(sources);
  const drafts: DraftOrg[] = [];
  for (const [code, regionName] of names) {
    const start = earliest(succession.get(code)?.asSuccessor) ?? '2019-04-01';
    drafts.push({
      code,
      name: `${regionName.toUpperCase()} COMMISSIONING REGION`,
      dates: { operational: period(start, undefined) },
      recordClass: 'RC1',
      refOnly: false,
      roles: [{ id: 'RO209', primary: true, dates: { operational: period(start, undefined) } }],
      rels: [],
      succs: [],
      synthetic: [
        { path: 'Name', reason: REASON.regionName },
        { path: 'Date', reason: REASON.regionDates },
        { path: 'Roles.Role[0].Date', reason: REASON.regionDates },
      ],
    });
  }
  return drafts;
}

/** The 42 ICBs: primary RO261 (the STP-era role ORD still uses) and non-primary RO318, RE5 → region (unverified). */
export function buildIcbs(sources: Sources, succession: Map<string, SuccessionDates>): DraftOrg[] {
  const regionCodeByName = new Map([...regionNamesByCode(sources)].map(([code, name]) => [name, code] as const));
  return sources.icbs.map((icb) => {
    const dates = succession.get(icb.code);
    const start = earlierOf('2020-04-01', earliest(dates?.asSuccessor)) ?? '2020-04-01';
    const handover = earliest(dates?.asPredecessor);
    const end = handover === undefined ? undefined : dayBefore(handover);
    const icbRoleStart = laterOf(start, '2022-07-01');
    const regionCode = regionCodeByName.get(icb.regionName);
    const rels: DraftRel[] = [];
    if (regionCode !== undefined)
      rels.push({ id: 'RE5', target: regionCode, dates: { operational: period(start, end) } });
    return {
      code: icb.code,
      name: icb.name.toUpperCase(),
      dates: { operational: period(start, end), legal: period(start, end) },
      recordClass: 'RC1',
      refOnly: false,
      roles: [
        { id: 'RO261', primary: true, dates: { operational: period(start, end), legal: period(start, end) } },
        {
          id: 'RO318',
          primary: false,
          dates: { operational: period(icbRoleStart, end), legal: period(icbRoleStart, end) },
        },
      ],
      rels,
      succs: [],
      synthetic: [
        { path: 'Date', reason: REASON.icbDates },
        { path: 'Roles.Role[0].Date', reason: REASON.icbDates },
        { path: 'Roles.Role[1].Date', reason: REASON.icbRole },
        ...(rels.length > 0 ? [{ path: 'Rels.Rel[0]', reason: REASON.icbRegionRel }] : []),
      ],
    } satisfies DraftOrg;
  });
}

/** eccg.csv: sub-ICB locations (RO319 [+RO326], RE5 → ICB), reporting entities (RO327, RE2 → ICB), hubs (RO218), closed CCGs. */
export function buildCommissioners(sources: Sources, icbCodes: ReadonlySet<string>): DraftOrg[] {
  return sources.commissioners.map((c) => {
    const draft: DraftOrg = {
      code: c.code,
      name: c.name,
      dates: { operational: period(c.open, c.close), legal: period(c.open, c.close) },
      recordClass: 'RC1',
      refOnly: false,
      roles: [],
      rels: [],
      succs: [],
      synthetic: [],
    };
    const location = locationFrom(c.address.lines, c.address.postCode, 'ENGLAND');
    if (location !== undefined) draft.location = location;
    // Non-primary roles first, then the primary one: the order the real 97T record shows for a CCG-family record.
    for (const roleId of c.nonPrimaryRoles) {
      const isSubIcbRole = roleId === 'RO319' || roleId === 'RO326';
      const start = isSubIcbRole ? laterOf(c.open, '2022-07-01') : c.open;
      if (isSubIcbRole && start !== c.open)
        draft.synthetic.push({ path: `Roles.Role[${draft.roles.length}].Date`, reason: REASON.subIcbRoleDates });
      draft.roles.push({
        id: roleId,
        primary: false,
        dates: { operational: period(start, c.close), legal: period(start, c.close) },
      });
    }
    draft.roles.push({
      id: 'RO98',
      primary: true,
      dates: { operational: period(c.open, c.close), legal: period(c.open, c.close) },
    });
    // Hubs carry Y63/QWO placeholders in cols 3–4 (a Wessex hub "in" West Yorkshire), so no relationship is built for them.
    const relType = c.nonPrimaryRoles.includes('RO327')
      ? 'RE2'
      : c.nonPrimaryRoles.includes('RO319')
        ? 'RE5'
        : undefined;
    if (relType !== undefined && icbCodes.has(c.icb)) {
      const start = relType === 'RE5' ? laterOf(c.open, '2022-07-01') : c.open;
      draft.synthetic.push({ path: `Rels.Rel[0].Date`, reason: REASON.commissionerRelDates });
      draft.rels.push({ id: relType, target: c.icb, dates: { operational: period(start, c.close) } });
    }
    return draft;
  });
}

/** Everything known about one trust: its etr row (if any) and whether ORD listed it as active in Aug 2026. */
interface TrustFacts {
  code: string;
  name: string;
  row?: TrustRow;
  postCode: string;
  ordActive: boolean;
}

function trustFacts(sources: Sources): TrustFacts[] {
  const active = new Map(sources.activeTrusts.map((t) => [t.code, t] as const));
  const facts = new Map<string, TrustFacts>();
  for (const row of sources.trusts) {
    facts.set(row.code, {
      code: row.code,
      name: row.name,
      row,
      postCode: row.address.postCode,
      ordActive: active.has(row.code),
    });
  }
  for (const t of sources.activeTrusts) {
    if (!facts.has(t.code)) facts.set(t.code, { code: t.code, name: t.name, postCode: t.postCode, ordActive: true });
  }
  return [...facts.values()];
}

/**
 * NHS trusts: etr ∪ the ORD-active list. The etr close date is the legal end; the operational end is set only for trusts
 * ORD no longer lists as active (the 41 legally closed but ORD-active trusts stay operationally open, like RRP/TAF).
 */
export function buildTrusts(sources: Sources, icbCodes: ReadonlySet<string>): DraftOrg[] {
  return trustFacts(sources).map((t) => {
    const synthetic: DraftOrg['synthetic'] = [];
    let start = t.row?.open;
    if (start === undefined) {
      start = AS_OF;
      synthetic.push({ path: 'Date', reason: REASON.trustDates });
    }
    const legalEnd = t.row?.close;
    const operationalEnd = t.ordActive ? undefined : legalEnd;
    const dates = { operational: period(start, operationalEnd), legal: period(start, legalEnd) };
    const roles: DraftRole[] = [{ id: 'RO197', primary: true, dates }];
    if (t.name.includes('FOUNDATION TRUST')) {
      synthetic.push({ path: 'Roles.Role[1]', reason: REASON.foundationTrustRole });
      roles.push({ id: 'RO57', primary: false, dates });
    }
    const rels: DraftRel[] = [];
    const icb = t.row?.icb ?? '';
    if (icbCodes.has(icb)) {
      const re5Start = laterOf(start, '2020-04-01');
      if (re5Start !== undefined && (operationalEnd === undefined || re5Start <= operationalEnd)) {
        rels.push({
          id: 'RE5',
          target: icb,
          dates: { operational: period(re5Start, operationalEnd), legal: period(re5Start, legalEnd) },
        });
      }
      // RE8 to the ICB exists since July 2023 and, in the real RRP/TAF records, ends with the legal end.
      const re8Start = laterOf(start, '2023-07-01');
      if (re8Start !== undefined && (legalEnd === undefined || re8Start <= legalEnd)) {
        rels.push({ id: 'RE8', target: icb, dates: { operational: period(re8Start, legalEnd) } });
      }
      if (rels.length > 0) synthetic.push({ path: 'Rels.Rel[*].Date', reason: REASON.trustIcbRels });
    }
    const welsh = t.row?.gor === 'W';
    const location = t.row
      ? locationFrom(t.row.address.lines, t.row.address.postCode, welsh ? 'WALES' : 'ENGLAND')
      : locationFrom([], t.postCode, 'ENGLAND');
    const draft: DraftOrg = {
      code: t.code,
      name: t.name,
      dates,
      recordClass: 'RC1',
      refOnly: false,
      roles,
      rels,
      succs: [],
      synthetic,
    };
    if (location !== undefined) draft.location = location;
    if (t.row !== undefined && t.row.tel !== '') draft.tel = t.row.tel;
    return draft;
  });
}

/** Trust sites (RC2, RO198, RE6 → trust) from ods-parents.json; real name/postcode from ord-sample.json where known. */
export function buildTrustSites(
  sources: Sources,
  trusts: ReadonlyMap<string, DraftOrg>,
  succession: Map<string, SuccessionDates>,
): DraftOrg[] {
  const drafts: DraftOrg[] = [];
  for (const [code, trustCode] of sources.siteParents) {
    const trust = trusts.get(trustCode);
    if (trust === undefined)
      throw new Error(`trust site ${code}: operating trust ${trustCode} is not in the trust list`);
    const sample = sources.siteSamples.get(code);
    const synthetic: DraftOrg['synthetic'] = [];
    const start = laterOf(trust.dates.operational.start, earliest(succession.get(code)?.asSuccessor)) ?? AS_OF;
    synthetic.push({ path: 'Date', reason: REASON.siteDates });
    let name: string;
    if (sample !== undefined) {
      name = sample.name;
    } else {
      name = `${trust.name} SITE ${code}`;
      synthetic.push({ path: 'Name', reason: REASON.siteName });
    }
    const draft: DraftOrg = {
      code,
      name,
      dates: { operational: period(start, undefined) },
      recordClass: 'RC2',
      refOnly: false,
      roles: [{ id: 'RO198', primary: true, dates: { operational: period(start, undefined) } }],
      rels: [{ id: 'RE6', target: trustCode, dates: { operational: period(start, undefined) } }],
      succs: [],
      synthetic,
    };
    if (sample !== undefined && sample.postCode !== '') {
      const location = locationFrom([], sample.postCode, 'ENGLAND');
      if (location !== undefined) draft.location = location;
    }
    drafts.push(draft);
  }
  return drafts;
}
