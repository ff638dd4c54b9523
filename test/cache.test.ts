// Unit tests for the shared entity cache and the caching source: TTL per kind (injected clock), the byte bound's LRU
// eviction, negative caching, stale-if-error, single flight, and a joiner that must not inherit another caller's budget.

import { describe, expect, it } from 'vitest';
import type { Organisation, OrganisationSummary } from '../src/domain/types.js';
import { DEFAULT_CACHE_SETTINGS, type CacheSettings } from '../src/cache/settings.js';
import { MemoryStore, estimateBytes } from '../src/cache/store.memory.js';
import { CachedOrganisationSource, type StaleNotice } from '../src/cache/cachedSource.js';
import { SourceRejectedError, SourceUnavailableError } from '../src/sources/errors.js';
import { UpstreamBudgetExceededError } from '../src/upstream/errors.js';
import { currentUpstreamScope, runInUpstreamScope, UpstreamScope } from '../src/upstream/scope.js';
import type { OrganisationSource, SearchPage } from '../src/sources/types.js';

const MIN = 60_000;
const SETTINGS: CacheSettings = {
  maxBytes: 10 * 1024 * 1024,
  ttlMs: {
    organisation: 60 * MIN,
    summary: 30 * MIN,
    search: 20 * MIN,
    codeSystem: 120 * MIN,
    changes: 5 * MIN,
    missing: 10 * MIN,
  },
};

function org(code: string): Organisation {
  return {
    kind: 'full',
    odsCode: code,
    name: `ORG ${code}`,
    status: 'ACTIVE',
    recordClassId: 'RC1',
    isReferenceOnly: false,
    lastChangeDate: '2026-01-01',
    operationalPeriod: null,
    legalPeriod: null,
    address: null,
    contacts: [],
    roles: [],
    relationships: [],
    successions: [],
  } as unknown as Organisation;
}

function summary(code: string): OrganisationSummary {
  return {
    kind: 'summary',
    odsCode: code,
    name: `ORG ${code}`,
    status: 'ACTIVE',
    recordClassId: 'RC1',
    postcode: 'AB1 2CD',
    lastChangeDate: '2026-01-01',
    primaryRoleTypeId: 'RO197',
  };
}

/** A fake source that counts calls per method and can be told to fail. */
class FakeSource implements OrganisationSource {
  calls: Record<string, number> = {};
  fail: unknown = undefined;
  known = new Set(['AAA', 'BBB', 'CCC']);

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    if (this.fail !== undefined) throw this.fail;
  }
  async getOrganisation(code: string) {
    this.count('getOrganisation');
    return this.known.has(code.toUpperCase()) ? org(code.toUpperCase()) : null;
  }
  async searchOrganisations(): Promise<SearchPage> {
    this.count('searchOrganisations');
    return { totalCount: 2, items: [summary('AAA'), summary('BBB')] };
  }
  async changedSince() {
    this.count('changedSince');
    return ['AAA'];
  }
  async roleTypes() {
    this.count('roleTypes');
    return [{ id: 'RO197', code: '197', displayName: 'NHS TRUST', isPrimary: true }];
  }
  async relationshipTypes() {
    this.count('relationshipTypes');
    return [];
  }
  async recordClasses() {
    this.count('recordClasses');
    return [];
  }
}

function setup(settings = SETTINGS) {
  let now = 1_000_000;
  const inner = new FakeSource();
  const stale: StaleNotice[] = [];
  const cached = new CachedOrganisationSource(inner, {
    store: new MemoryStore(settings, () => now),
    onStaleServed: (n) => stale.push(n),
  });
  return { inner, cached, stale, advance: (ms: number) => (now += ms) };
}

