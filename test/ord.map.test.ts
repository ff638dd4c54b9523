// Field-by-field checks of the ORD→domain mapping on every real recorded record, summary and code system.
// Expected values were read by hand from data/recorded and data/sources/nhs-uec-analytics-ord-json.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Organisation, Period } from '../src/domain/types.js';
import { OrdUpstreamError } from '../src/sources/ord/errors.js';
import {
  toOrganisation,
  toOrganisationSummary,
  toRecordClass,
  toRelationshipType,
  toRoleType,
} from '../src/sources/ord/map.js';
import type { OrdOrganisation, OrdRecordClass, OrdRelType, OrdRoleType, OrdSummary } from '../src/sources/ord/types.js';

const json = (path: string): unknown => JSON.parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'));
const recorded = (code: string) =>
  (json(`data/recorded/organisations_${code}.json`) as { Organisation: OrdOrganisation }).Organisation;
const uec = (code: string) =>
  (json(`data/sources/nhs-uec-analytics-ord-json/${code}.json`) as { Organisation: OrdOrganisation }).Organisation;
const p = (start: string | null, end: string | null = null): Period => ({ start, end });

describe('toOrganisation — recorded records', () => {
  it('X26: one role, one rel, two predecessors, legal and operational apart', () => {
    expect(toOrganisation(recorded('X26'))).toEqual<Organisation>({
      kind: 'full',
      odsCode: 'X26',
      name: 'NHS DIGITAL',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: false,
      lastChangeDate: '2019-01-25',
      operationalPeriod: p('2013-01-21'),
      legalPeriod: p('2013-04-01'),
      address: {
        lines: ['1 TREVELYAN SQUARE'],
        town: 'LEEDS',
        county: null,
        postcode: 'LS1 6AE',
        country: 'ENGLAND',
        uprn: '72666252',
      },
      contacts: [],
      roles: [
        {
          roleTypeId: 'RO116',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('2013-01-21'),
          legalPeriod: p('2013-04-01'),
          uniqueRoleId: 166234,
        },
      ],
      relationships: [
        {
          relationshipTypeId: 'RE3',
          status: 'ACTIVE',
          operationalPeriod: p('2013-01-21'),
          legalPeriod: p('2013-04-01'),
          targetOdsCode: 'XDH',
          targetPrimaryRoleTypeId: 'RO126',
          uniqueRelId: 189272,
        },
      ],
      successions: [
        {
          type: 'PREDECESSOR',
          effectiveDate: '2013-04-01',
          targetOdsCode: 'T1430',
          targetPrimaryRoleTypeId: 'RO189',
          uniqueSuccId: 36589,
        },
        {
          type: 'PREDECESSOR',
          effectiveDate: '2013-04-01',
          targetOdsCode: 'X09',
          targetPrimaryRoleTypeId: 'RO116',
          uniqueSuccId: 36688,
        },
      ],
    });
  });

  it('97T: non-primary RO218 listed first stays first and non-primary; RO98 is primary; three address lines', () => {
    const org = toOrganisation(recorded('97T'));
    expect(org).toEqual<Organisation>({
      kind: 'full',
      odsCode: '97T',
      name: 'SOUTH EAST - H&J COMMISSIONING HUB',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: false,
      lastChangeDate: '2020-04-01',
      operationalPeriod: p('2019-10-25'),
      legalPeriod: p('2020-04-01'),
      address: {
        lines: ['C/O NHS ENGLAND', '1W09, 1ST FLOOR, QUARRY HOUSE', 'QUARRY HILL'],
        town: 'LEEDS',
        county: null,
        postcode: 'LS2 7UA',
        country: 'ENGLAND',
        uprn: null,
      },
      contacts: [],
      roles: [
        {
          roleTypeId: 'RO218',
          isPrimary: false,
          status: 'ACTIVE',
          operationalPeriod: p('2019-10-25'),
          legalPeriod: p('2020-04-01'),
          uniqueRoleId: 391223,
        },
        {
          roleTypeId: 'RO98',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('2019-10-25'),
          legalPeriod: p('2020-04-01'),
          uniqueRoleId: 386574,
        },
      ],
      relationships: [
        {
          relationshipTypeId: 'RE5',
          status: 'ACTIVE',
          operationalPeriod: p('2019-10-25'),
          legalPeriod: p('2020-04-01'),
          targetOdsCode: 'Y59',
          targetPrimaryRoleTypeId: 'RO209',
          uniqueRelId: 619596,
        },
      ],
      successions: [
        {
          type: 'PREDECESSOR',
          effectiveDate: '2020-04-01',
          targetOdsCode: '14W',
          targetPrimaryRoleTypeId: 'RO98',
          uniqueSuccId: 37762,
        },
        {
          type: 'PREDECESSOR',
          effectiveDate: '2020-04-01',
          targetOdsCode: '14V',
          targetPrimaryRoleTypeId: 'RO98',
          uniqueSuccId: 37761,
        },
      ],
    });
  });

  it('RJY: refOnly, inactive, operational end 2001-03-31, no legal period, no Rels/Succs/Contacts', () => {
    expect(toOrganisation(recorded('RJY'))).toEqual<Organisation>({
      kind: 'full',
      odsCode: 'RJY',
      name: 'WIGAN AND LEIGH HEALTH SERVICES NHS TRUST',
      status: 'INACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: true,
      lastChangeDate: '2020-03-19',
      operationalPeriod: p('1993-04-01', '2001-03-31'),
      legalPeriod: null,
      address: {
        lines: ['ROYAL ALBERT EDWARD INFIRMARY', 'WIGAN LANE'],
        town: 'WIGAN',
        county: 'LANCASHIRE',
        postcode: 'WN1 2NN',
        country: 'ENGLAND',
        uprn: null,
      },
      contacts: [],
      roles: [
        {
          roleTypeId: 'RO197',
          isPrimary: true,
          status: 'INACTIVE',
          operationalPeriod: p('1993-04-01', '2001-03-31'),
          legalPeriod: null,
          uniqueRoleId: 37515,
        },
      ],
      relationships: [],
      successions: [],
    });
  });

  it('RVVKC: RC2 site, RE6 to RVV, UPRN beyond 32 bits', () => {
    expect(toOrganisation(recorded('RVVKC'))).toEqual<Organisation>({
      kind: 'full',
      odsCode: 'RVVKC',
      name: 'KENT & CANTERBURY HOSPITAL',
      status: 'ACTIVE',
      recordClassId: 'RC2',
      isReferenceOnly: false,
      lastChangeDate: '2021-07-21',
      operationalPeriod: p('1999-04-01'),
      legalPeriod: null,
      address: {
        lines: ['ETHELBERT ROAD'],
        town: 'CANTERBURY',
        county: 'KENT',
        postcode: 'CT1 3NG',
        country: 'ENGLAND',
        uprn: '100062280103',
      },
      contacts: [],
      roles: [
        {
          roleTypeId: 'RO198',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('1999-04-01'),
          legalPeriod: null,
          uniqueRoleId: 13437,
        },
      ],
      relationships: [
        {
          relationshipTypeId: 'RE6',
          status: 'ACTIVE',
          operationalPeriod: p('1999-04-01'),
          legalPeriod: null,
          targetOdsCode: 'RVV',
          targetPrimaryRoleTypeId: 'RO197',
          uniqueRelId: 15806,
        },
      ],
      successions: [
        {
          type: 'PREDECESSOR',
          effectiveDate: '1999-04-01',
          targetOdsCode: 'RGWKC',
          targetPrimaryRoleTypeId: 'RO198',
          uniqueSuccId: 28060,
        },
      ],
    });
  });

  it('RWR: contacts, UPRN "10007553984", seven RE5 rels with mixed legal periods, two predecessors', () => {
    const rel = (
      code: string,
      role: string,
      id: number,
      status: 'ACTIVE' | 'INACTIVE',
      op: Period,
      legal: Period | null,
    ) => ({
      relationshipTypeId: 'RE5',
      status,
      operationalPeriod: op,
      legalPeriod: legal,
      targetOdsCode: code,
      targetPrimaryRoleTypeId: role,
      uniqueRelId: id,
    });
    expect(toOrganisation(recorded('RWR'))).toEqual<Organisation>({
      kind: 'full',
      odsCode: 'RWR',
      name: 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: false,
      lastChangeDate: '2020-04-06',
      operationalPeriod: p('2001-04-01'),
      legalPeriod: null,
      address: {
        lines: ['THE COLONNADES', 'BEACONSFIELD CLOSE'],
        town: 'HATFIELD',
        county: null,
        postcode: 'AL10 8YE',
        country: 'ENGLAND',
        uprn: '10007553984',
      },
      contacts: [
        { type: 'TELEPHONE', value: '01707 253800' },
        { type: 'WEBSITE', value: 'HTTPS://WWW.HPFT.NHS.UK/' },
      ],
      roles: [
        {
          roleTypeId: 'RO197',
          isPrimary: true,
          status: 'ACTIVE',
          operationalPeriod: p('2001-04-01'),
          legalPeriod: null,
          uniqueRoleId: 102782,
        },
        {
          roleTypeId: 'RO57',
          isPrimary: false,
          status: 'ACTIVE',
          operationalPeriod: p('2007-08-01'),
          legalPeriod: null,
          uniqueRoleId: 155264,
        },
      ],
      relationships: [
        rel('QM7', 'RO261', 696688, 'ACTIVE', p('2020-04-01'), null),
        rel('Q79', 'RO210', 568962, 'INACTIVE', p('2019-04-01', '2020-03-31'), null),
        rel('Q78', 'RO210', 358954, 'INACTIVE', p('2016-01-29', '2019-03-31'), p('2015-04-01', '2019-03-31')),
        rel('Q58', 'RO210', 193512, 'INACTIVE', p('2014-09-01', '2016-01-28'), p('2013-04-01', '2015-03-31')),
        rel('Q35', 'RO132', 76203, 'INACTIVE', p('2006-07-01', '2014-08-31'), p('2006-07-01', '2013-03-31')),
        rel('QEX', 'RO132', 51797, 'INACTIVE', p('2001-04-01', '2002-03-31'), null),
        rel('Q02', 'RO132', 71564, 'INACTIVE', p('2002-04-01', '2006-06-30'), null),
      ],
      successions: [
        {
          type: 'PREDECESSOR',
          effectiveDate: '2001-04-01',
          targetOdsCode: 'RQJ',
          targetPrimaryRoleTypeId: 'RO197',
          uniqueSuccId: 10500,
        },
        {
          type: 'PREDECESSOR',
          effectiveDate: '2001-04-01',
          targetOdsCode: 'RC8',
          targetPrimaryRoleTypeId: 'RO197',
          uniqueSuccId: 23860,
        },
      ],
    });
  });
});

