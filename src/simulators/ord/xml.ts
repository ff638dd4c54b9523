// Writes an ORD dataset as TRUD's ORD XML full file (HSCOrgRefData 2-0-0), streamed with backpressure, so tests and
// benchmarks can import a national-size baseline; `copies` multiplies the dataset into a consistent graph N times over.
//
// The format follows the real samples in data/recorded/ord-xml/ and the real header
// data/recorded/ordxml_header_codesystems_APISync_2019-05-01.xml: only the root is namespaced; element order Name, Date*,
// OrgId, Status, LastChangeDate, GeoLoc, Contacts, Roles, Rels, Succs; numbers and flags as attribute text. Choices
// where no real full file was seen [INF]: FileCreationDateTime defaults to the publication date at 00:00:00 (so the
// same dataset gives the same bytes); PublicationSeqNum defaults to 1; RecordCount counts every record, stubs included.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { OrdDataset } from '../../dataset/types.js';
import {
  ORD_XML_CODE_SYSTEM_OIDS,
  ORD_XML_NAMESPACE,
  type OrdDate,
  type OrdOrganisation,
  type OrdOrgId,
  type OrdTarget,
} from '../../sources/ord/types.js';

/** Most copies `copies` allows (each copy takes a two-character code prefix; see copyPrefixes). */
export const MAX_XML_COPIES = 36;

export interface WriteOrdXmlOptions {
  /** YYYY-MM-DD; default the dataset's asOf. Also names ContentDescription (HSCOrgRefData_Full_YYYYMMDD). */
  publicationDate?: string;
  /** Default 1. */
  publicationSeqNum?: number;
  /** Default `<publicationDate>T00:00:00`. */
  fileCreationDateTime?: string;
  /** Write the dataset this many times (default 1), copy k ≥ 1 re-keyed by `copyPrefixes`/`copyUniqueId`. */
  copies?: number;
}

export interface WriteOrdXmlResult {
  records: number;
  bytes: number;
}

/**
 * The code prefix of each copy (index 0 is copy 0, which keeps the dataset's codes): two characters no code of the
 * dataset starts with, tried in the order Z1…ZZ, Y1…YZ, … so that a copied code can never be a code of the dataset
 * (real codes such as Z5R1E exist) and two copies never share a code. Throws when the dataset leaves too few free.
 */
export function copyPrefixes(datasetCodes: Iterable<string>, copies: number): string[] {
  const used = new Set<string>();
  for (const code of datasetCodes) used.add(code.slice(0, 2));
  const prefixes = [''];
  for (const first of 'ZYXWVUTSRQPONMLKJIHGFEDCBA') {
    for (const second of '123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      if (prefixes.length === copies) return prefixes;
      if (!used.has(first + second)) prefixes.push(first + second);
    }
  }
  throw new Error(`only ${prefixes.length - 1} free code prefixes; use fewer copies`);
}

/** Copy k shifts every unique id by k × the smallest power of ten above the dataset's largest id. */
export function copyUniqueId(id: number, copy: number, idSpan: number): number {
  return id + copy * idSpan;
}

const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;
// Characters XML 1.0 cannot carry at all, even escaped.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function checkXmlChars(value: string): void {
  const bad = NOT_XML.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new Error(`U+${code} cannot be written in XML 1.0 (in ${JSON.stringify(value)})`);
  }
}

function escText(value: string): string {
  checkXmlChars(value);
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function escAttr(value: string): string {
  checkXmlChars(value);
  if (!ATTR_SPECIAL.test(value)) return value;
  return value.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      default:
        return '&#13;';
    }
  });
}

function dates(list: readonly OrdDate[] | undefined, indent: string): string {
  let out = '';
  for (const d of list ?? []) {
    out += `${indent}<Date>\n${indent}  <Type value="${escAttr(d.Type)}"/>\n`;
    if (d.Start !== undefined) out += `${indent}  <Start value="${escAttr(d.Start)}"/>\n`;
    if (d.End !== undefined) out += `${indent}  <End value="${escAttr(d.End)}"/>\n`;
    out += `${indent}</Date>\n`;
  }
  return out;
}

/** Writes one record's XML for copy `copy` of the dataset. */
class RecordWriter {
  constructor(
    private readonly copy: number,
    private readonly prefix: string,
    private readonly idSpan: number,
    private readonly checkCode: (code: string) => string,
  ) {}

  private code(code: string): string {
    // Copy k writes the copy's prefix + the code ("RWR" → "Z1RWR" with prefix Z1).
    return this.checkCode(this.prefix + code);
  }

  /** ` name="id"` with the copy's id, or nothing when the record has no such id. */
  private id(name: string, id: number | undefined): string {
    return typeof id === 'number' ? ` ${name}="${copyUniqueId(id, this.copy, this.idSpan)}"` : '';
  }

  private orgId(id: OrdOrgId, indent: string): string {
    return (
      `${indent}<OrgId assigningAuthorityName="${escAttr(id.assigningAuthorityName)}"` +
      ` extension="${escAttr(this.code(id.extension))}" root="${escAttr(id.root)}"/>\n`
    );
  }