describe('TTL per kind (injected clock)', () => {
  it('a full record is fresh until CACHE_TTL_ORGANISATION, then fetched again', async () => {
    const { inner, cached, advance } = setup();
    await cached.getOrganisation('AAA');
    advance(60 * MIN - 1);
    await cached.getOrganisation('aaa'); // codes are case-insensitive
    expect(inner.calls.getOrganisation).toBe(1);
    expect(cached.knownOrganisation('AAA')?.odsCode).toBe('AAA');
    advance(1);
    expect(cached.knownOrganisation('AAA')).toBeUndefined();
    await cached.getOrganisation('AAA');
    expect(inner.calls.getOrganisation).toBe(2);
  });

  it('a search page expires at its own (shorter) TTL; its summaries at theirs', async () => {
    const { inner, cached, advance } = setup();
    await cached.searchOrganisations({ name: 'org' }, 0, 20);
    await cached.searchOrganisations({ name: 'ORG' }, 0, 20); // same key: ORD compares names case-insensitively
    expect(inner.calls.searchOrganisations).toBe(1);
    expect(cached.knownSummary('BBB')?.name).toBe('ORG BBB');
    advance(20 * MIN);
    await cached.searchOrganisations({ name: 'org' }, 0, 20);
    expect(inner.calls.searchOrganisations).toBe(2);
    // The page was re-fetched (re-priming summaries); 30 min after that they expire.
    advance(30 * MIN);
    expect(cached.knownSummary('BBB')).toBeUndefined();
  });

  it('code systems keep for CACHE_TTL_CODE_SYSTEMS and report freshness through knownCodeSystem', async () => {
    const { inner, cached, advance } = setup();
    expect(cached.knownCodeSystem('roleTypes')).toBe(false);
    await cached.roleTypes();
    expect(cached.knownCodeSystem('roleTypes')).toBe(true);
    advance(119 * MIN);
    await cached.roleTypes();
    expect(inner.calls.roleTypes).toBe(1);
    advance(MIN);
    expect(cached.knownCodeSystem('roleTypes')).toBe(false);
    await cached.roleTypes();
    expect(inner.calls.roleTypes).toBe(2);
  });
});

describe('negative caching', () => {
  it('an unknown code is remembered as null for the shorter CACHE_TTL_MISSING only', async () => {
    const { inner, cached, advance } = setup();
    expect(await cached.getOrganisation('ZZZ')).toBeNull();
    expect(await cached.getOrganisation('ZZZ')).toBeNull();
    expect(inner.calls.getOrganisation).toBe(1);
    expect(cached.knownOrganisation('ZZZ')).toBeNull(); // "known not to exist", distinct from undefined
    await cached.getOrganisation('AAA');
    advance(10 * MIN);
    // The negative entry has expired; the full record fetched at the same time has not.
    expect(cached.knownOrganisation('ZZZ')).toBeUndefined();
    expect(cached.knownOrganisation('AAA')?.odsCode).toBe('AAA');
    inner.known.add('ZZZ'); // created meanwhile
    expect((await cached.getOrganisation('ZZZ'))?.odsCode).toBe('ZZZ');
    expect(inner.calls.getOrganisation).toBe(3);
  });

  it('a 404 also drops a summary held for the code', async () => {
    const { inner, cached, advance } = setup();
    cached.primeSummaries([summary('GONE')]);
    advance(1);
    expect(await cached.getOrganisation('GONE')).toBeNull();
    expect(cached.knownSummary('GONE')).toBeUndefined();
    expect(inner.calls.getOrganisation).toBe(1);
  });
});

