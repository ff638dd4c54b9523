// Liveness and readiness for orchestrators: GET /health (the process answers) and GET /ready (it can answer queries:
// code systems loaded, the ORD circuit not open, a mirror fresh enough; 503 with a JSON reason otherwise), served first.

import type { Plugin } from 'graphql-yoga';
import { codeSystemKnown, codeSystemsFor } from '../../loaders/index.js';
import type { OrganisationSource, SourceFreshness } from '../../sources/types.js';

export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';

export interface ReadinessReport {
  ready: boolean;
  /** Why not, in words, when not ready. */
  reason?: string;
  checks: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessReport>;

/** The circuit breaker's readable state (src/upstream/circuit.ts), structurally: the server layer needs no adapter import. */
export interface CircuitView {
  snapshot(): { state: string; retryAt: number | null; consecutiveFailures: number };
}

export interface ReadinessOptions {
  source: OrganisationSource;
  circuit?: CircuitView;
  /** Longest /ready waits for the code systems to load (default 2000 ms): a probe must not hang. */
  timeoutMs?: number;
  /** A pacer shared through Redis: /ready's body says whether it is shared now or this replica is alone on its share. */
  pacer?: { readonly mode: 'shared' | 'fallback' };
  /** A source whose data ages (the mirror): not ready once it was last complete longer ago than `maxAgeHours`. */
  freshness?: { source: SourceFreshness; maxAgeHours: number; now?: () => number };
}

/** Why a source's data is too old to serve, or undefined when it is fresh enough. */
function staleReason(freshness: NonNullable<ReadinessOptions['freshness']>, checks: Record<string, unknown>) {
  const { source, maxAgeHours } = freshness;
  const asOf = source.dataAsOf();
  checks.dataAsOf = asOf;
  if (asOf === null)
    return `the ${source.sourceName} has never been complete: run \`npm run mirror -- build\` or \`npm run mirror -- import <file>\``;
  const ageHours = ((freshness.now ?? Date.now)() - Date.parse(asOf)) / 3_600_000;
  checks.ageHours = Math.round(ageHours * 10) / 10;
  if (ageHours > maxAgeHours)
    return (
      `the ${source.sourceName} was last complete at ${asOf}, ${Math.round(ageHours)} h ago, more than ` +
      `MIRROR_MAX_AGE_HOURS (${maxAgeHours}): run \`npm run mirror -- sync\`, or set MIRROR_SYNC_MINUTES`
    );
  return undefined;
}

/**
 * Ready when the circuit is not open and the code systems are loaded. Loading them is itself the check: the first
 * /ready calls ORD (three calls), later ones find them memoised.
 */
export function readinessCheck({
  source,
  circuit,
  timeoutMs = 2000,
  freshness,
  pacer,
}: ReadinessOptions): ReadinessCheck {
  return async () => {
    const checks: Record<string, unknown> = {};
    // Still ready while Redis is away: requests are served, only paced more slowly (each replica at its share).
    if (pacer) checks.pacer = pacer.mode === 'shared' ? 'shared (Redis)' : 'fallback: this replica alone, at its share';
    if (freshness) {
      const reason = staleReason(freshness, checks);
      if (reason !== undefined) return { ready: false, reason, checks };
    }
    if (circuit) {
      const snap = circuit.snapshot();
      checks.circuit = snap.state;
      if (snap.state === 'open') {
        const inSeconds = snap.retryAt === null ? null : Math.max(0, Math.ceil((snap.retryAt - Date.now()) / 1000));
        return {
          ready: false,
          reason: `ORD circuit is open after ${snap.consecutiveFailures} consecutive failures${inSeconds === null ? '' : `; next probe in ${inSeconds} s`}`,
          checks,
        };
      }
    }
    if (
      (['roleTypes', 'relationshipTypes', 'recordClasses'] as const).every((system) => codeSystemKnown(source, system))
    ) {
      checks.codeSystems = 'loaded';
      return { ready: true, checks };
    }
    const codes = codeSystemsFor(source);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const loaded = Promise.all([codes.roleTypes(), codes.relationshipTypes(), codes.recordClasses()]).then(
        () => 'loaded' as const,
        () => 'failed' as const,
      );
      const outcome = await Promise.race([loaded, timeout]);
      checks.codeSystems = outcome;
      if (outcome !== 'loaded') {
        return {
          ready: false,
          reason: `code systems not loaded (${outcome === 'timeout' ? 'ORD is slow' : 'ORD failed'})`,
          checks,
        };
      }
    } finally {
      clearTimeout(timer);
    }
    return { ready: true, checks };
  };
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** Serves /health and /ready ahead of GraphQL. Without a check, /ready reports ready once the process is up. */
export function useHealthEndpoints(ready?: ReadinessCheck): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === HEALTH_PATH) {
        endResponse(json({ status: 'ok' }, 200));
        return;
      }
      if (url.pathname === READY_PATH) {
        let report: ReadinessReport;
        try {
          report = ready ? await ready() : { ready: true, checks: {} };
        } catch {
          report = { ready: false, reason: 'readiness check failed', checks: {} };
        }
        endResponse(
          json(
            {
              status: report.ready ? 'ready' : 'not_ready',
              ...(report.reason ? { reason: report.reason } : {}),
              checks: report.checks,
            },
            report.ready ? 200 : 503,
          ),
        );
      }
    },
  };
}
