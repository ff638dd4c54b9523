// Reads ORD XML (TRUD's full file, HSCOrgRefData 2-0-0) as a stream: the manifest, the code systems and every record,
// each record rebuilt as ORD's JSON wire shape and mapped by map.ts's toOrganisation, the one mapping JSON uses too.
//
// Input: a .xml file, a .zip holding exactly one .xml, or TRUD's layout (a zip holding fullfile.zip, itself a zip of one
// .xml, extracted to a temporary file first, because a zip needs random access). Never the whole file in memory: bytes
// are decoded and parsed chunk by chunk (saxes), and the next chunk is read only when the consumer asks for more.
// What the XML gives that JSON gives differently is normalised here: numbers (uniqueRoleId, uniqueRelId, uniqueSuccId,
// UPRN) become numbers, `primaryRole`/`refOnly` become `true`, text that is only whitespace is absent, and every child
// list (Date, Contact, Role, Rel, Succ) keeps document order (ORD's JSON order may differ; the domain does not care).
// Only the root element is namespaced (http://refdata.hscic.gov.uk/org/v2-0-0); its children are in no namespace.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import type { Organisation, RecordClass, RelationshipType, RoleType } from '../../domain/types.js';
import { toOrganisation, toRecordClass, toRelationshipType, toRoleType } from './map.js';
import {
  ORD_XML_NAMESPACE,
  type OrdOrganisation,
  type OrdRecordClass,
  type OrdRelType,
  type OrdRoleType,
} from './types.js';

/** An ORD XML file that cannot be read: names the file, and where known the line and column (both 1-based). */
export class OrdXmlError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`ORD XML ${file}${line === undefined ? '' : `, line ${line}, column ${column}`}: ${reason}`);
    this.name = 'OrdXmlError';
  }
}

/** `<Manifest>`: what the file says it is. Values as written; a number that is not a whole number is null. */
export interface OrdXmlManifest {
  kind: 'manifest';
  version: string | null;
  publicationType: string | null;
  publicationSource: string | null;
  /** YYYY-MM-DD as written (the watermark a sync should start from). */
  publicationDate: string | null;
  publicationSeqNum: number | null;
  fileCreationDateTime: string | null;
  recordCount: number | null;
  contentDescription: string | null;
  /** `<PrimaryRoleScope>`: the roles that can be a primary role, in document order. */
  primaryRoleScope: { id: string; displayName: string }[];
}

/** `<CodeSystems>` as ORD's JSON endpoints give them (`primaryRole` from the manifest's PrimaryRoleScope). */
export interface OrdXmlWireCodeSystems {
  kind: 'codeSystems';
  roles: OrdRoleType[];
  rels: OrdRelType[];
  recordClasses: OrdRecordClass[];
}

export interface OrdXmlWireOrganisation {
  kind: 'organisation';
  /** The record as ORD's JSON would carry it (the value under `Organisation` in `GET organisations/{code}`). */
  wire: OrdOrganisation;
  /** Where its `<Organisation>` start tag ends. */
  line: number;
  column: number;
}

export type OrdXmlWireItem = OrdXmlManifest | OrdXmlWireCodeSystems | OrdXmlWireOrganisation;

export interface OrdXmlCodeSystems {
  kind: 'codeSystems';
  roleTypes: RoleType[];
  relationshipTypes: RelationshipType[];
  recordClasses: RecordClass[];
}

export type OrdXmlItem = OrdXmlManifest | OrdXmlCodeSystems | { kind: 'organisation'; record: Organisation };

export interface ReadOrdXmlOptions {
  /**
   * Called with the bytes consumed so far and the total, at most every `progressIntervalMs` and once at the end. The
   * bytes are those of the plain file, or of the compressed zip entry holding the XML (for TRUD's layout, the entry
   * inside fullfile.zip; extracting fullfile.zip first is not counted).
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Default 250. */
  progressIntervalMs?: number;
  /** Told once per element path the reader does not know (such elements are skipped). */
  onNotice?: (message: string) => void;
  /** Bytes per read (default 64 KiB). */
  chunkBytes?: number;
}

