// The intermediate, mutable form of a generated organisation, before ids are allocated and ORD JSON is emitted.
// Generators fill drafts from the sources; records.ts turns a finished draft into an OrdOrganisation.

import type { OrdLocation } from '../sources/ord/types.js';

export interface DraftPeriod {
  start?: string;
  end?: string;
}

/** Operational dates always; Legal dates only for statutory bodies (trusts, CCGs/sub-ICB locations, ICBs). */
export interface DraftDates {
  operational: DraftPeriod;
  legal?: DraftPeriod;
}

export interface DraftRole {
  id: string;
  primary: boolean;
  dates: DraftDates;
  uniqueRoleId?: number;
}

export interface DraftRel {
  id: string;
  target: string;
  dates: DraftDates;
  uniqueRelId?: number;
}

interface DraftSucc {
  type: 'Predecessor' | 'Successor';
  target: string;
  date: string;
  uniqueSuccId?: number;
}

/** A made-up value in this draft: JSON path inside the record and why it was invented. */
interface DraftSynthetic {
  path: string;
  reason: string;
}

export interface DraftOrg {
  code: string;
  name: string;
  dates: DraftDates;
  recordClass: 'RC1' | 'RC2';
  refOnly: boolean;
  location?: OrdLocation;
  tel?: string;
  roles: DraftRole[];
  rels: DraftRel[];
  succs: DraftSucc[];
  synthetic: DraftSynthetic[];
}

/** ODS address lines 1–5 and postcode → ORD Location (docs/ord-data.md §5); empty parts are omitted, no UPRN. */
export function locationFrom(lines: readonly string[], postCode: string, country: string): OrdLocation | undefined {
  const [l1 = '', l2 = '', l3 = '', l4 = '', l5 = ''] = lines;
  const location: OrdLocation = {};
  if (l1 !== '') location.AddrLn1 = l1;
  if (l2 !== '') location.AddrLn2 = l2;
  if (l3 !== '') location.AddrLn3 = l3;
  if (l4 !== '') location.Town = l4;
  if (l5 !== '') location.County = l5;
  if (postCode !== '') location.PostCode = postCode;
  if (Object.keys(location).length === 0) return undefined;
  location.Country = country;
  return location;
}

export function period(start: string | undefined, end: string | undefined): DraftPeriod {
  const p: DraftPeriod = {};
  if (start !== undefined) p.start = start;
  if (end !== undefined) p.end = end;
  return p;
}