  private target(t: OrdTarget, indent: string): string {
    const role = t.PrimaryRoleId;
    return (
      `${indent}<Target>\n` +
      this.orgId(t.OrgId, `${indent}  `) +
      `${indent}  <PrimaryRoleId id="${escAttr(role.id)}"${this.id('uniqueRoleId', role.uniqueRoleId)}/>\n` +
      `${indent}</Target>\n`
    );
  }

  record(o: OrdOrganisation): string {
    let out = `    <Organisation orgRecordClass="${escAttr(o.orgRecordClass)}"${o.refOnly ? ' refOnly="true"' : ''}>\n`;
    out += `      <Name>${escText(o.Name)}</Name>\n`;
    out += dates(o.Date, '      ');
    out += this.orgId(o.OrgId, '      ');
    out += `      <Status value="${escAttr(o.Status)}"/>\n`;
    out += `      <LastChangeDate value="${escAttr(o.LastChangeDate)}"/>\n`;
    const loc = o.GeoLoc?.Location;
    if (loc !== undefined) {
      out += '      <GeoLoc>\n        <Location>\n';
      if (loc.AddrLn1 !== undefined) out += `          <AddrLn1>${escText(loc.AddrLn1)}</AddrLn1>\n`;
      if (loc.AddrLn2 !== undefined) out += `          <AddrLn2>${escText(loc.AddrLn2)}</AddrLn2>\n`;
      if (loc.AddrLn3 !== undefined) out += `          <AddrLn3>${escText(loc.AddrLn3)}</AddrLn3>\n`;
      if (loc.Town !== undefined) out += `          <Town>${escText(loc.Town)}</Town>\n`;
      if (loc.County !== undefined) out += `          <County>${escText(loc.County)}</County>\n`;
      if (loc.PostCode !== undefined) out += `          <PostCode>${escText(loc.PostCode)}</PostCode>\n`;
      if (loc.Country !== undefined) out += `          <Country>${escText(loc.Country)}</Country>\n`;
      if (loc.UPRN !== undefined) out += `          <UPRN>${BigInt(loc.UPRN).toString()}</UPRN>\n`;
      out += '        </Location>\n      </GeoLoc>\n';
    }
    if (o.Contacts !== undefined) {
      out += '      <Contacts>\n';
      for (const c of o.Contacts.Contact) {
        out += `        <Contact type="${escAttr(c.type)}" value="${escAttr(c.value)}"/>\n`;
      }
      out += '      </Contacts>\n';
    }
    out += '      <Roles>\n';
    for (const r of o.Roles.Role) {
      out +=
        `        <Role id="${escAttr(r.id)}"${this.id('uniqueRoleId', r.uniqueRoleId)}` +
        `${r.primaryRole ? ' primaryRole="true"' : ''}>\n`;
      out += dates(r.Date, '          ');
      out += `          <Status value="${escAttr(r.Status)}"/>\n        </Role>\n`;
    }
    out += '      </Roles>\n';
    if (o.Rels !== undefined) {
      out += '      <Rels>\n';
      for (const r of o.Rels.Rel) {
        out += `        <Rel id="${escAttr(r.id)}"${this.id('uniqueRelId', r.uniqueRelId)}>\n`;
        out += dates(r.Date, '          ');
        out += `          <Status value="${escAttr(r.Status)}"/>\n`;
        out += this.target(r.Target, '          ');
        out += '        </Rel>\n';
      }
      out += '      </Rels>\n';
    }
    if (o.Succs !== undefined) {
      out += '      <Succs>\n';
      for (const s of o.Succs.Succ) {
        const forward = s.forwardSuccession === undefined ? '' : ` forwardSuccession="${s.forwardSuccession}"`;
        out += `        <Succ${this.id('uniqueSuccId', s.uniqueSuccId)}${forward}>\n`;
        out += dates(s.Date, '          ');
        out += `          <Type>${escText(s.Type)}</Type>\n`;
        out += this.target(s.Target, '          ');
        out += '        </Succ>\n';
      }
      out += '      </Succs>\n';
    }
    return `${out}    </Organisation>\n`;
  }
}