/** Every record of an ORD XML file, mapped to the domain: the manifest first, then the code systems, then records. */
export async function* readOrdXml(path: string, options: ReadOrdXmlOptions = {}): AsyncGenerator<OrdXmlItem> {
  const name = basename(path);
  for await (const item of readOrdXmlWire(path, options)) {
    if (item.kind === 'organisation') {
      let record: Organisation;
      try {
        record = toOrganisation(item.wire);
      } catch (err) {
        const code = item.wire.OrgId?.extension;
        throw new OrdXmlError(name, `<Organisation> ${code}: ${(err as Error).message}`, item.line, item.column);
      }
      yield { kind: 'organisation', record };
    } else if (item.kind === 'codeSystems') {
      yield {
        kind: 'codeSystems',
        roleTypes: item.roles.map(toRoleType),
        relationshipTypes: item.rels.map(toRelationshipType),
        recordClasses: item.recordClasses.map(toRecordClass),
      };
    } else {
      yield item;
    }
  }
}

/** The same stream with each record in ORD's JSON wire shape, before mapping. */
export async function* readOrdXmlWire(path: string, options: ReadOrdXmlOptions = {}): AsyncGenerator<OrdXmlWireItem> {
  const input = await openInput(path, options.chunkBytes ?? 1 << 16);
  try {
    const parser = new OrdXmlParser(input.name, options.onNotice);
    const decoder = new Utf8Chunks(input.name);
    const interval = options.progressIntervalMs ?? 250;
    let lastProgress = performance.now();
    for await (const chunk of input.chunks) {
      parser.write(decoder.decode(chunk as Buffer));
      if (parser.items.length > 0) yield* parser.take();
      if (options.onProgress && performance.now() - lastProgress >= interval) {
        lastProgress = performance.now();
        options.onProgress(input.consumed(), input.totalBytes);
      }
    }
    decoder.end();
    parser.close();
    yield* parser.take();
    options.onProgress?.(input.consumed(), input.totalBytes);
  } finally {
    await input.close();
  }
}

/**
 * UTF-8 bytes to text, chunk by chunk: a character split across two chunks is carried over; a leading BOM is dropped.
 * Buffer#toString is the fastest decoder Node has but replaces bad bytes with U+FFFD, so a chunk whose text holds U+FFFD
 * is checked (isUtf8) and refused when the bytes are not UTF-8: nothing is silently replaced.
 */
class Utf8Chunks {
  private carry: Buffer | null = null;
  private bytes = 0;
  private first = true;

  constructor(private readonly file: string) {}

  decode(chunk: Buffer): string {
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    const end = completeUtf8Length(buf);
    this.carry = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
    let text = buf.toString('utf8', 0, end);
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(0, end))) {
      throw new OrdXmlError(this.file, `not valid UTF-8 within bytes ${this.bytes}–${this.bytes + end}`);
    }
    this.bytes += end;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  end(): void {
    if (this.carry !== null) throw new OrdXmlError(this.file, 'not valid UTF-8: the file ends inside a character');
  }
}

/** How many bytes of `buf` end on a character boundary (a multi-byte character cut off at the end is left out). */
function completeUtf8Length(buf: Buffer): number {
  const len = buf.length;
  let i = len - 1;
  // Step back over at most three continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (i >= 0 && i > len - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return len;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return len - i < need ? i : len;
}

// ---- the parser ----------------------------------------------------------------------------------------------------

// What each open element is; the parent's kind decides what a child is.
const DOCUMENT = 0;
const ROOT = 1;
const MANIFEST = 2;
const PRIMARY_ROLE_SCOPE = 3;
const CODE_SYSTEMS = 4;
const CODE_SYSTEM = 5;
const ORGANISATIONS = 6;
const ORGANISATION = 7;
const DATE = 8;
const GEOLOC = 9;
const LOCATION = 10;
const CONTACTS = 11;
const ROLES = 12;
const ROLE = 13;
const RELS = 14;
const REL = 15;
const SUCCS = 16;
const SUCC = 17;
const TARGET = 18;
/** An element whose text is a value (Name, AddrLn1, Succ/Type, …). */
const TEXT = 19;
/** An element whose attributes are its value (Status, OrgId, Date/Start, concept, …): no children expected. */
const LEAF = 20;
/** An element the reader does not know, and everything inside it. */
const SKIP = 21;

const KIND_NAMES = [
  '',
  'OrgRefData',
  'Manifest',
  'PrimaryRoleScope',
  'CodeSystems',
  'CodeSystem',
  'Organisations',
  'Organisation',
  'Date',
  'GeoLoc',
  'Location',
  'Contacts',
  'Roles',
  'Role',
  'Rels',
  'Rel',
  'Succs',
  'Succ',
  'Target',
];

