// The composition root: settings → the wire client (ORD or ODT) → its source → shared cache (+ change-feed poller) → Yoga.
// src/main.ts, src/demo.ts and the test stack build the server only through createApp, so they all run the same wiring.

import { loadConfig, type Config } from './config.js';
import { DEFAULT_MIRROR_SETTINGS } from './sources/mirror/settings.js';
import type { IsoDate } from './domain/types.js';
import { OrdClient, type OrdClientOptions } from './sources/ord/client.js';
import { FhirClient } from './sources/fhir/client.js';
import { FhirOrganisationSource } from './sources/fhir/source.js';
import { FHIR_DEFAULT_SETTINGS } from './sources/fhir/settings.js';
import type { Logger } from './logger.js';
import { createOdsServer, type OdsServer } from './server/yoga.js';
import { readinessCheck } from './server/plugins/health.js';
import { upstreamScopeOf, useUpstreamBudget } from './server/plugins/budget.js';
import type { HardeningSettings } from './server/plugins/hardening.js';
import type { GraphiqlSettings } from './server/plugins/graphiql.js';
import { useClientIdentity, type ClientIdentitySettings } from './server/plugins/clientIdentity.js';
import { useRateLimit, type RateLimitSettings } from './server/plugins/rateLimit.js';
import type { ResponseBoundsSettings } from './server/plugins/responseBounds.js';
import { cacheSettingsFrom } from './cache/settings.js';
import { MemoryStore } from './cache/store.memory.js';
import { describeCacheKey } from './cache/keys.js';
import { CachedOrganisationSource, type StaleNotice } from './cache/cachedSource.js';
import { ChangeFeedPoller } from './cache/changeFeed.js';
import { OrdOrganisationSource } from './sources/ord/source.js';
import { MirrorOrganisationSource } from './sources/mirror/source.js';
import { openMirrorStore } from './sources/mirror/open.js';
import type { MirrorStore } from './sources/mirror/store.js';
import { MirrorSyncLoop } from './sources/mirror/sync.js';
import type { OrganisationSource } from './sources/types.js';
import { useSourceFreshness } from './server/plugins/sourceFreshness.js';
import { Redis } from 'ioredis';
import { SlidingWindowPacer } from './upstream/pacer.js';
import { RedisPacer } from './upstream/pacer.redis.js';
import {
  DEFAULT_SHARED_STATE_SETTINGS,
  fallbackRate,
  resolveUpstreamSettings,
  type UpstreamSettings,
} from './upstream/settings.js';

/** What the composition root is built from: the sections of the Config it wires (src/config.ts loadConfig). */
export interface AppSettings extends Pick<Config, 'ord' | 'cache' | 'changeFeed' | 'budget'> {
  /** Which source serves the contract (SOURCE); `ord` when omitted. `mirror` needs `mirror` and a store (openApp). */
  source?: Config['source'];
  /** Where ODT is, its key and call policy (FHIR_*), for SOURCE=fhir; the defaults when omitted. */
  fhir?: Config['fhir'];
  /** Where the mirror is and how fresh it must be (MIRROR_*); the defaults when omitted. */
  mirror?: Config['mirror'];
  /** Limits, CORS, shutdown grace (src/server/plugins/hardening.ts); the defaults when omitted. */
  hardening?: Partial<HardeningSettings>;
  /** GraphiQL on or off (src/server/plugins/graphiql.ts); on when omitted. */
  graphiql?: Partial<GraphiqlSettings>;
  /** API keys, header, trusted proxies (src/server/plugins/clientIdentity.ts); the defaults when omitted. */
  clientIdentity?: ClientIdentitySettings;
  /** Per-client requests and estimated ORD calls a minute (src/server/plugins/rateLimit.ts); the defaults when omitted. */
  rateLimit?: RateLimitSettings;
  /** MAX_RESPONSE_BYTES, MAX_RESULT_OBJECTS (src/server/plugins/responseBounds.ts); the defaults when omitted. */
  responseBounds?: Partial<ResponseBoundsSettings>;
  /** REDIS_URL, REPLICAS_EXPECTED: several replicas sharing one upstream budget; none (one process) when omitted. */
  shared?: Config['shared'];
}

export interface AppOverrides {
  logger?: Logger;
  /** Clock, sleep, backoff and pacer-guard options for the wire client, ORD's or ODT's (tests). */
  clientOptions?: OrdClientOptions;
  /** The cache's clock (tests expire entries without waiting). */
  now?: () => number;
  /** The source's idea of today, for the change feed and `daysAgo` (tests and the demo point it at the simulator's). */
  today?: () => IsoDate;
  /** Offer the example operations as GraphiQL tabs (default true). */
  exampleTabs?: boolean;
  /** Wrap or replace the uncached wire source (e.g. a fault-injecting decorator in tests). */
  upstream?: (wire: OrganisationSource) => OrganisationSource;
  /** With SOURCE=mirror: the opened store and its source (openApp opens them from MIRROR_URL). */
  mirror?: { store: MirrorStore; source: MirrorOrganisationSource };
}

