// The Contact type (telephone, fax, e-mail, website) and its ContactType enum.
// Values are as ORD holds them, without a scheme prefix.

import type { Contact } from '../domain/types.js';
import { builder } from './builder.js';

export const ContactTypeEnum = builder.enumType('ContactType', {
  description: 'The kind of contact detail.',
  values: {
    TELEPHONE: { value: 'TELEPHONE' as const, description: 'A telephone number.' },
    FAX: { value: 'FAX' as const, description: 'A fax number.' },
    EMAIL: { value: 'EMAIL' as const, description: 'An e-mail address.' },
    WEBSITE: { value: 'WEBSITE' as const, description: 'A web address.' },
    OTHER: { value: 'OTHER' as const, description: 'Any other kind ORD uses.' },
  },
});

export const ContactRef = builder.objectRef<Contact>('Contact').implement({
  description: 'One contact detail of an organisation.',
  fields: (t) => ({
    type: t.field({ type: ContactTypeEnum, description: 'What kind of contact this is.', resolve: (c) => c.type }),
    value: t.exposeString('value', {
      description: 'The number or address, as ORD holds it (no `tel:`/`mailto:` prefix).',
    }),
  }),
});
