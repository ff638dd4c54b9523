// Assembles the GraphQL schema: importing each type module registers its types and root fields on the shared builder.
// Everything outside src/schema uses `schema` from here (the server, scripts/print-schema.ts, tests).

import { builder } from './builder.js';
import './scalars.js';
import './period.js';
import './address.js';
import './contact.js';
import './recordClass.js';
import './roleType.js';
import './relationshipType.js';
import './role.js';
import './relationship.js';
import './succession.js';
import './organisation.js';
import './search.js';
import './walk.js';
import './node.js';

builder.queryType({
  description:
    "Read-only access to the NHS Organisation Data Service (ORD): organisations, their roles, relationships and successions, and ORD's code systems. Every organisation fetch in one request is batched and de-duplicated.",
});

export const schema = builder.toSchema();
export type { Context } from './builder.js';
