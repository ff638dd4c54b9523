// ORD XML: the five real records and the real header read to exact domain values; the simulator's writer and the reader
// agree with the JSON mapping on the whole small tier (plain, zip, TRUD's nested zip, copies, BOM); bad files are located.
// Expected values were read by hand from data/recorded/ord-xml/*.xml and data/recorded/ordxml_header_*.xml.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/dataset/build.js';
import type { OrdDataset } from '../src/dataset/types.js';
import type { Organisation, Period } from '../src/domain/types.js';
import { copyPrefixes, MAX_XML_COPIES, writeOrdXml } from '../src/simulators/ord/xml.js';
import { writeZip } from '../src/simulators/ord/zip.js';
import { spawnTs } from './helpers/spawnTs.js';
import { toOrganisation, toRecordClass, toRelationshipType, toRoleType } from '../src/sources/ord/map.js';
import type { OrdOrganisation } from '../src/sources/ord/types.js';
import {
  OrdXmlError,
  readOrdXml,
  readOrdXmlWire,
  type OrdXmlCodeSystems,
  type OrdXmlItem,
  type OrdXmlManifest,
  type ReadOrdXmlOptions,
} from '../src/sources/ord/xml.js';

const DATA = new URL('../data/recorded/', import.meta.url);
const REAL_CODES = ['J82028', 'YGM10', '5N424', 'C88032001', 'C84714001'] as const;
const p = (start: string | null, end: string | null = null): Period => ({ start, end });

let dir: string;
let small: OrdDataset;
let smallXml: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ord-xml-test-'));
  small = loadDataset('small');
  smallXml = join(dir, 'small.xml');
  await writeOrdXml(small, smallXml);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, options?: ReadOrdXmlOptions) {
  const items: OrdXmlItem[] = [];
  for await (const item of readOrdXml(path, options)) items.push(item);
  return {
    items,
    manifest: items.find((i): i is OrdXmlManifest => i.kind === 'manifest'),
    codeSystems: items.find((i): i is OrdXmlCodeSystems => i.kind === 'codeSystems'),
    records: items.flatMap((i) => (i.kind === 'organisation' ? [i.record] : [])),
  };
}

async function readError(path: string): Promise<OrdXmlError> {
  try {
    await readAll(path);
  } catch (err) {
    expect(err).toBeInstanceOf(OrdXmlError);
    return err as OrdXmlError;
  }
  throw new Error(`${path} was read without an error`);
}

