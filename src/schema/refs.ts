// Type references shared across schema modules before their types are implemented, to keep module imports acyclic.
// Organisation is referenced by relationships, successions and connections, and implemented in organisation.ts.

import type { OrganisationRecord } from '../loaders/index.js';
import { builder } from './builder.js';

export const OrganisationRef = builder.objectRef<OrganisationRecord>('Organisation');
