// Fault injection for the ORD simulator: latency, error pages, hangs, resets, broken bodies and an optional hard rate limit.
// Decisions are deterministic (seeded PRNG) so a flaky-upstream test fails the same way on every run.

import type { FaultConfig, FaultConfigSeed, FaultMode } from './types.js';

type FullFaultConfig = FaultConfig & FaultConfigSeed;

export const FAULT_MODES: readonly FaultMode[] = [
  'none',
  'http500',
  'http502',
  'http503',
  'rate429',
  'hang',
  'reset',
  'truncate',
  'malformed',
];

const CONFIG_KEYS = new Set([
  'latencyMs',
  'mode',
  'rate',
  'count',
  'pathPrefix',
  'retryAfterSeconds',
  'hardRateLimit',
  'seed',
]);

/** What to do with one request. `rateLimited` wins over `mode`; `latencyMs` applies before either. */
interface FaultDecision {
  latencyMs: number;
  mode: Exclude<FaultMode, 'none'> | null;
  rateLimited: boolean;
  retryAfterSeconds: number;
}

/** mulberry32: tiny, fast, good enough to spread `rate` hits evenly and reproducibly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks a FaultConfig that arrived from outside (HTTP body, CLI) and returns a clean copy; throws Error with a readable message. */
export function validateFaultConfig(input: unknown): FullFaultConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error('fault config must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  for (const k of Object.keys(raw)) {
    if (!CONFIG_KEYS.has(k)) throw new Error(`unknown fault setting "${k}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  }
  const out: FullFaultConfig = {};
  const num = (k: string, min: number, max: number, integer: boolean): number | undefined => {
    const v = raw[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new Error(
        `${k} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const latencyMs = num('latencyMs', 0, 600_000, false);
  if (latencyMs !== undefined) out.latencyMs = latencyMs;
  if (raw.mode !== undefined && raw.mode !== null) {
    if (typeof raw.mode !== 'string' || !FAULT_MODES.includes(raw.mode as FaultMode)) {
      throw new Error(`mode must be one of ${FAULT_MODES.join(', ')}; got ${JSON.stringify(raw.mode)}`);
    }
    out.mode = raw.mode as FaultMode;
  }
  const rate = num('rate', 0, 1, false);
  if (rate !== undefined) out.rate = rate;
  const count = num('count', 0, Number.MAX_SAFE_INTEGER, true);
  if (count !== undefined) out.count = count;
  if (raw.pathPrefix !== undefined && raw.pathPrefix !== null) {
    if (typeof raw.pathPrefix !== 'string') throw new Error('pathPrefix must be a string');
    out.pathPrefix = normalisePathPrefix(raw.pathPrefix);
  }
  const retry = num('retryAfterSeconds', 0, 86_400, true);
  if (retry !== undefined) out.retryAfterSeconds = retry;
  const hard = num('hardRateLimit', 0, 1_000_000, true);
  if (hard !== undefined) out.hardRateLimit = hard;
  const seed = num('seed', -(2 ** 31), 2 ** 32 - 1, true);
  if (seed !== undefined) out.seed = seed;
  return out;
}

/** Accept "organisations/RWR", "/organisations/RWR" or "/ORD/2-0-0/organisations/RWR" alike: the log's paths are relative. */
function normalisePathPrefix(p: string): string {
  if (p.startsWith('/ORD/2-0-0/')) return p.slice('/ORD/2-0-0/'.length);
  return p.startsWith('/') ? p.slice(1) : p;
}

export class FaultController {
  private config: FullFaultConfig = {};
  private random: () => number = mulberry32(1);
  /** Arrival times (ms) of requests admitted under the hard rate limit, oldest first. */
  private admitted: number[] = [];

  constructor(initial?: FaultConfig & FaultConfigSeed) {
    if (initial) this.set(initial);
  }

  set(config: FullFaultConfig): void {
    this.config = validateFaultConfig(config);
    this.random = mulberry32(this.config.seed ?? 1);
  }

  clear(): void {
    this.config = {};
    this.random = mulberry32(1);
    this.admitted = [];
  }

  current(): FullFaultConfig {
    return { ...this.config };
  }

  /** Decide for one ORD request; `path` is relative to the base path, query included (as in the log). */
  decide(path: string, now: number): FaultDecision {
    const cfg = this.config;
    const decision: FaultDecision = {
      latencyMs: 0,
      mode: null,
      rateLimited: false,
      retryAfterSeconds: cfg.retryAfterSeconds ?? 1,
    };

    // The hard limit models an upstream quota: it covers every path, and only admitted requests use up the window,
    // so a client that paces itself at N per second is never refused.
    const limit = cfg.hardRateLimit ?? 0;
    if (limit > 0) {
      while (this.admitted.length > 0 && (this.admitted[0] ?? 0) <= now - 1000) this.admitted.shift();
      if (this.admitted.length >= limit) {
        decision.rateLimited = true;
        return decision;
      }
      this.admitted.push(now);
    }

    if (cfg.pathPrefix && !path.startsWith(cfg.pathPrefix)) return decision;
    decision.latencyMs = cfg.latencyMs ?? 0;

    const mode = cfg.mode;
    if (!mode || mode === 'none') return decision;
    if (cfg.count !== undefined && cfg.count <= 0) return decision;
    const rate = cfg.rate ?? 1;
    if (rate < 1 && !(this.random() < rate)) return decision;
    decision.mode = mode;
    if (cfg.count !== undefined) {
      cfg.count--;
      // `count` faults used up: the mode switches itself off, latency and the hard limit stay.
      if (cfg.count <= 0) {
        delete cfg.mode;
        delete cfg.count;
        delete cfg.rate;
      }
    }
    return decision;
  }
}