const MANIFEST_FIELDS: Record<string, keyof OrdXmlManifest> = {
  Version: 'version',
  PublicationType: 'publicationType',
  PublicationSource: 'publicationSource',
  PublicationDate: 'publicationDate',
  PublicationSeqNum: 'publicationSeqNum',
  FileCreationDateTime: 'fileCreationDateTime',
  RecordCount: 'recordCount',
  ContentDescription: 'contentDescription',
};

const LOCATION_FIELDS = new Set(['AddrLn1', 'AddrLn2', 'AddrLn3', 'Town', 'County', 'PostCode', 'Country', 'UPRN']);

type Obj = Record<string, unknown>;
type Attrs = Record<string, string>;

/** An integer attribute as JSON has it (a number); anything else is passed on as written, for map.ts to refuse. */
function int(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(n) ? n : value;
}

/** xs:boolean: "true" or "1". */
function isTrue(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

class OrdXmlParser {
  items: OrdXmlWireItem[] = [];
  private readonly sax = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  private readonly kinds: number[] = [DOCUMENT];
  /** The open elements' names and the lines their start tags end on (for error messages). */
  private readonly names: string[] = [''];
  private readonly lines: number[] = [0];
  private depth = 0;
  private manifest: OrdXmlManifest | null = null;
  private primaryRoles = new Set<string>();
  private codeSystems: OrdXmlWireCodeSystems | null = null;
  private codeSystemList: Obj[] | null = null;
  private org: Obj | null = null;
  private orgLine = 0;
  private orgColumn = 0;
  /** The open Role, Rel or Succ (Date and Status go on it), or the organisation itself. */
  private holder: Obj | null = null;
  private target: Obj | null = null;
  private date: Obj | null = null;
  private location: Obj | null = null;
  private contacts: Obj[] | null = null;
  private list: Obj[] | null = null;
  private textOwner: Obj | null = null;
  private textKey = '';
  private text = '';
  private readonly noticed = new Set<string>();
  private readonly onText = (text: string): void => {
    this.text += text;
  };

  constructor(
    private readonly file: string,
    private readonly onNotice: ((message: string) => void) | undefined,
  ) {
    this.sax.on('xmldecl', (decl) => {
      const encoding = decl.encoding?.toLowerCase();
      if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') {
        this.fail(`the file declares encoding "${decl.encoding}"; ORD XML is read as UTF-8 only`);
      }
    });
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', () => this.close_());
    // The text handler is set only inside a text element (Name, AddrLn1, …): saxes then skips building the millions
    // of whitespace runs between tags, a large share of its work. Stray text elsewhere is not ORD data and is not read.
    this.sax.on('cdata', (text) => {
      if (this.kinds[this.depth] === TEXT) this.text += text;
    });
  }

  write(text: string): void {
    try {
      this.sax.write(text);
    } catch (err) {
      throw this.wrap(err);
    }
  }

  close(): void {
    try {
      this.sax.close();
    } catch (err) {
      throw this.wrap(err, 'the file ends early (truncated?): ');
    }
  }

  take(): OrdXmlWireItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** saxes's message, located, with what was expected: the element still open (and where it opened). */
  private wrap(err: unknown, prefix = ''): Error {
    if (err instanceof OrdXmlError) return err;
    let message = (err as Error).message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    // saxes reports a wrong close tag after closing (and so popping) the element it expected to close.
    const mismatch = message === 'unexpected close tag';
    const d = mismatch ? this.depth + 1 : this.depth;
    if (d > 0) {
      const open = `<${this.names[d]}> (opened at line ${this.lines[d]})`;
      if (mismatch) message += `; expected </${this.names[d]}>, the close of ${open}`;
      else if (message.startsWith('unclosed tag')) message = `${open} is not closed`;
      else message += `; inside ${open}`;
      if (this.org !== null && this.names[d] !== 'Organisation') {
        message += `, in the <Organisation> opened at line ${this.orgLine}`;
      }
    }
    return new OrdXmlError(this.file, prefix + message, this.sax.line, this.sax.column + 1);
  }

  private fail(reason: string, line = this.sax.line, column = this.sax.column + 1): never {
    throw new OrdXmlError(this.file, reason, line, column);
  }

  private notice(path: string, what: string): void {
    if (this.noticed.has(path)) return;
    this.noticed.add(path);
    this.onNotice?.(`ORD XML ${this.file}, line ${this.sax.line}: ${what} ${path} (skipped; told once)`);
  }

  private pathTo(name: string): string {
    const names: string[] = [];
    for (let i = 2; i <= this.depth; i++) names.push(KIND_NAMES[this.kinds[i]!] ?? '?');
    names.push(name);
    return names.join('/');
  }

  private push(kind: number): void {
    this.kinds[++this.depth] = kind;
  }

  private open(tag: SaxesTagPlain): void {
    const parent = this.kinds[this.depth]!;
    const name = tag.name;
    this.names[this.depth + 1] = name;
    this.lines[this.depth + 1] = this.sax.line;
    const a = tag.attributes as Attrs;
    switch (parent) {
      case ORGANISATION:
        return this.push(this.inOrganisation(name, a));
      case DATE:
        if (name === 'Type' || name === 'Start' || name === 'End') {
          this.date![name] = a.value;
          return this.push(LEAF);
        }
        break;
      case ROLE:
      case REL:
      case SUCC:
        return this.push(this.inComponent(parent, name, a));
      case TARGET:
        if (name === 'OrgId') {
          this.target!.OrgId = {
            root: a.root,
            assigningAuthorityName: a.assigningAuthorityName,
            extension: a.extension,
          };
          return this.push(LEAF);
        }
        if (name === 'PrimaryRoleId') {
          const role: Obj = { id: a.id };
          const unique = int(a.uniqueRoleId);
          if (unique !== undefined) role.uniqueRoleId = unique;
          this.target!.PrimaryRoleId = role;
          return this.push(LEAF);
        }
        break;
      case LOCATION:
        if (LOCATION_FIELDS.has(name)) return this.pushText(this.location!, name);
        break;
      case ROLES:
        if (name === 'Role') {
          const role: Obj = { id: a.id };
          const unique = int(a.uniqueRoleId);
          if (unique !== undefined) role.uniqueRoleId = unique;
          if (isTrue(a.primaryRole)) role.primaryRole = true;
          role.Date = [];
          this.list!.push(role);
          this.holder = role;
          return this.push(ROLE);
        }
        break;
      case RELS:
        if (name === 'Rel') {
          const rel: Obj = { Date: [] };
          this.holder = rel;
          this.list!.push(rel);
          rel.id = a.id;
          const unique = int(a.uniqueRelId);
          if (unique !== undefined) rel.uniqueRelId = unique;
          return this.push(REL);
        }
        break;
      case SUCCS:
        if (name === 'Succ') {
          const succ: Obj = {};
          const unique = int(a.uniqueSuccId);
          if (unique !== undefined) succ.uniqueSuccId = unique;
          succ.Date = [];
          if (a.forwardSuccession !== undefined) succ.forwardSuccession = isTrue(a.forwardSuccession);
          this.holder = succ;
          this.list!.push(succ);
          return this.push(SUCC);
        }
        break;
      case CONTACTS:
        if (name === 'Contact') {
          this.contacts!.push({ type: a.type, value: a.value });
          return this.push(LEAF);
        }
        break;
      case GEOLOC:
        if (name === 'Location') {
          this.location = {};
          this.org!.GeoLoc = { Location: this.location };
          return this.push(LOCATION);
        }
        break;
      case ORGANISATIONS:
        if (name === 'Organisation') return this.openOrganisation(a);
        break;
      case SKIP:
        return this.push(SKIP);
      case LEAF:
      case TEXT:
        this.notice(this.pathTo(name), 'unexpected child element');
        return this.push(SKIP);
      case MANIFEST:
        if (name === 'PrimaryRoleScope') return this.push(PRIMARY_ROLE_SCOPE);
        if (MANIFEST_FIELDS[name] !== undefined) {
          const key = MANIFEST_FIELDS[name]!;
          const m = this.manifest as unknown as Obj;
          if (key === 'publicationSeqNum' || key === 'recordCount') {
            const n = int(a.value);
            m[key] = typeof n === 'number' ? n : null;
          } else m[key] = a.value ?? null;
          return this.push(LEAF);
        }
        break;
      case PRIMARY_ROLE_SCOPE:
        if (name === 'PrimaryRole') {
          if (a.id === undefined) this.fail('<PrimaryRole> has no id');
          this.manifest!.primaryRoleScope.push({ id: a.id, displayName: a.displayName ?? '' });
          this.primaryRoles.add(a.id.toUpperCase());
          return this.push(LEAF);
        }
        break;
      case CODE_SYSTEM:
        if (name === 'concept') {
          if (this.codeSystemList !== null)
            this.codeSystemList.push({ id: a.id, code: a.code, displayName: a.displayName });
          return this.push(LEAF);
        }
        break;
      case CODE_SYSTEMS:
        if (name === 'CodeSystem') return this.openCodeSystem(a);
        break;
      case ROOT:
        if (name === 'Manifest') {
          this.manifest = {
            kind: 'manifest',
            version: null,
            publicationType: null,
            publicationSource: null,
            publicationDate: null,
            publicationSeqNum: null,
            fileCreationDateTime: null,
            recordCount: null,
            contentDescription: null,
            primaryRoleScope: [],
          };
          return this.push(MANIFEST);
        }
        if (name === 'CodeSystems') {
          // Which roles are primary is in the manifest: code systems read before it would all say "not primary".
          if (this.manifest === null)
            this.fail('<CodeSystems> comes before <Manifest>; ORD XML puts the Manifest first');
          this.codeSystems = { kind: 'codeSystems', roles: [], rels: [], recordClasses: [] };
          return this.push(CODE_SYSTEMS);
        }
        if (name === 'Organisations') return this.push(ORGANISATIONS);
        break;
      case DOCUMENT:
        return this.openRoot(name, a);
    }
    this.notice(this.pathTo(name), 'unknown element');
    this.push(SKIP);
  }

  private openRoot(name: string, a: Attrs): void {
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    if (local !== 'OrgRefData') {
      this.fail(`the root element is <${name}>; expected <HSCOrgRefData:OrgRefData> (an ORD XML full file)`);
    }
    const ns = colon < 0 ? a.xmlns : a[`xmlns:${name.slice(0, colon)}`];
    if (ns !== ORD_XML_NAMESPACE) {
      this.fail(
        `the root element's namespace is ${ns === undefined ? 'not declared' : `"${ns}"`}; expected ` +
          `"${ORD_XML_NAMESPACE}" (ORD XML 2-0-0)`,
      );
    }
    this.push(ROOT);
  }

  private openCodeSystem(a: Attrs): void {
    const systems = this.codeSystems!;
    const lists: Record<string, Obj[]> = {
      OrganisationRecordClass: systems.recordClasses as unknown as Obj[],
      OrganisationRole: systems.roles as unknown as Obj[],
      OrganisationRelationship: systems.rels as unknown as Obj[],
    };
    this.codeSystemList = (a.name !== undefined && lists[a.name]) || null;
    if (this.codeSystemList === null) this.notice(`CodeSystems/CodeSystem[@name="${a.name}"]`, 'unknown code system');
    this.push(CODE_SYSTEM);
  }

  private openOrganisation(a: Attrs): void {
    const org: Obj = { orgRecordClass: a.orgRecordClass };
    if (isTrue(a.refOnly)) org.refOnly = true;
    this.org = org;
    this.holder = org;
    this.orgLine = this.sax.line;
    this.orgColumn = this.sax.column + 1;
    this.push(ORGANISATION);
  }

  private inOrganisation(name: string, a: Attrs): number {
    const org = this.org!;
    switch (name) {
      case 'Name':
        this.once(org, 'Name');
        return this.pushTextKind(org, 'Name');
      case 'Date':
        return this.openDate(org);
      case 'OrgId':
        this.once(org, 'OrgId');
        org.OrgId = { root: a.root, assigningAuthorityName: a.assigningAuthorityName, extension: a.extension };
        return LEAF;
      case 'Status':
        this.once(org, 'Status');
        org.Status = a.value;
        return LEAF;
      case 'LastChangeDate':
        this.once(org, 'LastChangeDate');
        org.LastChangeDate = a.value;
        return LEAF;
      case 'GeoLoc':
        this.once(org, 'GeoLoc');
        return GEOLOC;
      case 'Contacts':
        this.once(org, 'Contacts');
        this.contacts = [];
        org.Contacts = { Contact: this.contacts };
        return CONTACTS;
      case 'Roles':
        this.once(org, 'Roles');
        this.list = [];
        org.Roles = { Role: this.list };
        return ROLES;
      case 'Rels':
        this.once(org, 'Rels');
        this.list = [];
        org.Rels = { Rel: this.list };
        return RELS;
      case 'Succs':
        this.once(org, 'Succs');
        this.list = [];
        org.Succs = { Succ: this.list };
        return SUCCS;
    }
    this.notice(this.pathTo(name), 'unknown element');
    return SKIP;
  }

  /** A second Name, OrgId, … in one record would silently replace the first: refused instead. */
  private once(owner: Obj, key: string): void {
    if (owner[key] !== undefined) {
      this.fail(`a second <${key}> in one <Organisation> (the record starting at line ${this.orgLine})`);
    }
  }

  private inComponent(parent: number, name: string, a: Attrs): number {
    const holder = this.holder!;
    if (name === 'Date') return this.openDate(holder);
    if (name === 'Status') {
      this.once(holder, 'Status');
      holder.Status = a.value;
      return LEAF;
    }
    if (parent !== ROLE && name === 'Target') {
      this.once(holder, 'Target');
      this.target = {};
      holder.Target = this.target;
      return TARGET;
    }
    if (parent === SUCC && name === 'Type') {
      this.once(holder, 'Type');
      return this.pushTextKind(holder, 'Type');
    }
    this.notice(this.pathTo(name), 'unknown element');
    return SKIP;
  }

  private openDate(holder: Obj): number {
    this.date = {};
    ((holder.Date as Obj[] | undefined) ?? (holder.Date = [])).push(this.date);
    return DATE;
  }

  private pushText(owner: Obj, key: string): void {
    this.push(this.pushTextKind(owner, key));
  }

  private pushTextKind(owner: Obj, key: string): number {
    this.textOwner = owner;
    this.textKey = key;
    this.text = '';
    this.sax.on('text', this.onText);
    return TEXT;
  }

  private close_(): void {
    const kind = this.kinds[this.depth--]!;
    switch (kind) {
      case TEXT: {
        this.sax.off('text');
        const text = this.text;
        this.text = '';
        if (isBlank(text)) return;
        this.textOwner![this.textKey] = this.textKey === 'UPRN' ? int(text.trim()) : text;
        return;
      }
      case ORGANISATION:
        return this.closeOrganisation();
      case ROLE:
      case REL:
      case SUCC:
        this.holder = this.org;
        return;
      case MANIFEST:
        this.items.push(this.manifest!);
        return;
      case CODE_SYSTEMS: {
        const systems = this.codeSystems!;
        for (const role of systems.roles)
          role.primaryRole = this.primaryRoles.has(role.id?.toUpperCase()) ? 'true' : 'false';
        this.items.push(systems);
        return;
      }
    }
  }

  private closeOrganisation(): void {
    const org = this.org!;
    this.org = null;
    this.holder = null;
    const orgId = org.OrgId as Obj | undefined;
    if (orgId === undefined || typeof orgId.extension !== 'string' || orgId.extension.trim() === '') {
      this.fail('<Organisation> has no <OrgId extension="…"> (its ODS code)', this.orgLine, this.orgColumn);
    }
    org.Date ??= [];
    org.Roles ??= { Role: [] };
    this.items.push({
      kind: 'organisation',
      wire: org as unknown as OrdOrganisation,
      line: this.orgLine,
      column: this.orgColumn,
    });
  }
}