async function fileWith(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const realRecordXml = (code: string) => readFile(new URL(`ord-xml/Organisation_${code}.xml`, DATA), 'utf8');
const realHeader = () => readFile(new URL('ordxml_header_codesystems_APISync_2019-05-01.xml', DATA), 'utf8');
/** The real header (which ends after </CodeSystems>) with these records and the closing tags after it. */
const documentOf = async (records: string[]) =>
  `${await realHeader()}\n  <Organisations>\n${records.join('')}  </Organisations>\n</HSCOrgRefData:OrgRefData>\n`;
/** A minimal document around record fragments: root, an empty manifest, the records. */
const minimalDocument = (records: string) =>
  '<?xml version="1.0" encoding="utf-8"?>\n<HSCOrgRefData:OrgRefData xmlns:HSCOrgRefData="http://refdata.hscic.gov.uk/org/v2-0-0">\n' +
  `<Manifest><Version value="2-0-0"/></Manifest>\n<Organisations>\n${records}</Organisations>\n</HSCOrgRefData:OrgRefData>\n`;

describe('the five real ORD XML records', () => {
  let byCode: Map<string, Organisation>;
  let real: Awaited<ReturnType<typeof readAll>>;

  beforeAll(async () => {
    const path = await fileWith('real.xml', await documentOf(await Promise.all(REAL_CODES.map(realRecordXml))));
    real = await readAll(path);
    byCode = new Map(real.records.map((r) => [r.odsCode, r]));
  });

  it('reads all five, in document order', () => {
    expect(real.records.map((r) => r.odsCode)).toEqual(REAL_CODES);
  });

  it('J82028: the practice, RO177 primary + RO76, three RE4 to 5FE / 4RK71 / 10R with their dates', () => {
    expect(byCode.get('J82028')).toEqual<Organisation>({
      kind: 'full',
      odsCode: 'J82028',
      name: 'TRAFALGAR MEDICAL GROUP PRACTICE',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: false,
      lastChangeDate: '2016-06-24',
      operationalPeriod: p('1974-04-01'),
      legalPeriod: null,
      address: {
        lines: ['THE SURGERY', '25 OSBORNE ROAD', 'PORTSMOUTH'],
        town: 'SOUTHSEA',
        county: 'HAMPSHIRE',
        postcode: 'PO5 3ND',
        country: 'ENGLAND',
        uprn: null,
      },
      contacts: [{ type: 'TELEPHONE', value: '02392 821371' }],
      roles: [
        {
          roleTypeId: 'RO177',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('1974-04-01'),
          legalPeriod: null,
          uniqueRoleId: 17745,
        },
        {
          roleTypeId: 'RO76',
          isPrimary: false,
          status: 'ACTIVE',
          operationalPeriod: p('2014-04-15'),
          legalPeriod: null,
          uniqueRoleId: 185634,
        },
      ],
      relationships: [
        {
          relationshipTypeId: 'RE4',
          status: 'INACTIVE',
          operationalPeriod: p('2001-04-01', '2013-03-31'),
          legalPeriod: null,
          targetOdsCode: '5FE',
          targetPrimaryRoleTypeId: 'RO179',
          uniqueRelId: 261045,
        },
        {
          relationshipTypeId: 'RE4',
          status: 'INACTIVE',
          operationalPeriod: p('1999-04-01', '2001-03-31'),
          legalPeriod: null,
          targetOdsCode: '4RK71',
          targetPrimaryRoleTypeId: 'RO171',
          uniqueRelId: 261046,
        },
        {
          relationshipTypeId: 'RE4',
          status: 'ACTIVE',
          operationalPeriod: p('2013-04-01'),
          legalPeriod: null,
          targetOdsCode: '10R',
          targetPrimaryRoleTypeId: 'RO98',
          uniqueRelId: 261047,
        },
      ],
      successions: [],
    });
  });

  it('YGM10: one Successor YGM41 on 2015-06-30 and one Predecessor 8GW80', () => {
    const ygm10 = byCode.get('YGM10')!;
    expect(ygm10.successions).toEqual([
      {
        type: 'SUCCESSOR',
        effectiveDate: '2015-06-30',
        targetOdsCode: 'YGM41',
        targetPrimaryRoleTypeId: 'RO92',
        uniqueSuccId: 37311,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2012-02-01',
        targetOdsCode: '8GW80',
        targetPrimaryRoleTypeId: 'RO157',
        uniqueSuccId: 36030,
      },
    ]);
    expect(ygm10).toMatchObject({
      name: 'INDIGO 4',
      status: 'INACTIVE',
      operationalPeriod: p('2006-04-01', '2015-06-30'),
      address: { lines: ['AIZLEWOODS MILL', 'NURSERY STREET'], town: 'SHEFFIELD', postcode: 'S3 8GG' },
      contacts: [],
      relationships: [],
    });
    expect(ygm10.roles).toEqual([
      {
        roleTypeId: 'RO92',
        isPrimary: true,
        status: 'INACTIVE',
        operationalPeriod: p('2006-04-01', '2015-07-01'),
        legalPeriod: null,
        uniqueRoleId: 97897,
      },
    ]);
  });

  it('5N424: legal and operational periods both kept, whatever order the Dates come in', async () => {
    const expected = {
      legalPeriod: p('1980-01-01', '2013-03-31'),
      operationalPeriod: p('2012-04-02'),
      roles: [
        {
          roleTypeId: 'RO180',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('2012-04-01'),
          legalPeriod: p('2012-04-01', '2013-03-31'),
          uniqueRoleId: 162151,
        },
        {
          roleTypeId: 'RO180',
          isPrimary: false,
          status: 'ACTIVE',
          operationalPeriod: p('2010-04-01', '2011-03-31'),
          legalPeriod: null,
          uniqueRoleId: null,
        },
        {
          roleTypeId: 'RO180',
          isPrimary: false,
          status: 'ACTIVE',
          operationalPeriod: p('2012-04-01', '2013-03-31'),
          legalPeriod: null,
          uniqueRoleId: null,
        },
      ],
      relationships: [
        {
          relationshipTypeId: 'RE6',
          status: 'ACTIVE',
          operationalPeriod: p('2012-04-01'),
          legalPeriod: p('2012-04-01', '2013-03-31'),
          targetOdsCode: '5N4',
          targetPrimaryRoleTypeId: 'RO179',
          uniqueRelId: 184316,
        },
      ],
    };
    expect(byCode.get('5N424')).toMatchObject({ name: 'THE FLOWERS HEALTH CENTRE', recordClassId: 'RC2', ...expected });
    // The same record with every Legal/Operational pair swapped (Operational first, as ORD's JSON gives it).
    const xml = await realRecordXml('5N424');
    const swapped = xml.replace(
      /(\s*<Date>\s*<Type value="Legal"\/>[\s\S]*?<\/Date>)(\s*<Date>\s*<Type value="Operational"\/>[\s\S]*?<\/Date>)/g,
      '$2$1',
    );
    expect(swapped).not.toBe(xml);
    expect(swapped.indexOf('"Operational"')).toBeLessThan(swapped.indexOf('"Legal"'));
    const { records } = await readAll(await fileWith('5N424-swapped.xml', minimalDocument(swapped)));
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual(byCode.get('5N424'));
  });

  it('C88032001: inactive, with end dates on the record, its role and its relationship', () => {
    expect(byCode.get('C88032001')).toMatchObject({
      name: 'DERBYSHIRE LANE SURGERY',
      status: 'INACTIVE',
      recordClassId: 'RC2',
      lastChangeDate: '2014-07-30',
      operationalPeriod: p('2004-04-01', '2014-06-30'),
      roles: [{ roleTypeId: 'RO96', status: 'INACTIVE', operationalPeriod: p('2004-04-01', '2014-06-30') }],
      relationships: [
        {
          relationshipTypeId: 'RE6',
          status: 'INACTIVE',
          operationalPeriod: p('2004-04-01', '2014-06-30'),
          targetOdsCode: 'C88032',
          uniqueRelId: 24415,
        },
      ],
    });
  });

  it('C84714001: an RC2 branch surgery with its telephone and RE6 to C84714', () => {
    const c84714001 = byCode.get('C84714001')!;
    expect(c84714001).toMatchObject({ name: 'GHATTAORA AS', recordClassId: 'RC2', status: 'ACTIVE' });
    expect(c84714001.contacts).toEqual([{ type: 'TELEPHONE', value: '01158483100' }]);
    expect(c84714001.address?.lines).toEqual([
      'SUNRISE MEDICAL PRACTICE',
      'STUDENT CENTRE, NOTTINGHAM TRENT UN',
      'CLIFTON CAMPUS, CLIFTON LANE',
    ]);
    expect(c84714001.relationships).toEqual([
      {
        relationshipTypeId: 'RE6',
        status: 'ACTIVE',
        operationalPeriod: p('2004-04-01'),
        legalPeriod: null,
        targetOdsCode: 'C84714',
        targetPrimaryRoleTypeId: 'RO177',
        uniqueRelId: 18082,
      },
    ]);
  });

  it("the real header: its manifest as written, its code systems' counts, names and primary flags", () => {
    expect(real.items.map((i) => i.kind).slice(0, 2)).toEqual(['manifest', 'codeSystems']);
    expect(real.manifest).toMatchObject({
      version: '2-0-0',
      publicationType: 'APISync',
      publicationSource: 'HSCIC',
      publicationDate: '$Date',
      publicationSeqNum: 0,
      recordCount: null, // "$Records": a placeholder, not a number
      contentDescription: 'HSCOrgRefData_APICall_$Date',
    });
    expect(real.manifest!.primaryRoleScope).toHaveLength(77);
    expect(real.manifest!.primaryRoleScope[0]).toEqual({ id: 'RO198', displayName: 'NHS TRUST SITE' });
    const systems = real.codeSystems!;
    expect(systems.recordClasses).toEqual([
      { id: 'RC2', code: '2', displayName: 'HSCSite' },
      { id: 'RC1', code: '1', displayName: 'HSCOrg' },
    ]);
    expect(systems.roleTypes).toHaveLength(135);
    expect(systems.relationshipTypes).toHaveLength(5);
    const role = (id: string) => systems.roleTypes.find((r) => r.id === id);
    expect(role('RO177')).toEqual({
      id: 'RO177',
      code: '177',
      displayName: 'PRESCRIBING COST CENTRE',
      isPrimary: true,
    });
    expect(role('RO198')?.isPrimary).toBe(true);
    expect(role('RO76')).toEqual({ id: 'RO76', code: '76', displayName: 'GP PRACTICE', isPrimary: false });
    expect(systems.roleTypes.filter((r) => r.isPrimary)).toHaveLength(77);
    expect(systems.relationshipTypes.find((r) => r.id === 'RE4')).toEqual({
      id: 'RE4',
      code: '4',
      displayName: 'IS COMMISSIONED BY',
    });
  });
});

describe('written by the simulator, read back', () => {
  it('the whole small tier: every record equals toOrganisation of its JSON, and the code systems equal map.ts’s', async () => {
    const { manifest, codeSystems, records } = await readAll(smallXml);
    const expected = [...small.organisations.values()].map(toOrganisation);
    expect(records).toHaveLength(small.organisations.size);
    expect(records).toEqual(expected);
    expect(records.some((r) => r.isReferenceOnly)).toBe(true);
    expect(codeSystems).toEqual({
      kind: 'codeSystems',
      roleTypes: small.roles.map(toRoleType),
      relationshipTypes: small.rels.map(toRelationshipType),
      recordClasses: small.recordClasses.map(toRecordClass),
    });
    expect(manifest).toEqual<OrdXmlManifest>({
      kind: 'manifest',
      version: '2-0-0',
      publicationType: 'Full',
      publicationSource: 'HSCIC',
      publicationDate: '2026-03-01',
      publicationSeqNum: 1,
      fileCreationDateTime: '2026-03-01T00:00:00',
      recordCount: small.organisations.size,
      contentDescription: 'HSCOrgRefData_Full_20260301',
      primaryRoleScope: small.roles
        .filter((r) => r.primaryRole === 'true')
        .map((r) => ({ id: r.id, displayName: r.displayName })),
    });
  }, 30_000);

  it('the wire records equal the JSON wire records themselves (numbers as numbers, flags as true)', async () => {
    const wires: OrdOrganisation[] = [];
    for await (const item of readOrdXmlWire(smallXml)) if (item.kind === 'organisation') wires.push(item.wire);
    expect(wires).toStrictEqual([...small.organisations.values()]);
  }, 30_000);

  it('text and attributes are escaped: & < > " and tabs survive the round trip', async () => {
    const base = small.organisations.get('QMJ')!;
    const odd: OrdOrganisation = {
      ...base,
      Name: 'A & B <C> "D" \'E\' > F',
      GeoLoc: { Location: { AddrLn1: 'x\ty', Town: '&amp;', PostCode: 'N1 1AA' } },
      Contacts: { Contact: [{ type: 'http', value: 'https://x.example/?a=1&b="2"<3>' }] },
    };
    const dataset = { ...small, organisations: new Map([['QMJ', odd]]) };
    const path = join(dir, 'escaped.xml');
    await writeOrdXml(dataset, path);
    const { records } = await readAll(path);
    expect(records).toEqual([toOrganisation(odd)]);
    expect(records[0]!.name).toBe('A & B <C> "D" \'E\' > F');
    expect(records[0]!.address?.town).toBe('&amp;');
  });

  it('copy prefixes skip every two characters a dataset code starts with (Z5R1E is a real code)', () => {
    expect(copyPrefixes(['Z5R1E', 'RWR', 'Z1'], 4)).toEqual(['', 'Z2', 'Z3', 'Z4']);
    expect(copyPrefixes(['Z5R1E'], 6)).toEqual(['', 'Z1', 'Z2', 'Z3', 'Z4', 'Z6']);
    const full = loadDataset('full');
    const prefixes = copyPrefixes(full.organisations.keys(), MAX_XML_COPIES);
    expect(new Set(prefixes).size).toBe(MAX_XML_COPIES);
    for (const code of full.organisations.keys()) expect(prefixes.slice(1)).not.toContain(code.slice(0, 2));
  });

  it('copies: 3 gives 3× the records, every code distinct, every target in the file, copy 1 re-keyed', async () => {
    const path = join(dir, 'copies.xml');
    const written = await writeOrdXml(small, path, { copies: 3 });
    expect(written.records).toBe(3 * small.organisations.size);
    const wires: OrdOrganisation[] = [];
    let recordCount: number | null = null;
    for await (const item of readOrdXmlWire(path)) {
      if (item.kind === 'organisation') wires.push(item.wire);
      if (item.kind === 'manifest') recordCount = item.recordCount;
    }
    expect(wires).toHaveLength(3 * small.organisations.size);
    expect(recordCount).toBe(wires.length);
    const codes = new Set(wires.map((w) => w.OrgId.extension));
    expect(codes.size).toBe(wires.length);
    const targets = wires.flatMap((w) => [
      ...(w.Rels?.Rel ?? []).map((r) => r.Target.OrgId.extension),
      ...(w.Succs?.Succ ?? []).map((s) => s.Target.OrgId.extension),
    ]);
    expect(targets.length).toBeGreaterThan(3 * 1000);
    expect(targets.filter((t) => !codes.has(t))).toEqual([]);
    const roleIds = wires.flatMap((w) => w.Roles.Role.map((r) => r.uniqueRoleId));
    expect(new Set(roleIds).size).toBe(roleIds.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z0-9]{2,12}$/);
    // QMJ (North Central London ICB) in copy 1: the same record, its code and its targets' codes re-keyed the same way.
    // The small tier has codes starting Z1, so copy 1 takes the first free prefix, Z2.
    const prefix = copyPrefixes(small.organisations.keys(), 2)[1]!;
    expect(prefix).toBe('Z2');
    const qmj = small.organisations.get('QMJ')!;
    const copy = wires.find((w) => w.OrgId.extension === `${prefix}QMJ`)!;
    expect(copy.Name).toBe(qmj.Name);
    expect(copy.Rels?.Rel.map((r) => r.Target.OrgId.extension)).toEqual(
      qmj.Rels?.Rel.map((r) => `${prefix}${r.Target.OrgId.extension}`),
    );
  }, 30_000);

  it('a zip holding the .xml, and TRUD’s zip holding fullfile.zip, read the same records (with progress)', async () => {
    const entry = 'HSCOrgRefData_Full_20260301.xml';
    const zipPath = join(dir, 'one.zip');
    await writeZip(zipPath, [{ name: entry, write: (out) => writeOrdXml(small, out) }]);
    const trudPath = join(dir, 'hscorgrefdataxml_data_3.0.0_20260301000001.zip');
    await writeZip(trudPath, [
      { name: 'Newsletter.pdf', write: async (out) => out.write('%PDF-1.4\n') },
      { name: 'fullfile.zip', write: (out) => writeZip(out, [{ name: entry, write: (o) => writeOrdXml(small, o) }]) },
      {
        name: 'archive.zip',
        write: (out) =>
          writeZip(out, [{ name: 'HSCOrgRefData_Archive_20260301.xml', write: async (o) => o.write('<x/>') }]),
      },
    ]);
    const plain = await readAll(smallXml);
    const progress: [number, number][] = [];
    const zipped = await readAll(zipPath, { onProgress: (read, total) => progress.push([read, total]) });
    const nested = await readAll(trudPath);
    expect(zipped.items).toEqual(plain.items);
    expect(nested.items).toEqual(plain.items);
    const last = progress.at(-1)!;
    expect(last[0]).toBe(last[1]);
    expect(last[1]).toBeLessThan((await readFile(smallXml)).length);
  }, 30_000);

  it('a UTF-8 byte order mark before the declaration is tolerated', async () => {
    const text = await readFile(smallXml);
    const path = await fileWith('bom.xml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]));
    const { records } = await readAll(path);
    expect(records).toHaveLength(small.organisations.size);
    expect(records[0]!.odsCode).toBe([...small.organisations.keys()][0]);
  });
});

describe('small hand-made documents', () => {
  it('refOnly="true" maps to isReferenceOnly; whitespace-only text is absent', async () => {
    const stub =
      '<Organisation orgRecordClass="RC1" refOnly="true">\n  <Name>JUST A REFERENCE</Name>\n' +
      '  <OrgId assigningAuthorityName="HSCIC" extension="RJY" root="2.16.840.1.113883.2.1.3.2.4.18.48"/>\n' +
      '  <Status value="Inactive"/>\n  <LastChangeDate value="2020-01-01"/>\n' +
      '  <GeoLoc><Location><AddrLn1>1 HIGH ST</AddrLn1><AddrLn2>   \n </AddrLn2><PostCode>SE1 1AA</PostCode><UPRN>010012345678</UPRN></Location></GeoLoc>\n' +
      '  <Roles><Role id="RO197" uniqueRoleId="42" primaryRole="true"><Status value="Inactive"/></Role></Roles>\n' +
      '</Organisation>\n';
    const { records } = await readAll(await fileWith('stub.xml', minimalDocument(stub)));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      odsCode: 'RJY',
      isReferenceOnly: true,
      status: 'INACTIVE',
      address: { lines: ['1 HIGH ST'], postcode: 'SE1 1AA', uprn: '10012345678' },
      roles: [{ roleTypeId: 'RO197', isPrimary: true, uniqueRoleId: 42 }],
    });
  });

  it('the real refOnly record RJY (JSON) written as XML reads back equal to its JSON mapping', async () => {
    const rjy = (
      JSON.parse(await readFile(new URL('organisations_RJY.json', DATA), 'utf8')) as { Organisation: OrdOrganisation }
    ).Organisation;
    expect(rjy.refOnly).toBe(true);
    const path = join(dir, 'rjy.xml');
    await writeOrdXml({ ...small, organisations: new Map([['RJY', rjy]]) }, path);
    const { records } = await readAll(path);
    expect(records).toEqual([toOrganisation(rjy)]);
    expect(records[0]!.isReferenceOnly).toBe(true);
  });

  it('an unknown element is skipped and told once, with its path', async () => {
    const notices: string[] = [];
    const record = (await realRecordXml('C84714001')).replace(
      '<Status value="Active"/>',
      '<Status value="Active"/><Colour>red</Colour>',
    );
    const path = await fileWith('unknown.xml', minimalDocument(record + record.replace('C84714001', 'C84714002')));
    const { records } = await readAll(path, { onNotice: (m) => notices.push(m) });
    expect(records.map((r) => r.odsCode)).toEqual(['C84714001', 'C84714002']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Organisations/Organisation/Colour');
  });
});