describe('toOrganisation — nhs-uec-analytics records (2026)', () => {
  // Five reference-only, inactive trusts that merged into RRP/TAF around 2001: same shape, different values.
  const stubs: [string, string, string, string, string[], string, string | null, string, number][] = [
    [
      'FBL',
      'TAVISTOCK & PORTMAN CLINICS',
      '1993-04-01',
      '1994-03-31',
      ['TAVISTOCK CLINIC', '120 BELSIZE LANE'],
      'LONDON',
      null,
      'NW3 5BA',
      15642,
    ],
    [
      'RCZ',
      'BARNET COMMUNITY HEALTHCARE NHS TRUST',
      '1992-04-01',
      '2001-03-31',
      ['TRUST HQ', '52 MOXON STREET'],
      'BARNET',
      'HERTFORDSHIRE',
      'EN5 5TS',
      61866,
    ],
    [
      'RHC',
      'ENFIELD COMMUNITY CARE NHS TRUST',
      '1993-04-01',
      '2001-03-31',
      ['AVON VILLA', 'CHASE FARM HOSPITAL', 'THE RIDGEWAY'],
      'ENFIELD',
      'MIDDLESEX',
      'EN2 8JL',
      61870,
    ],
    [
      'RJY',
      'WIGAN AND LEIGH HEALTH SERVICES NHS TRUST',
      '1993-04-01',
      '2001-03-31',
      ['ROYAL ALBERT EDWARD INFIRMARY', 'WIGAN LANE'],
      'WIGAN',
      'LANCASHIRE',
      'WN1 2NN',
      37515,
    ],
    [
      'RP2',
      'HARINGEY HEALTH CARE NHS TRUST',
      '1994-04-01',
      '2001-03-31',
      ["ST ANN'S HOSPITAL", "ST ANN'S ROAD"],
      'LONDON',
      null,
      'N15 3TH',
      25575,
    ],
    [
      'RRQ',
      'CAMDEN AND ISLINGTON MENTAL HEALTH NHS TRUST',
      '2001-04-01',
      '2002-03-31',
      ['ST. PANCRAS HOSPITAL', '4 ST. PANCRAS WAY'],
      'LONDON',
      null,
      'NW1 0PE',
      31183,
    ],
  ];
  it.each(stubs)(
    '%s: reference-only inactive stub',
    (code, name, start, end, lines, town, county, postcode, uniqueRoleId) => {
      const primaryRole = code === 'FBL' ? 'RO111' : 'RO197';
      const lastChange = code === 'FBL' ? '2026-04-02' : '2020-03-19';
      expect(toOrganisation(uec(code))).toEqual<Organisation>({
        kind: 'full',
        odsCode: code,
        name,
        status: 'INACTIVE',
        recordClassId: 'RC1',
        isReferenceOnly: true,
        lastChangeDate: lastChange,
        operationalPeriod: p(start, end),
        legalPeriod: null,
        address: { lines, town, county, postcode, country: 'ENGLAND', uprn: null },
        contacts: [],
        roles: [
          {
            roleTypeId: primaryRole,
            isPrimary: true,
            status: 'INACTIVE',
            operationalPeriod: p(start, end),
            legalPeriod: null,
            uniqueRoleId,
          },
        ],
        relationships: [],
        successions: [],
      });
    },
  );

  it('RRP: legal end 2024-10-31 but still ACTIVE; successor G6V2S and three forward predecessors', () => {
    const org = toOrganisation(uec('RRP'));
    expect(org.status).toBe('ACTIVE');
    expect(org.isReferenceOnly).toBe(false);
    expect(org.lastChangeDate).toBe('2026-04-01');
    expect(org.operationalPeriod).toEqual(p('2001-04-01'));
    expect(org.legalPeriod).toEqual(p('2001-04-01', '2024-10-31'));
    expect(org.address).toEqual({
      lines: ['TRUST HEADQUARTERS BLOCK B2', "ST ANN'S HOSPITAL", "ST ANN'S ROAD"],
      town: 'LONDON',
      county: null,
      postcode: 'N15 3TH',
      country: 'ENGLAND',
      uprn: '100023151098',
    });
    expect(org.contacts).toEqual([
      { type: 'TELEPHONE', value: '020 8702 3000' },
      { type: 'WEBSITE', value: 'HTTP://WWW.BEH-MHT.NHS.UK/' },
    ]);
    expect(org.roles).toEqual([
      {
        roleTypeId: 'RO197',
        isPrimary: true,
        status: 'ACTIVE',
        operationalPeriod: p('2001-04-01'),
        legalPeriod: p('2001-04-01', '2024-10-31'),
        uniqueRoleId: 102778,
      },
    ]);
    expect(org.relationships.map((r) => [r.relationshipTypeId, r.targetOdsCode, r.status, r.uniqueRelId])).toEqual([
      ['RE5', 'Q05', 'INACTIVE', 71589],
      ['RE5', 'QEW', 'INACTIVE', 51793],
      ['RE5', 'Q36', 'INACTIVE', 74297],
      ['RE5', 'Q71', 'INACTIVE', 227245],
      ['RE5', 'QMJ', 'INACTIVE', 696673],
      ['RE8', 'QMJ', 'INACTIVE', 834735],
      ['RE5', 'Z9B2Z', 'ACTIVE', 886996],
    ]);
    expect(org.relationships[4]).toEqual({
      relationshipTypeId: 'RE5',
      status: 'INACTIVE',
      operationalPeriod: p('2020-04-01', '2026-03-31'),
      legalPeriod: p('2020-04-01', '2024-10-31'),
      targetOdsCode: 'QMJ',
      targetPrimaryRoleTypeId: 'RO261',
      uniqueRelId: 696673,
    });
    expect(org.relationships[6]?.operationalPeriod).toEqual(p('2026-04-01'));
    expect(org.relationships[6]?.legalPeriod).toBeNull();
    expect(org.successions).toEqual([
      {
        type: 'SUCCESSOR',
        effectiveDate: '2024-11-01',
        targetOdsCode: 'G6V2S',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 38131,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2001-04-01',
        targetOdsCode: 'RHC',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 29132,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2001-04-01',
        targetOdsCode: 'RCZ',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 13619,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2001-04-01',
        targetOdsCode: 'RP2',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 25845,
      },
    ]);
  });

  it('TAF: legal end but ACTIVE, three roles (RO107 primary), successor G6V2S, predecessor RRQ', () => {
    const org = toOrganisation(uec('TAF'));
    expect(org).toMatchObject({
      odsCode: 'TAF',
      name: 'CAMDEN AND ISLINGTON NHS FOUNDATION TRUST',
      status: 'ACTIVE',
      isReferenceOnly: false,
      lastChangeDate: '2026-04-01',
      operationalPeriod: p('2002-04-01'),
      legalPeriod: p('2002-04-01', '2024-10-31'),
    });
    expect(org.address).toEqual({
      lines: ['ST PANCRAS HOSPITAL', '4 ST PANCRAS WAY'],
      town: 'LONDON',
      county: null,
      postcode: 'NW1 0PE',
      country: 'ENGLAND',
      uprn: '5139737',
    });
    expect(org.contacts).toEqual([
      { type: 'TELEPHONE', value: '020 3317 3500' },
      { type: 'WEBSITE', value: 'HTTPS://WWW.CANDI.NHS.UK/' },
    ]);
    expect(org.roles).toEqual([
      {
        roleTypeId: 'RO107',
        isPrimary: true,
        status: 'ACTIVE',
        operationalPeriod: p('2002-04-01'),
        legalPeriod: p('2002-04-01', '2024-10-31'),
        uniqueRoleId: 132133,
      },
      {
        roleTypeId: 'RO57',
        isPrimary: false,
        status: 'ACTIVE',
        operationalPeriod: p('2008-03-01'),
        legalPeriod: p('2008-03-01', '2024-10-31'),
        uniqueRoleId: 141882,
      },
      {
        roleTypeId: 'RO24',
        isPrimary: false,
        status: 'ACTIVE',
        operationalPeriod: p('2002-04-01'),
        legalPeriod: p('2002-04-01', '2024-10-31'),
        uniqueRoleId: 141883,
      },
    ]);
    expect(org.relationships.map((r) => [r.relationshipTypeId, r.targetOdsCode, r.status, r.uniqueRelId])).toEqual([
      ['RE5', 'Q05', 'INACTIVE', 44626],
      ['RE5', 'Q36', 'INACTIVE', 106918],
      ['RE5', 'Q71', 'INACTIVE', 227605],
      ['RE5', 'QMJ', 'INACTIVE', 688317],
      ['RE8', 'QMJ', 'INACTIVE', 834879],
      ['RE5', 'Z9B2Z', 'ACTIVE', 887137],
    ]);
    expect(org.relationships[2]).toMatchObject({
      operationalPeriod: p('2013-03-20', '2020-03-31'),
      legalPeriod: p('2013-04-01', '2020-03-31'),
      targetPrimaryRoleTypeId: 'RO210',
    });
    expect(org.successions).toEqual([
      {
        type: 'SUCCESSOR',
        effectiveDate: '2024-11-01',
        targetOdsCode: 'G6V2S',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 38132,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2002-04-01',
        targetOdsCode: 'RRQ',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 506,
      },
    ]);
  });

  it('G6V2S: the merger target — predecessors RRP, TAF (2024-11-01) and RNK (2026-04-01); RE8 rels', () => {
    const org = toOrganisation(uec('G6V2S'));
    expect(org).toMatchObject({
      odsCode: 'G6V2S',
      name: 'NORTH LONDON NHS FOUNDATION TRUST',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      isReferenceOnly: false,
      lastChangeDate: '2026-04-10',
      operationalPeriod: p('2024-07-10'),
      legalPeriod: p('2024-11-01'),
      contacts: [],
    });
    expect(org.address).toEqual({
      lines: ['4TH FLOOR, EAST WING', 'ST. PANCRAS HOSPITAL', '4 ST. PANCRAS WAY'],
      town: 'LONDON',
      county: null,
      postcode: 'NW1 0PE',
      country: 'ENGLAND',
      uprn: '5139737',
    });
    expect(org.roles).toEqual([
      {
        roleTypeId: 'RO197',
        isPrimary: true,
        status: 'ACTIVE',
        operationalPeriod: p('2024-07-10'),
        legalPeriod: p('2024-11-01'),
        uniqueRoleId: 527938,
      },
      {
        roleTypeId: 'RO57',
        isPrimary: false,
        status: 'ACTIVE',
        operationalPeriod: p('2024-07-10'),
        legalPeriod: p('2024-11-01'),
        uniqueRoleId: 547808,
      },
    ]);
    expect(org.relationships).toEqual([
      {
        relationshipTypeId: 'RE5',
        status: 'INACTIVE',
        operationalPeriod: p('2024-07-10', '2026-03-31'),
        legalPeriod: p('2024-11-01', '2026-03-31'),
        targetOdsCode: 'QMJ',
        targetPrimaryRoleTypeId: 'RO261',
        uniqueRelId: 848893,
      },
      {
        relationshipTypeId: 'RE8',
        status: 'INACTIVE',
        operationalPeriod: p('2024-11-01', '2026-03-31'),
        legalPeriod: null,
        targetOdsCode: 'QMJ',
        targetPrimaryRoleTypeId: 'RO261',
        uniqueRelId: 872032,
      },
      {
        relationshipTypeId: 'RE8',
        status: 'ACTIVE',
        operationalPeriod: p('2026-04-01'),
        legalPeriod: null,
        targetOdsCode: 'Z9B2Z',
        targetPrimaryRoleTypeId: 'RO261',
        uniqueRelId: 872305,
      },
      {
        relationshipTypeId: 'RE5',
        status: 'ACTIVE',
        operationalPeriod: p('2026-04-01'),
        legalPeriod: null,
        targetOdsCode: 'Z9B2Z',
        targetPrimaryRoleTypeId: 'RO261',
        uniqueRelId: 886071,
      },
    ]);
    expect(org.successions).toEqual([
      {
        type: 'PREDECESSOR',
        effectiveDate: '2024-11-01',
        targetOdsCode: 'RRP',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 38131,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2024-11-01',
        targetOdsCode: 'TAF',
        targetPrimaryRoleTypeId: 'RO107',
        uniqueSuccId: 38132,
      },
      {
        type: 'PREDECESSOR',
        effectiveDate: '2026-04-01',
        targetOdsCode: 'RNK',
        targetPrimaryRoleTypeId: 'RO197',
        uniqueSuccId: 38269,
      },
    ]);
  });

  it('successions agree in both directions: G6V2S lists RRP/TAF as predecessors with the same ids they list it as successor', () => {
    const g = toOrganisation(uec('G6V2S'));
    for (const code of ['RRP', 'TAF']) {
      const back = toOrganisation(uec(code)).successions.find((s) => s.type === 'SUCCESSOR');
      const forward = g.successions.find((s) => s.targetOdsCode === code);
      expect(back?.targetOdsCode).toBe('G6V2S');
      expect(back?.uniqueSuccId).toBe(forward?.uniqueSuccId);
      expect(back?.effectiveDate).toBe(forward?.effectiveDate);
    }
  });
});

