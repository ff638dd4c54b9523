// Where the package's own files are at run time: the folder holding this project's package.json, found from here,
// so schema/operations/ and data/ are found whether code runs from src/ (tsx) or compiled, and wherever modules move.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'ods-graphql';

function holdsThisPackage(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
}

/** The nearest folder at or above `start` whose package.json names this project (any other package.json is passed). */
function findPackageRoot(start: string): string {
  let dir = start;
  while (!holdsThisPackage(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json named "${PACKAGE_NAME}" at or above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The package's root folder (absolute). */
const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** An absolute path inside the package, e.g. fromPackageRoot('schema', 'operations'). */
export function fromPackageRoot(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}