describe('bad input gives a located error', () => {
  it('a truncated file names the file, a line and a column, and says it ends early', async () => {
    const text = await readFile(smallXml, 'utf8');
    const cut = text.slice(0, Math.floor(text.length / 2));
    const path = await fileWith('truncated.xml', cut);
    const err = await readError(path);
    expect(err.file).toBe('truncated.xml');
    expect(err.message).toMatch(
      /^ORD XML truncated\.xml, line \d+, column \d+: the file ends early \(truncated\?\): <\w+> \(opened at line \d+\) is not closed/,
    );
    expect(err.line).toBe(cut.split('\n').length);
  });

  it('a mismatched closing tag is reported at its line', async () => {
    const lines = (await readFile(smallXml, 'utf8')).split('\n');
    const at = lines.findIndex((l, i) => i > 400 && l.includes('</Name>'));
    lines[at] = lines[at]!.replace('</Name>', '</Nam>');
    const err = await readError(await fileWith('badtag.xml', lines.join('\n')));
    expect(err.line).toBe(at + 1);
    expect(err.message).toContain('badtag.xml');
    expect(err.reason).toMatch(/^unexpected close tag; expected <\/Name>, the close of <Name> \(opened at line \d+\)/);
  });

  it('an <Organisation> without OrgId is an error at that record’s position', async () => {
    const record = (await realRecordXml('YGM10')).replace(/<OrgId [^>]*\/>/, '');
    const doc = minimalDocument(record);
    const err = await readError(await fileWith('no-orgid.xml', doc));
    const line = doc.split('\n').findIndex((l) => l.startsWith('<Organisation ')) + 1;
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(/no <OrgId extension/);
  });

  it('a record missing a required field names its code and position', async () => {
    const record = (await realRecordXml('YGM10')).replace(
      '<Status value="Inactive"/>\n  <LastChangeDate',
      '<LastChangeDate',
    );
    const err = await readError(await fileWith('no-status.xml', minimalDocument(record)));
    expect(err.reason).toMatch(/YGM10.*Status/);
    expect(err.line).toBeGreaterThan(0);
  });

  it('a file that is not ORD XML, and bytes that are not UTF-8, are refused plainly', async () => {
    const notOrd = await readError(await fileWith('other.xml', '<?xml version="1.0"?><html><body/></html>'));
    expect(notOrd.reason).toMatch(/root element is <html>; expected <HSCOrgRefData:OrgRefData>/);
    const latin1 = Buffer.from(
      minimalDocument('<Organisation orgRecordClass="RC1"><Name>CAF\xc9</Name></Organisation>\n'),
      'latin1',
    );
    const notUtf8 = await readError(await fileWith('latin1.xml', latin1));
    expect(notUtf8.reason).toMatch(/not valid UTF-8/);
  });

  it('a zip with no .xml, or with two, is refused with its entries listed', async () => {
    const empty = join(dir, 'no-xml.zip');
    await writeZip(empty, [{ name: 'readme.txt', write: async (out) => out.write('hello') }]);
    const none = await readError(empty);
    expect(none.message).toContain('no .xml file in the zip (its entries are readme.txt)');
    const two = join(dir, 'two.zip');
    await writeZip(join(dir, 'inner-two.zip'), [
      { name: 'HSCOrgRefData_Full_20190517.xml', write: async (out) => out.write('<x/>') },
      { name: 'HSCOrgRefData_Full_20190531.xml', write: async (out) => out.write('<x/>') },
    ]);
    await writeZip(two, [
      { name: 'fullfile.zip', write: async (out) => out.write(await readFile(join(dir, 'inner-two.zip'))) },
    ]);
    const several = await readError(two);
    expect(several.file).toBe('two.zip › fullfile.zip');
    expect(several.reason).toContain('2 .xml files in the zip');
    expect(several.reason).toContain('HSCOrgRefData_Full_20190517.xml, HSCOrgRefData_Full_20190531.xml');
  });
});

describe('npm run sim -- --write-xml', () => {
  it('writes the tier as a zipped ORD XML file, prints records and bytes, and exits 0', async () => {
    const path = join(dir, 'cli.zip');
    const run = spawnTs(['src/simulators/ord/cli.ts', '--tier', 'small', '--write-xml', path, '--zip']);
    expect(await run.exited, run.err()).toBe(0);
    const size = (await readFile(path)).length;
    expect(run.out()).toContain(
      `wrote ${small.organisations.size} records (tier small x 1), ${size} bytes, to ${path}`,
    );
    const { records } = await readAll(path);
    expect(records.map((r) => r.odsCode)).toEqual([...small.organisations.keys()]);
  }, 60_000);

  it('refuses --copies without --write-xml, and copies beyond 36, with exit 2', async () => {
    for (const args of [
      ['--copies', '2'],
      ['--write-xml', join(dir, 'x.xml'), '--copies', '37'],
    ]) {
      const run = spawnTs(['src/simulators/ord/cli.ts', ...args]);
      expect(await run.exited, args.join(' ')).toBe(2);
      expect(run.err()).toMatch(/^ord-simulator: --copies/);
    }
  }, 60_000);
});