// ---- the input: a plain file, a zip of one .xml, or TRUD's zip holding fullfile.zip ----------------------------------

interface XmlInput {
  /** How errors name it: "file.xml", "trud.zip › fullfile.zip › HSCOrgRefData_Full.xml". */
  name: string;
  totalBytes: number;
  chunks: AsyncIterable<Buffer>;
  consumed(): number;
  close(): Promise<void>;
}

const ZIP_SIGNATURES = [0x04034b50, 0x06054b50];

async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_SIGNATURES.includes(head.readUInt32LE(0));
  } finally {
    await handle.close();
  }
}

async function openInput(path: string, chunkBytes: number): Promise<XmlInput> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new OrdXmlError(path, `cannot read the file: ${(err as Error).message}`);
  }
  if (!(await isZip(path))) return plainInput(path, basename(path), size, chunkBytes);
  return zipInput(path, basename(path), true);
}

function plainInput(path: string, name: string, size: number, chunkBytes: number): XmlInput {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  return {
    name,
    totalBytes: size,
    chunks: stream,
    consumed: () => stream.bytesRead,
    close: async () => {
      stream.destroy();
    },
  };
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function rawEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, { decompress: false, decrypt: null, start: null, end: null }, (err, stream) =>
      err ? reject(err) : resolve(stream),
    ),
  );
}

