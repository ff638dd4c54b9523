// GraphQL tests for RoleType, RelationshipType and RecordClass: values from ORD's code systems, the per-process memo,
// and that every type, field and argument of the schema is documented. Over HTTP against the ORD simulator (tier small).

import { describe, expect, it } from 'vitest';
import { CodeSystemsDocument } from '../src/generated/graphql.js';
import { schema } from '../src/schema/index.js';
import { useStack } from './helpers/stack.js';

const stack = useStack({ tier: 'small' });

const codeSystemCalls = () => stack.calls().filter((c) => ['roles', 'rels', 'recordclasses'].includes(c.endpoint));

describe('code systems', () => {
  it('lists role types, relationship types and record classes from ORD, loading each once per process', async () => {
    const res = await stack.gql(CodeSystemsDocument);
    expect(res.errors).toBeUndefined();
    const data = res.data!;
    expect(data.roleTypes.find((r) => r.id === 'RO197')).toEqual({
      id: 'RO197',
      code: '197',
      displayName: 'NHS TRUST',
      isPrimary: true,
    });
    expect(data.roleTypes.find((r) => r.id === 'RO76')).toMatchObject({ displayName: 'GP PRACTICE', isPrimary: false });
    expect(data.relationshipTypes.find((r) => r.id === 'RE6')).toEqual({
      id: 'RE6',
      code: '6',
      displayName: 'IS OPERATED BY',
    });
    expect(data.relationshipTypes.find((r) => r.id === 'RE4')?.displayName).toBe('IS COMMISSIONED BY');
    expect(data.recordClasses).toEqual([
      { id: 'RC1', code: '1', displayName: 'HSCOrg' },
      { id: 'RC2', code: '2', displayName: 'HSCSite' },
    ]);
    expect(
      codeSystemCalls()
        .map((c) => c.endpoint)
        .sort(),
    ).toEqual(['recordclasses', 'rels', 'roles']);

    // A second request, and every role/relationship/record class resolved in it, reuses the memo.
    stack.sim.clearLog();
    const again = await stack.gql(`{
      roleTypes { id }
      organisation(odsCode: "RWR") { recordClass { displayName } roles { type { displayName } } relationships { type { displayName } targetPrimaryRole { displayName } } }
    }`);
    expect(again.errors).toBeUndefined();
    expect(codeSystemCalls()).toHaveLength(0);
  });

  it('looks one up by ORD id, case-insensitively; an unknown id is null', async () => {
    const res = await stack.gql(`{
      roleType(id: "ro98") { id displayName isPrimary }
      unknownRole: roleType(id: "RO9999") { id }
      relationshipType(id: "RE8") { id displayName }
      recordClass(id: "RC2") { displayName }
      unknownClass: recordClass(id: "RC7") { id }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      roleType: { id: 'RO98', displayName: 'CLINICAL COMMISSIONING GROUP', isPrimary: true },
      unknownRole: null,
      relationshipType: { id: 'RE8', displayName: expect.any(String) },
      recordClass: { displayName: 'HSCSite' },
      unknownClass: null,
    });
  });

  it('a malformed id is a BAD_USER_INPUT naming the argument', async () => {
    const res = await stack.gql(
      `{ a: roleType(id: "NHS TRUST") { id } b: relationshipType(id: "RO197") { id } c: recordClass(id: "1") { id } }`,
    );
    expect(res.errors).toHaveLength(3);
    for (const error of res.errors!)
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
    expect(res.data).toEqual({ a: null, b: null, c: null });
  });
});

describe('schema documentation', () => {
  it('documents every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'ID', 'Float'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      // Duck-typed: vitest may load a second copy of graphql-js, so its isObjectType() would refuse Pothos's types.
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields()) as {
          name: string;
          description?: string | null;
          args?: { name: string; description?: string | null }[];
        }[]) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args ?? []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if ('getValues' in type)
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});