function header(dataset: OrdDataset, options: Required<Omit<WriteOrdXmlOptions, 'copies'>>, records: number): string {
  const date = options.publicationDate;
  let out =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<HSCOrgRefData:OrgRefData xmlns:HSCOrgRefData="${ORD_XML_NAMESPACE}"` +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
    ` xsi:schemaLocation="${ORD_XML_NAMESPACE} HSCOrgRefData.xsd">\n` +
    '  <Manifest>\n' +
    '    <Version value="2-0-0"/>\n' +
    '    <PublicationType value="Full"/>\n' +
    '    <PublicationSource value="HSCIC"/>\n' +
    `    <PublicationDate value="${escAttr(date)}"/>\n` +
    `    <PublicationSeqNum value="${options.publicationSeqNum}"/>\n` +
    `    <FileCreationDateTime value="${escAttr(options.fileCreationDateTime)}"/>\n` +
    `    <RecordCount value="${records}"/>\n` +
    `    <ContentDescription value="HSCOrgRefData_Full_${date.replaceAll('-', '')}"/>\n` +
    '    <PrimaryRoleScope>\n';
  for (const role of dataset.roles) {
    if (role.primaryRole === 'true') {
      out += `      <PrimaryRole id="${escAttr(role.id)}" displayName="${escAttr(role.displayName)}"/>\n`;
    }
  }
  out += '    </PrimaryRoleScope>\n  </Manifest>\n  <CodeSystems>\n';
  const system = (
    name: keyof typeof ORD_XML_CODE_SYSTEM_OIDS,
    items: readonly { id: string; code: string; displayName: string }[],
  ) => {
    out += `    <CodeSystem name="${name}" oid="${ORD_XML_CODE_SYSTEM_OIDS[name]}">\n`;
    for (const c of items) {
      out += `      <concept id="${escAttr(c.id)}" code="${escAttr(c.code)}" displayName="${escAttr(c.displayName)}"/>\n`;
    }
    out += '    </CodeSystem>\n';
  };
  system('OrganisationRecordClass', dataset.recordClasses);
  system('OrganisationRole', dataset.roles);
  system('OrganisationRelationship', dataset.rels);
  return `${out}  </CodeSystems>\n  <Organisations>\n`;
}

const FOOTER = '  </Organisations>\n</HSCOrgRefData:OrgRefData>\n';
/** Strings are gathered to about this many characters before each write. */
const CHUNK_CHARS = 256 * 1024;

/**
 * Streams `dataset` as an ORD XML full file to `target`, honouring backpressure. A path is created (replaced) and
 * closed; a Writable is written to and not ended (its owner ends it, e.g. the zip writer). Records appear in the
 * dataset's order, copy after copy.
 */
export async function writeOrdXml(
  dataset: OrdDataset,
  target: string | Writable,
  options: WriteOrdXmlOptions = {},
): Promise<WriteOrdXmlResult> {
  const copies = options.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_XML_COPIES) {
    throw new Error(`copies must be a whole number from 1 to ${MAX_XML_COPIES}; got ${copies}`);
  }
  const publicationDate = options.publicationDate ?? dataset.asOf;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(publicationDate)) {
    throw new Error(`publicationDate must be YYYY-MM-DD; got "${publicationDate}"`);
  }
  const resolved = {
    publicationDate,
    publicationSeqNum: options.publicationSeqNum ?? 1,
    fileCreationDateTime: options.fileCreationDateTime ?? `${publicationDate}T00:00:00`,
  };
  const idSpan = uniqueIdSpan(dataset);
  const datasetCodes = new Set(dataset.organisations.keys());
  const checkCode = (code: string): string => {
    if (code.length > 12 || !/^[A-Z0-9]{2,}$/.test(code)) {
      throw new Error(`copied code ${code} is not a valid ODS code (2–12 letters and digits); use fewer copies`);
    }
    return code;
  };
  const prefixes = copyPrefixes(datasetCodes, copies);

  const out = typeof target === 'string' ? createWriteStream(target) : target;
  let bytes = 0;
  let pending = '';
  const flush = async () => {
    if (pending === '') return;
    const chunk = Buffer.from(pending, 'utf8');
    pending = '';
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    pending = header(dataset, resolved, dataset.organisations.size * copies);
    let records = 0;
    for (let copy = 0; copy < copies; copy++) {
      const writer = new RecordWriter(copy, prefixes[copy] as string, idSpan, copy === 0 ? (c) => c : checkCode);
      for (const [code, record] of dataset.organisations) {
        try {
          pending += writer.record(record);
        } catch (err) {
          throw new Error(`cannot write ${code} (copy ${copy}) as ORD XML: ${(err as Error).message}`, { cause: err });
        }
        records++;
        if (pending.length >= CHUNK_CHARS) await flush();
      }
    }
    pending += FOOTER;
    await flush();
    if (typeof target === 'string') {
      out.end();
      await finished(out);
    }
    return { records, bytes };
  } catch (err) {
    if (typeof target === 'string') out.destroy();
    throw err;
  }
}

/** The smallest power of ten above every unique id in the dataset (roles, rels, succs and targets' primary roles). */
export function uniqueIdSpan(dataset: OrdDataset): number {
  let max = 0;
  for (const o of dataset.organisations.values()) {
    for (const r of o.Roles.Role) max = Math.max(max, r.uniqueRoleId);
    for (const r of o.Rels?.Rel ?? []) max = Math.max(max, r.uniqueRelId, r.Target.PrimaryRoleId.uniqueRoleId);
    for (const s of o.Succs?.Succ ?? []) max = Math.max(max, s.uniqueSuccId, s.Target.PrimaryRoleId.uniqueRoleId);
  }
  let span = 10;
  while (span <= max) span *= 10;
  return span;
}