describe('toOrganisation — quirks and defence', () => {
  const base = (): OrdOrganisation => structuredClone(recorded('X26'));

  it('strips a mailto:/tel: scheme, maps fax, unknown contact types become OTHER', () => {
    const raw = base();
    raw.Contacts = {
      Contact: [
        { type: 'mailto', value: 'mailto:enquiries@nhsdigital.nhs.uk' },
        { type: 'mailto', value: 'plain@nhs.net' },
        { type: 'tel', value: 'tel:0300 303 5678' },
        { type: 'fax', value: '0113 000 0000' },
        { type: 'pager', value: '123' },
      ],
    };
    expect(toOrganisation(raw).contacts).toEqual([
      { type: 'EMAIL', value: 'enquiries@nhsdigital.nhs.uk' },
      { type: 'EMAIL', value: 'plain@nhs.net' },
      { type: 'TELEPHONE', value: '0300 303 5678' },
      { type: 'FAX', value: '0113 000 0000' },
      { type: 'OTHER', value: '123' },
    ]);
  });

  it('UPRN near 2^53 stays exact; lower-case target codes are upper-cased', () => {
    const raw = base();
    (raw.GeoLoc as { Location: { UPRN?: number } }).Location.UPRN = 9007199254740991;
    raw.Rels!.Rel[0]!.Target.OrgId.extension = 'xdh';
    const org = toOrganisation(raw);
    expect(org.address?.uprn).toBe('9007199254740991');
    expect(org.relationships[0]?.targetOdsCode).toBe('XDH');
  });

  it('omitted GeoLoc → address null; a lone object instead of a one-element array is accepted', () => {
    const raw = base() as unknown as Record<string, unknown>;
    delete raw.GeoLoc;
    (raw.Roles as Record<string, unknown>).Role = (raw.Roles as { Role: unknown[] }).Role[0];
    const org = toOrganisation(raw as unknown as OrdOrganisation);
    expect(org.address).toBeNull();
    expect(org.roles).toHaveLength(1);
    expect(org.roles[0]?.isPrimary).toBe(true);
  });

  it.each([
    ['no OrgId', (r: Record<string, unknown>) => delete r.OrgId],
    ['no Name', (r: Record<string, unknown>) => delete r.Name],
    ['bad Status', (r: Record<string, unknown>) => (r.Status = 'Dormant')],
    ['bad record class', (r: Record<string, unknown>) => (r.orgRecordClass = 'RC9')],
    ['Roles not an object', (r: Record<string, unknown>) => (r.Roles = 'RO116')],
    [
      'Rel without Target',
      (r: Record<string, unknown>) => delete (r.Rels as { Rel: Record<string, unknown>[] }).Rel[0]!.Target,
    ],
    [
      'UPRN not a number',
      (r: Record<string, unknown>) => ((r.GeoLoc as { Location: Record<string, unknown> }).Location.UPRN = 'abc'),
    ],
  ])('%s → OrdUpstreamError malformed, not a TypeError', (_label, breakIt) => {
    const raw = base() as unknown as Record<string, unknown>;
    breakIt(raw);
    let caught: unknown;
    try {
      toOrganisation(raw as unknown as OrdOrganisation);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OrdUpstreamError);
    expect((caught as OrdUpstreamError).kind).toBe('malformed');
  });

  it('null or a non-object record → malformed', () => {
    expect(() => toOrganisation(null as unknown as OrdOrganisation)).toThrow(OrdUpstreamError);
    expect(() => toOrganisationSummary('RWR' as unknown as OrdSummary)).toThrow(OrdUpstreamError);
  });
});