/** The entry's bytes, inflated, with the compressed bytes counted and the CRC-32 and size checked at the end. */
async function entryStream(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  name: string,
): Promise<{ stream: Readable; consumed: () => number }> {
  if (entry.isEncrypted()) throw new OrdXmlError(name, 'the zip entry is encrypted; decrypt it first');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new OrdXmlError(
      name,
      `the zip entry uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are read`,
    );
  }
  const raw = await rawEntryStream(zip, entry);
  let consumed = 0;
  let crc = 0;
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      consumed += chunk.length;
      callback(null, chunk);
    },
  });
  const checker = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (size !== entry.uncompressedSize || crc >>> 0 !== entry.crc32 >>> 0) {
        callback(
          new OrdXmlError(name, `the zip entry is corrupt (its size or CRC-32 does not match the zip's directory)`),
        );
      } else callback();
    },
  });
  const out = new PassThrough({ readableHighWaterMark: 1 << 20 });
  const stages: (Readable | Transform)[] =
    entry.compressionMethod === 8
      ? [raw, counter, zlib.createInflateRaw({ chunkSize: 256 * 1024 }), checker]
      : [raw, counter, checker];
  pipeline([...stages, out]).catch((err: Error) =>
    out.destroy(err instanceof OrdXmlError ? err : new OrdXmlError(name, `cannot read the zip entry: ${err.message}`)),
  );
  return { stream: out, consumed: () => consumed };
}

