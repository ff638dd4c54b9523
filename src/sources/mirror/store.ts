// The mirror's store: one interface over both engines (embedded SQLite, PostgreSQL), one schema, one set of queries.
// The serving source (source.ts), the baselines (baseline.ts) and the sync (sync.ts) use only this interface.

import type { IsoDate, Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import type { GraphWalks, OrganisationSearch, SearchPage } from '../types.js';

export type MirrorEngine = 'sqlite' | 'postgres';

/** The three code systems, stored and served whole. */
export interface CodeSystemLists {
  roleTypes: RoleType[];
  relationshipTypes: RelationshipType[];
  recordClasses: RecordClass[];
}

/** Which job wrote a change: a baseline crawl of ORD, an XML import, or the change-feed sync. */
export type ChangeOrigin = 'build' | 'import' | 'sync';

/** One line of the change history the mirror has seen (kept from the baseline on). */
export interface MirrorChange {
  odsCode: string;
  origin: ChangeOrigin;
  /** created: a code the mirror did not hold; updated: a record replaced; deleted: removed (with `note` saying why). */
  kind: 'created' | 'updated' | 'deleted';
  /** The record's own LastChangeDate as stored (null for a deletion). */
  lastChangeDate: IsoDate | null;
  /** When the mirror recorded it, ISO 8601 UTC. */
  recordedAt: string;
  note: string | null;
}

export interface MirrorCounts {
  organisations: number;
  roles: number;
  relationships: number;
  successions: number;
  contacts: number;
  /** Lines in the change history. */
  changes: number;
}

export interface MirrorStatus {
  engine: MirrorEngine;
  /** Where it is: the SQLite file's path, or the PostgreSQL URL without its password. */
  location: string;
  /** The newest migration applied. */
  schemaVersion: number;
  counts: MirrorCounts;
  /** `mirror_state` as stored: watermark, baseline and sync bookkeeping (see MirrorStateKey). */
  state: Partial<Record<MirrorStateKey, string>>;
}

/**
 * The bookkeeping the jobs keep, one value each (JSON or plain text, as each job chooses):
 * - `watermark`: the date (YYYY-MM-DD) the next sync asks the change feed from, before its one-day overlap;
 * - `completeAsOf`: ISO time the mirror was last known complete and current (a baseline or a sync finished);
 * - `baseline`: what the last baseline was (kind, source, started, finished) — for `status`;
 * - `build`, `import`, `sync`: a running job's resumable progress (cleared when it finishes).
 */
export type MirrorStateKey = 'watermark' | 'completeAsOf' | 'baseline' | 'build' | 'import' | 'sync';

/** What a job queue holds: codes to fetch, and how many of them are done. */
export interface QueueCounts {
  total: number;
  done: number;
}

export interface MirrorStore extends GraphWalks {
  readonly engine: MirrorEngine;
  /** Creates or upgrades the tables (versioned migrations, each once, in order); safe to call every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // ---- writes: each call is one transaction --------------------------------------------------------------------

  /**
   * Replaces each record whole (its roles, relationships, successions and contacts are deleted and written again, never
   * merged) and records one history line each. With `queue`, the same transaction marks these codes (and `alsoDone`:
   * codes found gone) done in that job queue, so a killed job resumes exactly where its last commit ended.
   */
  putOrganisations(
    records: readonly Organisation[],
    origin: ChangeOrigin,
    options?: { queue?: string; alsoDone?: readonly string[] },
  ): Promise<void>;
  /** Removes these organisations and records why; returns how many were held. With `queue`, marks them done there. */
  deleteOrganisations(
    odsCodes: readonly string[],
    origin: ChangeOrigin,
    note: string,
    options?: { queue?: string },
  ): Promise<number>;
  putCodeSystems(lists: CodeSystemLists): Promise<void>;

  // ---- job bookkeeping ----------------------------------------------------------------------------------------

  getState(key: MirrorStateKey): Promise<string | null>;
  /** Sets (or with null clears) one value. */
  setState(key: MirrorStateKey, value: string | null): Promise<void>;
  /** Adds codes to a job's queue in order; a code already queued there is kept once (and keeps its done mark). */
  enqueue(queue: string, odsCodes: readonly string[]): Promise<void>;
  /** Up to `limit` codes not yet done, in the order they were queued. */
  pending(queue: string, limit: number): Promise<string[]>;
  queueCounts(queue: string): Promise<QueueCounts>;
  clearQueue(queue: string): Promise<void>;
  /**
   * Runs `fn` only if no other process holds the named lock (PostgreSQL: a session advisory lock, so exactly one
   * replica syncs; SQLite: a lock row with an expiry, renewed while `fn` runs). Resolves `{ ran: false }` otherwise.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;

  // ---- reads: what the serving source answers from ----------------------------------------------------------------

  /** The full record, or null when the mirror does not hold the code. */
  getOrganisation(odsCode: string): Promise<Organisation | null>;
  /** Many at once (one query per table): the records held, keyed by code. */
  getOrganisations(odsCodes: readonly string[]): Promise<Map<string, Organisation>>;
  /**
   * One page of a search with ORD's semantics (src/sources/mirror/README section in the project README): only
   * organisations with a primary role are listed; sorted by name then code in code-unit order, except `text`, which
   * ranks by relevance first. Also answers the mirror-only filters (activeOn, text, postcodeStartsWith).
   */
  search(filter: OrganisationSearch, offset: number, limit: number): Promise<SearchPage>;
  /** Codes whose LastChangeDate is on or after `date`, by code. */
  changedSince(date: IsoDate): Promise<string[]>;
  /** The code systems, or null before a baseline stored them. */
  codeSystems(): Promise<CodeSystemLists | null>;
  /** The most recent history lines, newest first. */
  recentChanges(limit: number): Promise<MirrorChange[]>;
  /**
   * The newest change-history id (0 when none): every record written or deleted moves it, so a reader holding decoded
   * records (src/sources/mirror/source.ts) knows when to forget them, whichever process wrote.
   */
  dataVersion(): Promise<number>;
  status(): Promise<MirrorStatus>;
}