describe('toOrganisationSummary', () => {
  it('the recorded RWR search row', () => {
    expect(toOrganisationSummary(json('data/recorded/search_PrimaryRoleId_RO197_item_RWR.json') as OrdSummary)).toEqual(
      {
        kind: 'summary',
        odsCode: 'RWR',
        name: 'HERTFORDSHIRE PARTNERSHIP UNIVERSITY NHS FOUNDATION TRUST',
        status: 'ACTIVE',
        recordClassId: 'RC1',
        postcode: 'AL10 8YE',
        lastChangeDate: '2020-04-06',
        primaryRoleTypeId: 'RO197',
      },
    );
  });

  it('every row of the recorded Name=nhs page maps; first and an inactive RC2 row checked', () => {
    const rows = (json('data/recorded/search_Name_nhs.json') as { Organisations: OrdSummary[] }).Organisations;
    const mapped = rows.map(toOrganisationSummary);
    expect(mapped).toHaveLength(20);
    expect(mapped[0]).toEqual({
      kind: 'summary',
      odsCode: 'RTQ',
      name: '2GETHER NHS FOUNDATION TRUST',
      status: 'ACTIVE',
      recordClassId: 'RC1',
      postcode: 'GL1 1LY',
      lastChangeDate: '2019-05-30',
      primaryRoleTypeId: 'RO197',
    });
    expect(mapped.find((s) => s.odsCode === 'NTPU6')).toEqual({
      kind: 'summary',
      odsCode: 'NTPU6',
      name: 'ALBANY HOUSE MEDICAL NHS ULTRASOUND SERVICE CARE UK',
      status: 'INACTIVE',
      recordClassId: 'RC2',
      postcode: 'NN8 4RW',
      lastChangeDate: '2014-02-20',
      primaryRoleTypeId: 'RO176',
    });
    expect(mapped.map((s) => s.odsCode)).toEqual(rows.map((r) => r.OrgId));
  });

  it('a row without PostCode → postcode null', () => {
    const row = structuredClone(json('data/recorded/search_PrimaryRoleId_RO197_item_RWR.json') as OrdSummary);
    delete row.PostCode;
    expect(toOrganisationSummary(row).postcode).toBeNull();
  });
});

