// The mirror's settings and their one default each: where the store is, how often the server syncs, how old is too old.
// src/config.ts maps MIRROR_URL, MIRROR_SYNC_MINUTES, MIRROR_MAX_AGE_HOURS and MIRROR_RECORD_CACHE onto these.

import { fromPackageRoot } from '../../paths.js';

export interface MirrorSettings {
  /** `sqlite:<path>` (relative paths from the package root) or `postgres://user@host:port/db`. */
  url: string;
  /** Run the change-feed sync inside the server this often (0 = never; `npm run mirror -- sync` does it by hand). */
  syncMinutes: number;
  /** `/ready` fails once the mirror was last known complete longer ago than this. */
  maxAgeHours: number;
  /**
   * Decoded full records each server process keeps (0 = none): a warm card then costs no query. All are forgotten
   * after a sync in this process, and within 5 s of any record changing in the store when another process wrote it.
   */
  recordCacheSize: number;
}

/** The embedded default: a SQLite file under the git-ignored var/ folder, no server needed. */
export const DEFAULT_MIRROR_URL = `sqlite:${fromPackageRoot('var', 'mirror.sqlite')}`;

export const DEFAULT_MIRROR_SETTINGS: MirrorSettings = {
  url: DEFAULT_MIRROR_URL,
  syncMinutes: 0,
  maxAgeHours: 48,
  recordCacheSize: 5_000,
};
