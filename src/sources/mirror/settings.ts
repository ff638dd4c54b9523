// The mirror's settings and their one default each: where the store is, how often the server syncs, how old is too old.
// src/config.ts maps MIRROR_URL, MIRROR_SYNC_MINUTES and MIRROR_MAX_AGE_HOURS onto these.

import { fromPackageRoot } from '../../paths.js';

export interface MirrorSettings {
  /** `sqlite:<path>` (relative paths from the package root) or `postgres://user@host:port/db`. */
  url: string;
  /** Run the change-feed sync inside the server this often (0 = never; `npm run mirror -- sync` does it by hand). */
  syncMinutes: number;
  /** `/ready` fails once the mirror was last known complete longer ago than this. */
  maxAgeHours: number;
}

/** The embedded default: a SQLite file under the git-ignored var/ folder, no server needed. */
export const DEFAULT_MIRROR_URL = `sqlite:${fromPackageRoot('var', 'mirror.sqlite')}`;

export const DEFAULT_MIRROR_SETTINGS: MirrorSettings = {
  url: DEFAULT_MIRROR_URL,
  syncMinutes: 0,
  maxAgeHours: 48,
};
