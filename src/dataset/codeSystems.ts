// The ORD code systems (/roles, /rels, /recordclasses) the dataset is served with, in ORD's recorded order.
// Recorded lists come first; codes ORD added later are appended by hand and are unverified (see ADDED_ROLES).

import type { OrdRecordClass, OrdRelType, OrdRoleType } from '../sources/ord/types.js';
import { readDataText } from './sources.js';

/**
 * Role codes newer than the Oct 2022 table, named as docs/ord-data.md §5 describes them (upper case like ORD).
 * UNVERIFIED: no /roles capture includes them; the display names are our best reading of ODS documentation.
 */
const ADDED_ROLES: readonly OrdRoleType[] = [
  { id: 'RO321', code: '321', displayName: 'PCN PRESCRIBING SETTING', primaryRole: 'false' },
  { id: 'RO323', code: '323', displayName: 'INDEPENDENT PHARMACIST PRESCRIBER PATHFINDER', primaryRole: 'false' },
  { id: 'RO326', code: '326', displayName: 'ICB COMMISSIONING PROXY', primaryRole: 'false' },
  { id: 'RO327', code: '327', displayName: 'SUB-ICB REPORTING ENTITY', primaryRole: 'false' },
  { id: 'RO328', code: '328', displayName: 'WELSH REGION', primaryRole: 'false' },
  // epraccur col 26 also uses two prescribing-setting roles missing from the 2022 table. Their names are inferred from
  // the alphabetical numbering of the RO246–RO260 setting roles and from the PCCs carrying them ("… COURTS", "… SECURE
  // SCHOOL"): UNVERIFIED.
  { id: 'RO248', code: '248', displayName: 'COURT PRESCRIBING COST CENTRE', primaryRole: 'false' },
  { id: 'RO253', code: '253', displayName: 'OTHER JUSTICE ESTATE PRESCRIBING COST CENTRE', primaryRole: 'false' },
];

/**
 * Relationship types after RE6, from docs/ord-data.md §3 (ODS Reference Data Catalogue). RE7 is left out: its name
 * was not found anywhere and the dataset never uses it.
 */
const ADDED_RELS: readonly OrdRelType[] = [
  { id: 'RE8', code: '8', displayName: 'IS PARTNER TO' },
  { id: 'RE9', code: '9', displayName: 'IS NOMINATED PAYEE FOR' },
  { id: 'RE10', code: '10', displayName: 'IS COVID NOMINATED PAYEE FOR' },
  { id: 'RE11', code: '11', displayName: 'IS CONSTITUENT OF' },
];

interface CodeSystems {
  roles: OrdRoleType[];
  rels: OrdRelType[];
  recordClasses: OrdRecordClass[];
}

export function readCodeSystems(): CodeSystems {
  const recordedRoles = (
    JSON.parse(readDataText('recorded/roles_2022-10-12.reconstructed.json')) as { Roles: OrdRoleType[] }
  ).Roles;
  const recordedRels = (JSON.parse(readDataText('recorded/rels.json')) as { Relationships: OrdRelType[] })
    .Relationships;
  const recordClasses = (JSON.parse(readDataText('recorded/recordclasses.json')) as { RecordClasses: OrdRecordClass[] })
    .RecordClasses;
  const roles = [...recordedRoles];
  for (const added of ADDED_ROLES) if (!roles.some((r) => r.id === added.id)) roles.push({ ...added });
  const rels = [...recordedRels];
  for (const added of ADDED_RELS) if (!rels.some((r) => r.id === added.id)) rels.push({ ...added });
  return { roles, rels, recordClasses };
}
