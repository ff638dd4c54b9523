// The Relay root fields node(id) and nodes(ids): refetch any Node (today, only Organisation) by its global id.
// Declared here rather than by the relay plugin so that a malformed id is a BAD_USER_INPUT error naming the argument.

import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import type { OrganisationRecord } from '../loaders/index.js';
import { builder } from './builder.js';
import { badUserInput, checkOdsCode, quoteInput, toGraphQLError } from './errors.js';

/** The Relay global id of the organisation with this ODS code. */
export function organisationGlobalId(odsCode: string): string {
  return encodeGlobalID('Organisation', odsCode.toUpperCase());
}

/** The ODS code inside a global id, or BAD_USER_INPUT naming `argumentName`. */
export function odsCodeFromGlobalId(id: string, argumentName: string): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(id);
  } catch {
    throw badUserInput(`${argumentName} must be a global id returned by this API; got ${quoteInput(id)}.`, argumentName);
  }
  if (decoded.typename !== 'Organisation') {
    throw badUserInput(
      `${argumentName} must be the id of a Node; ${quoteInput(decoded.typename)} is not a Node type in this schema.`,
      argumentName,
    );
  }
  try {
    return checkOdsCode(decoded.id, argumentName);
  } catch {
    throw badUserInput(`${argumentName} must be a global id returned by this API; got ${quoteInput(id)}.`, argumentName);
  }
}

const NodeRef = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any Node by its global id; null when the organisation it names no longer exists.',
    args: { id: t.arg.id({ required: true, description: 'A global id, as returned in `Organisation.id`.' }) },
    resolve: (_root, args, ctx) => ctx.loaders.best(odsCodeFromGlobalId(String(args.id), 'id')),
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Several Nodes by global id, in the order asked; null for ids whose organisation does not exist.',
    args: { ids: t.arg.idList({ required: true, description: 'Global ids, as returned in `Organisation.id` (at most 1000).' }) },
    resolve: async (_root, args, ctx) => {
      if (args.ids.length > 1000) throw badUserInput('ids may hold at most 1000 ids.', 'ids');
      const codes = args.ids.map((id) => odsCodeFromGlobalId(String(id), 'ids'));
      const results = await Promise.all(
        codes.map((code) => ctx.loaders.best(code).catch((error: unknown) => toGraphQLError(error))),
      );
      return results as (OrganisationRecord | null)[];
    },
  }),
}));
