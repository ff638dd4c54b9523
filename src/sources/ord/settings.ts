// The ORD client's settings: where ORD is, plus the call policy (src/upstream/settings.ts) its requests run under.
// ORD's defaults live here: config.ts reads the ORD_* variables over them, and the client needs nothing from config.ts.

import { DEFAULT_UPSTREAM_SETTINGS, type UpstreamSettings } from '../../upstream/settings.js';
import { ORD_PUBLIC_BASE_URL } from './types.js';

/**
 * From the environment (src/config.ts): ORD_BASE_URL, ORD_RATE_LIMIT, ORD_MAX_CONCURRENCY, ORD_TIMEOUT_MS,
 * ORD_MAX_RETRIES, ORD_PACER_GUARD_MS, ORD_CIRCUIT_FAILURES, ORD_CIRCUIT_RESET_SECONDS, ORD_MAX_QUEUED_PER_CLIENT.
 */
export interface OrdClientSettings extends UpstreamSettings {
  /** ORD base URL; the client adds the trailing slash relative paths need. */
  baseUrl: string;
}

/** ORD's public API under the shared call-policy defaults, whose 5 requests a second is ORD's own guidance. */
export const ORD_DEFAULT_SETTINGS: Readonly<Required<OrdClientSettings>> = Object.freeze({
  baseUrl: ORD_PUBLIC_BASE_URL,
  ...DEFAULT_UPSTREAM_SETTINGS,
});
