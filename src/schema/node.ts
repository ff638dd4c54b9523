// The Relay root fields node(id) and nodes(ids): refetch any Node (today, only Organisation) by its global id.
// Declared here rather than by the relay plugin so that a malformed id is a BAD_USER_INPUT error naming the argument.

import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { normaliseOdsCode, parseOdsCode, type OdsCode } from '../domain/odsCode.js';
import { builder } from './builder.js';
import { checkOdsCode } from './arguments.js';
import { badUserInput, quoteInput } from './errors.js';
import { MAX_CODES_PER_FIELD, organisationByCodeCost, organisationsByCodesCost } from './refs.js';

/** The Relay global id of the organisation with this ODS code. */
export function organisationGlobalId(odsCode: string): string {
  return encodeGlobalID('Organisation', normaliseOdsCode(odsCode));
}

/** The ODS code in a global id, for the cost estimate: undefined for anything the resolvers refuse. */
function odsCodeInGlobalId(id: unknown): OdsCode | undefined {
  if (typeof id !== 'string') return undefined;
  try {
    const decoded = decodeGlobalID(id);
    return decoded.typename === 'Organisation' ? parseOdsCode(decoded.id) : undefined;
  } catch {
    return undefined;
  }
}

/** The ODS code inside a global id, or BAD_USER_INPUT naming `argumentName`. */
export function odsCodeFromGlobalId(id: string, argumentName: string): OdsCode {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(id);
  } catch {
    throw badUserInput(
      `${argumentName} must be a global id returned by this API; got ${quoteInput(id)}.`,
      argumentName,
    );
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
    throw badUserInput(
      `${argumentName} must be a global id returned by this API; got ${quoteInput(id)}.`,
      argumentName,
    );
  }
}

const NodeRef = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any Node by its global id; null when the organisation it names no longer exists.',
    args: { id: t.arg.id({ required: true, description: 'A global id, as returned in `Organisation.id`.' }) },
    extensions: { upstreamCost: (at) => organisationByCodeCost(at, odsCodeInGlobalId(at.args.id)) },
    resolve: (_root, args, ctx) => ctx.loaders.best(odsCodeFromGlobalId(String(args.id), 'id')),
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Several Nodes by global id, in the order asked; null for ids whose organisation does not exist.',
    args: {
      ids: t.arg.idList({
        required: true,
        description: 'Global ids, as returned in `Organisation.id` (at most 1000).',
      }),
    },
    extensions: {
      upstreamCost: (at) => {
        const ids = at.args.ids;
        return organisationsByCodesCost(at, Array.isArray(ids) ? ids.map(odsCodeInGlobalId) : []);
      },
    },
    resolve: (_root, args, ctx) => {
      if (args.ids.length > MAX_CODES_PER_FIELD) {
        throw badUserInput(`ids may hold at most ${MAX_CODES_PER_FIELD} ids.`, 'ids');
      }
      const codes = args.ids.map((id) => odsCodeFromGlobalId(String(id), 'ids'));
      // One promise per item: a failed one is null plus an error at that index (see Query.organisations).
      return codes.map((code) => ctx.loaders.best(code));
    },
  }),
}));