describe('stale-if-error', () => {
  it('serves the expired entry when upstream fails, and says so', async () => {
    const { inner, cached, stale, advance } = setup();
    await cached.getOrganisation('AAA');
    advance(61 * MIN);
    inner.fail = new SourceUnavailableError('http_status', 'ORD answered 503', {
      endpoint: 'organisation',
      status: 503,
    });
    const scope = new UpstreamScope();
    const served = await runInUpstreamScope(scope, () => cached.getOrganisation('AAA'));
    expect(served?.odsCode).toBe('AAA');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ key: 'org:AAA', ageMs: 61 * MIN });
    expect(scope.staleNotices).toEqual([{ key: 'organisation AAA', ageSeconds: 61 * 60 }]);
    expect(cached.stats().staleHits).toBe(1);
  });

  it('does not paper over a refusal (406) with a stale answer', async () => {
    const { inner, cached, advance } = setup();
    await cached.changedSince('2026-01-01');
    advance(6 * MIN);
    inner.fail = new SourceRejectedError(406, 'LastChangeDate is more than 185 days ago', 'sync');
    await expect(cached.changedSince('2026-01-01')).rejects.toBeInstanceOf(SourceRejectedError);
  });

  it('with nothing cached, the failure propagates', async () => {
    const { inner, cached } = setup();
    inner.fail = new SourceUnavailableError('timeout', 'ORD timed out');
    await expect(cached.getOrganisation('AAA')).rejects.toBeInstanceOf(SourceUnavailableError);
  });
});

describe('byte bound', () => {
  it('evicts the least recently used entries once the estimated bytes exceed CACHE_MAX_BYTES', () => {
    const value = { text: 'x'.repeat(1000) };
    const size = estimateBytes(value);
    const cache = new MemoryStore({ ...DEFAULT_CACHE_SETTINGS, maxBytes: size * 3 });
    cache.set('a', 'organisation', value);
    cache.set('b', 'organisation', value);
    cache.set('c', 'organisation', value);
    expect(cache.stats().bytes).toBe(size * 3);
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used; b the least
    expect(cache.peekFresh('b')).toBeDefined(); // inspection does not count as use
    cache.set('d', 'organisation', value);
    expect(cache.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((k) => cache.has(k))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 1, bytes: size * 3 });
  });

  it('answers served through knownSummary keep their entry recently used', () => {
    const { cached } = setup({ ...SETTINGS, maxBytes: estimateBytes(summary('AAA')) * 2 });
    cached.primeSummaries([summary('AAA'), summary('BBB')]);
    expect(cached.knownSummary('AAA')).toBeDefined();
    cached.primeSummaries([summary('CCC')]);
    expect(cached.knownSummary('BBB')).toBeUndefined();
    expect(cached.knownSummary('AAA')).toBeDefined();
  });
});

describe('single flight', () => {
  it('concurrent misses for one key share one upstream call', async () => {
    const { inner, cached } = setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => cached.getOrganisation('AAA')));
    expect(new Set(results.map((r) => r?.odsCode))).toEqual(new Set(['AAA']));
    expect(inner.calls.getOrganisation).toBe(1);
    expect(cached.stats().sharedInFlight).toBe(49);
  });

  it("a joiner does not inherit the starter's exhausted budget: it loads again under its own scope", async () => {
    // Like the ORD client: every upstream call spends from the caller's scope first, and is refused when it is spent.
    class SpendingSource extends FakeSource {
      override async getOrganisation(code: string) {
        currentUpstreamScope()?.spend('organisation');
        return super.getOrganisation(code);
      }
    }
    const inner = new SpendingSource();
    const spending: OrganisationSource = inner;
    const cached = new CachedOrganisationSource(spending, { store: new MemoryStore(SETTINGS) });
    const exhausted = new UpstreamScope({ budget: 0 });
    const withBudget = new UpstreamScope({ budget: 5 });
    // Both ask at once: the second joins the first's call, which fails on the first's budget.
    const first = runInUpstreamScope(exhausted, () => cached.getOrganisation('AAA'));
    const second = runInUpstreamScope(withBudget, () => cached.getOrganisation('AAA'));
    await expect(first).rejects.toBeInstanceOf(UpstreamBudgetExceededError);
    expect((await second)?.odsCode).toBe('AAA');
    expect(cached.stats().sharedInFlight).toBe(1);
    expect(withBudget.spent).toBe(1);
    expect(inner.calls.getOrganisation).toBe(1);
  });
});