function describeEntries(entries: readonly yauzl.Entry[]): string {
  if (entries.length === 0) return 'it is empty';
  return `its entries are ${entries.map((e) => e.fileName).join(', ')}`;
}

async function zipInput(path: string, name: string, outer: boolean): Promise<XmlInput> {
  let zip: yauzl.ZipFile;
  let entries: yauzl.Entry[];
  try {
    zip = await openZip(path);
    entries = await listEntries(zip);
  } catch (err) {
    throw new OrdXmlError(name, `not a readable zip: ${(err as Error).message}`);
  }
  const files = entries.filter((e) => !e.fileName.endsWith('/'));
  const lower = (e: yauzl.Entry) => basename(e.fileName).toLowerCase();
  const fullfiles = outer ? files.filter((e) => lower(e) === 'fullfile.zip') : [];
  const xmls = files.filter((e) => lower(e).endsWith('.xml'));
  try {
    if (fullfiles.length > 1) {
      throw new OrdXmlError(name, `several fullfile.zip entries (${describeEntries(fullfiles)}); expected one`);
    }
    if (fullfiles.length === 1) {
      // TRUD's layout: read only the inner full file (a loose .xml beside it, as in the 2018-12 release, is ignored).
      const inner = fullfiles[0]!;
      const dir = await mkdtemp(join(tmpdir(), 'ord-xml-'));
      const innerPath = join(dir, 'fullfile.zip');
      const innerName = `${name} › ${inner.fileName}`;
      try {
        const { stream } = await entryStream(zip, inner, innerName);
        await pipeline(stream, createWriteStream(innerPath));
        zip.close();
        const input = await zipInput(innerPath, innerName, false);
        return {
          ...input,
          close: async () => {
            await input.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
    if (xmls.length !== 1) {
      const what = outer
        ? "expected exactly one .xml file, or TRUD's layout (a fullfile.zip holding one)"
        : 'expected exactly one .xml file (one full file; extract the one you want and import it)';
      throw new OrdXmlError(
        name,
        `${xmls.length === 0 ? 'no .xml file' : `${xmls.length} .xml files`} in the zip (${describeEntries(files)}); ${what}`,
      );
    }
    const entry = xmls[0]!;
    const entryName = `${name} › ${entry.fileName}`;
    const { stream, consumed } = await entryStream(zip, entry, entryName);
    return {
      name: entryName,
      totalBytes: entry.compressedSize,
      chunks: stream,
      consumed,
      close: async () => {
        stream.destroy();
        zip.close();
      },
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}