export interface App {
  yoga: OdsServer;
  /** The ORD client (always built: the mirror's sync reads ORD; with SOURCE=fhir it makes no calls). */
  client: OrdClient;
  /** The ODT client with SOURCE=fhir, else null. */
  fhirClient: FhirClient | null;
  /** What the schema reads: the shared cache over `upstream`, or `upstream` itself when CACHE_MAX_BYTES is 0. */
  source: OrganisationSource;
  /** The shared cache, or null when it is off. */
  cache: CachedOrganisationSource | null;
  /** The uncached source (every call goes to ORD). */
  upstream: OrganisationSource;
  /** The change-feed evictor; null when ORD_SYNC_POLL_MINUTES is 0 or the cache is off. Started by createApp. */
  poller: ChangeFeedPoller | null;
  /** The mirror serving the contract (SOURCE=mirror), else null. */
  mirror: { store: MirrorStore; source: MirrorOrganisationSource } | null;
  /** The in-server mirror sync (MIRROR_SYNC_MINUTES > 0 with SOURCE=mirror), else null. Started by createApp. */
  mirrorSync: MirrorSyncLoop | null;
  /** Stops the poller and closes ORD connections (let in-flight requests finish first). */
  close(): Promise<void>;
}

/** The app's settings from the environment (the project's defaults for `{}`). */
export function appSettingsFromEnv(env: Record<string, string | undefined> = process.env): AppSettings {
  const {
    source,
    ord,
    fhir,
    mirror,
    cache,
    changeFeed,
    budget,
    hardening,
    graphiql,
    clientIdentity,
    rateLimit,
    responseBounds,
    shared,
  } = loadConfig(env);
  return {
    source,
    ord,
    fhir,
    mirror,
    cache,
    changeFeed,
    budget,
    hardening,
    graphiql,
    clientIdentity,
    rateLimit,
    responseBounds,
    shared,
  };
}

/**
 * createApp, after opening what SOURCE needs first: with `mirror`, the store at MIRROR_URL (migrated) and its source.
 * The app closes what this opened.
 */
