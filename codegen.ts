// graphql-codegen configuration: typed documents for the example operations in schema/operations/, into src/generated/.
// Run `npm run codegen` after `npm run schema:print` whenever the schema or an operation changes; commit the output.

import type { CodegenConfig } from '@graphql-codegen/cli';
import { SCALARS } from './schema/clients/shape.js';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        // The same mapping front-end projects are told to use (README, Front-end clients).
        scalars: SCALARS,
        strictScalars: true,
      },
    },
  },
};

export default config;
