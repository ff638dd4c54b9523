// The example operations shipped in schema/operations/: GraphiQL opens them as tabs, and the budget tests, the bench
// and `npm run example:calls` run the same documents, so what users are shown is what is measured.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPackageRoot } from '../paths.js';

const OPERATIONS_DIR = fromPackageRoot('schema', 'operations');

export interface ExampleOperation {
  name: string;
  query: string;
  /** JSON text from the file's `# Variables: {...}` comment, if it has one. */
  variables: string | null;
}

/** Tabs shown first in GraphiQL, in this order; other example files follow alphabetically. */
const PREFERRED_ORDER = [
  'TrustWithSites',
  'IcbDownToPractices',
  'MergerHistory',
  'PracticeCommissionerAsAt',
  'SearchPaged',
  'ChangedSince',
];

function rank(name: string): number {
  const at = PREFERRED_ORDER.indexOf(name);
  return at === -1 ? PREFERRED_ORDER.length : at;
}

/** The example operations shipped in schema/operations/, preferred ones first (empty if the folder is missing). */
export function exampleOperations(): ExampleOperation[] {
  let files: string[];
  try {
    files = readdirSync(OPERATIONS_DIR)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
  } catch {
    return [];
  }
  return files
    .map((file) => {
      const query = readFileSync(join(OPERATIONS_DIR, file), 'utf8');
      const variables = /^#\s*Variables:\s*(\{.*\})\s*$/m.exec(query)?.[1] ?? null;
      return { name: file.replace(/\.graphql$/, ''), query, variables };
    })
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
