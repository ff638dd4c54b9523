// The summary a full organisation record implies: what a search row would have said about it.
// A fact about the data, not about caching: whatever holds a full record (the shared cache today) derives it this way.

import type { Organisation, OrganisationSummary } from './types.js';

export function summaryOf(org: Organisation): OrganisationSummary {
  const primary = org.roles.find((r) => r.isPrimary);
  return {
    kind: 'summary',
    odsCode: org.odsCode,
    name: org.name,
    status: org.status,
    recordClassId: org.recordClassId,
    postcode: org.address?.postcode ?? null,
    lastChangeDate: org.lastChangeDate,
    primaryRoleTypeId: primary?.roleTypeId ?? null,
  };
}