describe('code systems', () => {
  it('roles: string code and "true"/"false" primaryRole; all 137 map', () => {
    const roles = (json('data/recorded/roles.json') as { Roles: OrdRoleType[] }).Roles.map(toRoleType);
    expect(roles).toHaveLength(137);
    expect(roles.filter((r) => r.isPrimary)).toHaveLength(84);
    expect(roles[0]).toEqual({ id: 'RO180', code: '180', displayName: 'PRIMARY CARE TRUST SITE', isPrimary: true });
    expect(roles[1]).toEqual({ id: 'RO31', code: '31', displayName: 'PPA EPACT SYSTEM', isPrimary: false });
    const single = (json('data/recorded/roles_RO98.json') as { Roles: OrdRoleType[] }).Roles[0]!;
    expect(toRoleType(single)).toEqual({
      id: 'RO98',
      code: '98',
      displayName: 'CLINICAL COMMISSIONING GROUP',
      isPrimary: true,
    });
  });

  it('rels in recorded order', () => {
    const rels = (json('data/recorded/rels.json') as { Relationships: OrdRelType[] }).Relationships.map(
      toRelationshipType,
    );
    expect(rels).toEqual([
      { id: 'RE3', code: '3', displayName: 'IS DIRECTED BY' },
      { id: 'RE6', code: '6', displayName: 'IS OPERATED BY' },
      { id: 'RE4', code: '4', displayName: 'IS COMMISSIONED BY' },
      { id: 'RE5', code: '5', displayName: 'IS LOCATED IN THE GEOGRAPHY OF' },
      { id: 'RE2', code: '2', displayName: 'IS A SUB-DIVISION OF' },
    ]);
  });

  it('record classes', () => {
    const classes = (json('data/recorded/recordclasses.json') as { RecordClasses: OrdRecordClass[] }).RecordClasses.map(
      toRecordClass,
    );
    expect(classes).toEqual([
      { id: 'RC1', code: '1', displayName: 'HSCOrg' },
      { id: 'RC2', code: '2', displayName: 'HSCSite' },
    ]);
  });

  it('a role type with a bad primaryRole → malformed', () => {
    expect(() => toRoleType({ id: 'RO1', code: '1', displayName: 'X', primaryRole: 'yes' as 'true' })).toThrow(
      OrdUpstreamError,
    );
  });
});
