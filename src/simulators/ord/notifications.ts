// The simulator's /notifications answer and its in-process change API (applyChanges): upserts, deletions, a new today.
// ORD documents its deletion notices by one example only (data/recorded/ord-xml/notifications_example.json).
//
// Choices where ORD's behaviour is unknown (all [INF]):
// * Bytes: the documented example is tab-indented with `": "` after keys and `,` ending lines (Python's
//   `json.dumps(value, indent="\t")`), so every answer is written that way, ASCII-only, with a final newline (the
//   example as saved ends in one). The empty case is the same serialiser over an empty list:
//   `{\n\t"DeletedOrganisations": []\n}\n`.
// * Headers: the page says the endpoint "downloads a JSON file", so the answer carries
//   `Content-Disposition: attachment; filename=notifications.json` beside ORD's usual JSON headers.
// * Window: a deletion is listed while the date part of its `time` lies within the 185 days before (and including)
//   the simulator's today; later-dated ones (after a `today` moved back) are not listed. Order: by time, then in the
//   order they were recorded (the example's two equal times are not in code order).
// * Parameters: none; any parameter but `_format` is ORD's 406 "Unknown argument found."; `_format=xml` is accepted
//   and answered as JSON, as elsewhere in the simulator.
// * applyChanges: an upserted record without its own LastChangeDate gets the new today; a deleted code answers 404
//   from then on and is listed with `time` = "<today> 00:00:00", type 1 "Machine"; re-creating a deleted code
//   withdraws its deletion notice (the record is published again).

import type { OrdDataset } from '../../dataset/types.js';
import type { OrdDeletedOrganisation, OrdOrganisation } from '../../sources/ord/types.js';

const NOTIFICATION_WINDOW_DAYS = 185;

/** ORD's documented reason codes. */
export const DELETION_REASONS = {
  1: 'THIRD PARTY ERROR',
  2: 'ORG DOES NOT EXIST',
  3: 'HUMAN ERROR',
} as const;
export type DeletionReasonCode = keyof typeof DELETION_REASONS;

/** An upserted record: a full ORD record, whose LastChangeDate may be left out (then it is the new today). */
export type OrdOrganisationUpsert = Omit<OrdOrganisation, 'LastChangeDate'> & { LastChangeDate?: string };

export interface OrdChanges {
  /** The simulator's new today (YYYY-MM-DD); default: unchanged. */
  today?: string;
  /** Records created or replaced whole. */
  upsert?: OrdOrganisationUpsert[];
  /** Codes withdrawn from publication (reason default 3 HUMAN ERROR). */
  delete?: { odsCode: string; reason?: DeletionReasonCode }[];
}

/** ORD's key order for a full record, so an upsert whose keys were built in another order is still byte-exact. */
const ORD_RECORD_KEYS = [
  'Name',
  'Date',
  'OrgId',
  'Status',
  'LastChangeDate',
  'orgRecordClass',
  'refOnly',
  'GeoLoc',
  'Contacts',
  'Roles',
  'Rels',
  'Succs',
] as const;

function inOrdKeyOrder(record: OrdOrganisationUpsert, today: string): OrdOrganisation {
  const source = { ...record, LastChangeDate: record.LastChangeDate ?? today } as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ORD_RECORD_KEYS) if (source[key] !== undefined) out[key] = source[key];
  for (const [key, value] of Object.entries(source)) if (!(key in out) && value !== undefined) out[key] = value;
  return out as unknown as OrdOrganisation;
}

/** A new dataset with the changes applied; the one given is left as it was (tiers are shared between simulators). */
export function applyChangesTo(dataset: OrdDataset, changes: OrdChanges, today: string): OrdDataset {
  const organisations = new Map(dataset.organisations);
  let deletions = [...(dataset.deletions ?? [])];
  for (const record of changes.upsert ?? []) {
    const code = record.OrgId.extension.toUpperCase();
    organisations.set(code, inOrdKeyOrder(record, today));
    deletions = deletions.filter((d) => d.OrgID.toUpperCase() !== code);
  }
  for (const { odsCode, reason = 3 } of changes.delete ?? []) {
    const code = odsCode.toUpperCase();
    const record = organisations.get(code);
    if (record === undefined) throw new Error(`applyChanges: cannot delete ${odsCode}: the simulator has no such code`);
    organisations.delete(code);
    const primary = record.Roles?.Role?.find((r) => r.primaryRole === true)?.id ?? '';
    deletions.push({
      OrgID: record.OrgId.extension,
      PrimaryRoleId: primary,
      reason: { code: reason, description: DELETION_REASONS[reason] },
      time: `${today} 00:00:00`,
      type: { code: 1, description: 'Machine' },
    });
  }
  return { ...dataset, organisations, deletions };
}

function dayNumber(iso: string): number {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return Math.round(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) / 86_400_000);
}

/** Python's `json.dumps(value, indent="\t")` (ensure_ascii) for the plain JSON /notifications holds, newline-ended. */
export function tabIndentedJson(value: unknown): string {
  const ascii = JSON.stringify(value, null, '\t').replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${ascii}\n`;
}

/** The body of `GET notifications` on `today`: the deletions of the last 185 days, by time, then as recorded. */
export function notificationsBody(deletions: readonly OrdDeletedOrganisation[], today: string): string {
  const todayDay = dayNumber(today);
  const listed = deletions
    .filter((d) => {
      const day = dayNumber(d.time);
      return day <= todayDay && day >= todayDay - NOTIFICATION_WINDOW_DAYS;
    })
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return tabIndentedJson({ DeletedOrganisations: listed });
}