export async function openApp(settings: AppSettings, overrides: AppOverrides = {}): Promise<App> {
  if (settings.source !== 'mirror' || overrides.mirror) return createApp(settings, overrides);
  const mirrorSettings = settings.mirror ?? DEFAULT_MIRROR_SETTINGS;
  const store = await openMirrorStore(mirrorSettings.url);
  const source = await MirrorOrganisationSource.open(store, { recordCacheSize: mirrorSettings.recordCacheSize });
  const app = createApp(settings, { ...overrides, mirror: { store, source } });
  return {
    ...app,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export function createApp(settings: AppSettings, overrides: AppOverrides = {}): App {
  const { logger } = overrides;
  const shared = settings.shared ?? DEFAULT_SHARED_STATE_SETTINGS;
  const redis = shared.redisUrl !== '' ? connectRedis(shared.redisUrl, logger) : null;
  // With Redis, each wire's rate holds for every replica together (its pacer shared); without, for this process.
  const pacerFor = (name: string, upstream: UpstreamSettings) => {
    if (!redis) return undefined;
    const resolved = resolveUpstreamSettings(upstream);
    const guardMs = overrides.clientOptions?.pacerGuardMs ?? resolved.pacerGuardMs;
    const ownShare = fallbackRate(resolved.rateLimit, shared.replicasExpected);
    return new RedisPacer({
      redis,
      name,
      limit: resolved.rateLimit,
      guardMs,
      fallback: new SlidingWindowPacer({ limit: ownShare, guardMs }),
      onModeChange: (mode, error) =>
        mode === 'fallback'
          ? logger?.warn(
              { err: String(error), rateLimit: ownShare },
              `Redis unreachable: ${name} paced by this replica alone at ${ownShare}/s (its share)`,
            )
          : logger?.info(`Redis reachable: ${name} paced for every replica together again`),
    });
  };
  const ordPacer = pacerFor('ord', settings.ord);
  const client = new OrdClient(settings.ord, { ...overrides.clientOptions, ...(ordPacer ? { pacer: ordPacer } : {}) });
  const ord = new OrdOrganisationSource(client);
  const fhirSettings = settings.fhir ?? FHIR_DEFAULT_SETTINGS;
  const fhirPacer = settings.source === 'fhir' ? pacerFor('fhir', fhirSettings) : undefined;
  const fhirClient =
    settings.source === 'fhir'
      ? new FhirClient(fhirSettings, {
          ...fhirOptions(overrides.clientOptions),
          ...(fhirPacer ? { pacer: fhirPacer } : {}),
        })
      : null;
  const wirePacer = fhirPacer ?? ordPacer;
  const wire: OrganisationSource = fhirClient ? new FhirOrganisationSource(fhirClient) : ord;
  const upstream = overrides.upstream ? overrides.upstream(wire) : wire;
  const mirror = settings.source === 'mirror' ? overrides.mirror : undefined;
  if (settings.source === 'mirror' && !mirror)
    throw new Error('SOURCE=mirror needs the mirror opened first: use openApp (it opens MIRROR_URL).');
  // The mirror is local and complete: no shared cache in front of it, and no ORD change feed to evict by.
  const cache =
    !mirror && settings.cache.cacheMaxBytes > 0
      ? new CachedOrganisationSource(upstream, {
          store: new MemoryStore(cacheSettingsFrom(settings.cache), overrides.now),
          // For now a log line; responses say so in `extensions.stale` through the UpstreamScope.
          onStaleServed: (notice: StaleNotice) =>
            logger?.warn(
              { key: notice.key, ageSeconds: Math.round(notice.ageMs / 1000), err: String(notice.error) },
              `served stale ${describeCacheKey(notice.key)}: ORD failed`,
            ),
        })
      : null;
  const source: OrganisationSource = mirror?.source ?? cache ?? upstream;
  const poller =
    cache && settings.changeFeed.pollMinutes > 0
      ? new ChangeFeedPoller({
          upstream,
          // The shared cache, the one holder of ORD data today, forgets what changed.
          subscribers: [{ changed: (odsCodes) => cache.evict(odsCodes) }],
          intervalMs: settings.changeFeed.pollMinutes * 60_000,
          ...(overrides.today ? { today: overrides.today } : {}),
          ...(logger ? { logger } : {}),
        })
      : null;
  poller?.start();
  const mirrorSettings = settings.mirror ?? DEFAULT_MIRROR_SETTINGS;
  // The mirror's own change feed: ORD's /sync and /notifications, applied to the store, then its freshness re-read.
  const mirrorSync =
    mirror && mirrorSettings.syncMinutes > 0
      ? new MirrorSyncLoop({
          source: ord,
          store: mirror.store,
          intervalMinutes: mirrorSettings.syncMinutes,
          onRound: () => mirror.source.refresh(),
          ...(overrides.today ? { today: overrides.today } : {}),
          ...(logger ? { logger } : {}),
        })
      : null;
  mirrorSync?.start();
  const yoga = createOdsServer({
    source,
    ...(logger ? { logger } : {}),
    ...(overrides.exampleTabs !== undefined ? { exampleTabs: overrides.exampleTabs } : {}),
    ...(settings.graphiql ? { graphiql: settings.graphiql } : {}),
    ...(overrides.today ? { today: overrides.today } : {}),
    ...(settings.responseBounds ? { responseBounds: settings.responseBounds } : {}),
    hardening: {
      ...(settings.hardening ? { settings: settings.hardening } : {}),
      // Ready when ORD's circuit is not open (or, from the mirror, it is fresh enough) and the code systems are held.
      ready: mirror
        ? readinessCheck({
            source,
            freshness: { source: mirror.source, maxAgeHours: mirrorSettings.maxAgeHours },
          })
        : readinessCheck({
            source,
            circuit: (fhirClient ?? client).circuit,
            ...(wirePacer ? { pacer: wirePacer } : {}),
          }),
      scopeOf: upstreamScopeOf,
    },
    // In this order: the client is named first, the budget estimates, then the client's limits charge the estimate.
    plugins: [
      ...(mirror ? [useSourceFreshness(mirror.source)] : []),
      useClientIdentity(settings.clientIdentity),
      useUpstreamBudget(source, settings.budget),
      useRateLimit(settings.rateLimit, logger ? { logger } : {}),
    ],
  });
  return {
    yoga,
    client,
    fhirClient,
    source,
    cache,
    upstream,
    poller,
    mirror: mirror ?? null,
    mirrorSync,
    close: async () => {
      await poller?.stop();
      await mirrorSync?.stop();
      mirror?.source.close();
      await client.close();
      await fhirClient?.close();
      redis?.disconnect();
    },
  };
}

/**
 * The one Redis connection the replica's shared parts use. No offline queue and a short command timeout: a dead
 * Redis must fail a command at once (the pacer then falls back), never hold a request. Reconnects by itself.
 */
function connectRedis(url: string, logger: Logger | undefined): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 0 });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger?.warn({ err: error.message }, 'Redis connection failed; retrying');
    down = true;
  });
  redis.on('ready', () => (down = false));
  return redis;
}

/** The wire-neutral part of the ORD client's test options (clock, sleep, backoff, pacer guard), for the ODT client. */
function fhirOptions(options: OrdClientOptions | undefined) {
  if (options === undefined) return {};
  const { now, sleep, random, baseDelayMs, maxDelayMs, maxRetryAfterMs, pacerGuardMs, userAgent } = options;
  return { now, sleep, random, baseDelayMs, maxDelayMs, maxRetryAfterMs, pacerGuardMs, userAgent };
}
