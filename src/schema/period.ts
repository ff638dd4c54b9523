// The Period type: start and end dates of an operational or legal period.
// The "as at a date" rule itself is `isActiveOn` (src/domain/period.ts), the one every field and source applies.

import type { Period } from '../domain/types.js';
import { builder } from './builder.js';
import { DateScalar } from './scalars.js';

export const PeriodRef = builder.objectRef<Period>('Period').implement({
  description: 'A span of dates. A null start means ORD records no start; a null end means it is still open.',
  fields: (t) => ({
    start: t.field({
      type: DateScalar,
      nullable: true,
      description: 'First day in effect (inclusive).',
      resolve: (p) => p.start,
    }),
    end: t.field({
      type: DateScalar,
      nullable: true,
      description: 'Last day in effect (inclusive); null while open.',
      resolve: (p) => p.end,
    }),
  }),
});
