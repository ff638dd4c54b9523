// The key of every answer the shared cache holds, made in one place, and how a person reads a key back.
// To a store a key is an opaque string: its family's prefix, a colon, then the question it answers (e.g. "org:RWR").

import { normaliseOdsCode } from '../domain/odsCode.js';
import type { IsoDate } from '../domain/types.js';
import type { CodeSystemName, OrganisationSearch } from '../sources/types.js';

declare const madeHere: unique symbol;
/** A key made by this module's functions; nothing else spells one. */
export type CacheKey = string & { readonly [madeHere]: true };

const CODE_SYSTEMS: Record<CodeSystemName, { id: string; name: string }> = {
  roleTypes: { id: 'roles', name: 'role types' },
  relationshipTypes: { id: 'rels', name: 'relationship types' },
  recordClasses: { id: 'recordclasses', name: 'record classes' },
};

/** Each family's prefix, and how a reader of `extensions.stale` names an answer of it from the rest of its key. */
const FAMILIES = {
  organisation: { prefix: 'org', describe: (code) => `organisation ${code}` },
  summary: { prefix: 'sum', describe: (code) => `summary ${code}` },
  search: { prefix: 'search', describe: (question) => `search ${question}` },
  changes: { prefix: 'changes', describe: (date) => `changes since ${date}` },
  codeSystem: {
    prefix: 'codes',
    describe: (id) => Object.values(CODE_SYSTEMS).find((system) => system.id === id)?.name ?? `code system ${id}`,
  },
} satisfies Record<string, { prefix: string; describe: (rest: string) => string }>;

const keyIn = (family: keyof typeof FAMILIES, rest: string) => `${FAMILIES[family].prefix}:${rest}` as CacheKey;

/** A full record (codes are case-insensitive: normalised by src/domain/odsCode.ts), or the negative entry for a code the source does not hold. */
export const organisationKey = (odsCode: string): CacheKey => keyIn('organisation', normaliseOdsCode(odsCode));

export const summaryKey = (odsCode: string): CacheKey => keyIn('summary', normaliseOdsCode(odsCode));

/** A stable key for a search page: keys sorted, arrays sorted, values upper-cased (ORD compares case-insensitively). */
export function searchKey(filter: OrganisationSearch, offset: number, limit: number): CacheKey {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return [...v].map(norm).sort();
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, norm(x)]),
      );
    }
    return typeof v === 'string' ? v.toUpperCase() : v;
  };
  return keyIn('search', `${JSON.stringify(norm(filter))}:${offset}:${limit}`);
}

/** The change feed's list for one date. */
export const changesKey = (since: IsoDate): CacheKey => keyIn('changes', since);

export const codeSystemKey = (system: CodeSystemName): CacheKey => keyIn('codeSystem', CODE_SYSTEMS[system].id);

/** A cache key as a reader of `extensions.stale` would name it, e.g. "organisation RWR". */
export function describeCacheKey(key: CacheKey): string {
  const at = key.indexOf(':');
  const family = Object.values(FAMILIES).find(({ prefix }) => prefix === key.slice(0, at));
  return at >= 0 && family ? family.describe(key.slice(at + 1)) : key;
}
