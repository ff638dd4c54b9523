// The boundary check (`npm run boundaries`): the layer rules of README's layer table, as dependency-cruiser rules.
// Layers, top to bottom (an import may only point downwards): entry points (main.ts, demo.ts) → app.ts → config.ts →
// server/ → schema/ → loaders/ → cache/ and sources/<adapter>/ → upstream/ → sources/*.ts (the port) → domain/.
// logger.ts, paths.ts and generated/ are a floor below everything; simulators/ and dataset/ stand beside the stack.
// Each layer has one rule listing all it may import inside src/: an arrow between layers is reported once, by it.

/** Anchors a folder or file (relative to the repository root) as a path pattern. */
const folder = (path) => `^src/${path}/`;
const file = (path) => `^src/${path.replace(/\./g, '\\.')}$`;

const ENTRY_POINTS = [file('main.ts'), file('demo.ts'), file('mirror.ts')];
const APP = file('app.ts');
const CONFIG = file('config.ts');
const SERVER = folder('server');
const SCHEMA = folder('schema');
const LOADERS = folder('loaders');
const CACHE = folder('cache');
/** Any adapter folder: src/sources/ord/ today, src/sources/fhir/ and src/sources/mirror/ later. */
const ADAPTER = '^src/sources/[^/]+/';
/** What an adapter declares rather than does: its wire types and its settings (with their defaults). */
const ADAPTER_DECLARATIONS = '^src/sources/[^/]+/(types|settings)\\.ts$';
const ADAPTER_WIRE_TYPES = '^src/sources/[^/]+/types\\.ts$';
const UPSTREAM = folder('upstream');
/** The port every source implements: src/sources/types.ts, errors.ts, known.ts, cost.ts. */
const PORT = '^src/sources/[^/]+\\.ts$';
const DOMAIN = folder('domain');
const SIMULATORS = folder('simulators');
const DATASET = folder('dataset');
/** The floor: helpers that import nothing of the project (and the generated client types). */
const FLOOR = [file('logger.ts'), file('paths.ts'), folder('generated')];
/** Implementations the composition root chooses: a cache store (store.<kind>.ts) and a pacer (pacer.<kind>.ts). */
const STORE_AND_PACER_IMPLEMENTATIONS = ['^src/cache/store\\.[^/]+\\.ts$', '^src/upstream/pacer\\.[^/]+\\.ts$'];

const SRC = '^src/';
const LAYER_FOLDERS = [SERVER, SCHEMA, LOADERS, CACHE, ADAPTER, UPSTREAM, PORT, DOMAIN, SIMULATORS, DATASET];

/** A rule for one layer: modules matching `from` may import, inside src/, only what `allowed` matches. */
function layer(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: SRC, pathNot: allowed },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycles in src/, bench/, scripts/ or test/: move the shared piece down to where both can use it.',
      severity: 'error',
      from: { path: '^(src|bench|scripts|test)/' },
      to: { circular: true },
    },
    {
      name: 'src-imports-no-bench-scripts-or-test',
      comment: 'src/ is what ships: it imports nothing from bench/, scripts/ or test/.',
      severity: 'error',
      from: { path: SRC },
      to: { path: '^(bench|scripts|test)/' },
    },
    layer(
      'floor-imports-nothing-of-the-project',
      FLOOR,
      [folder('generated')],
      'src/logger.ts, src/paths.ts and src/generated/ are the floor every layer may use: they import nothing of the ' +
        'project (generated/ only itself).',
    ),
    layer(
      'domain-imports-only-domain',
      DOMAIN,
      [DOMAIN, ...FLOOR],
      'src/domain/ is the bottom layer: it imports only src/domain/ and the floor (logger.ts, paths.ts, generated/).',
    ),
    layer(
      'port-imports-only-domain',
      PORT,
      [PORT, DOMAIN, ...FLOOR],
      'The port (src/sources/*.ts: types, errors, known, cost) imports only the port, src/domain/ and the floor.',
    ),
    layer(
      'upstream-imports-only-port-and-domain',
      UPSTREAM,
      [UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/upstream/ is call policy any wire adapter reuses: it imports only src/upstream/, the port ' +
        '(src/sources/*.ts), src/domain/ and the floor; never an adapter (src/sources/<adapter>/) or a layer above.',
    ),
    {
      name: 'adapter-imports-only-its-folder-upstream-port-and-domain',
      comment:
        'An adapter (src/sources/<adapter>/) imports only its own folder, src/upstream/, the port ' +
        '(src/sources/*.ts), src/domain/ and the floor; never another adapter, src/cache/, src/loaders/, ' +
        'src/schema/, src/server/, src/config.ts or src/app.ts (settings reach it as arguments from the composition ' +
        'root).',
      severity: 'error',
      from: { path: '^src/sources/([^/]+)/' },
      to: { path: SRC, pathNot: ['^src/sources/$1/', UPSTREAM, PORT, DOMAIN, ...FLOOR] },
    },
    layer(
      'cache-imports-only-upstream-port-and-domain',
      CACHE,
      [CACHE, UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/cache/ wraps any source through the port: it imports only src/cache/, src/upstream/, the port ' +
        '(src/sources/*.ts), src/domain/ and the floor; never an adapter (src/sources/<adapter>/) or a layer above.',
    ),
    layer(
      'loaders-import-only-cache-upstream-port-and-domain',
      LOADERS,
      [LOADERS, CACHE, UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/loaders/ imports only src/loaders/, src/cache/, src/upstream/, the port (src/sources/*.ts), ' +
        'src/domain/ and the floor; never an adapter (src/sources/<adapter>/), src/schema/ or a layer above.',
    ),
    layer(
      'schema-imports-only-layers-below-and-no-adapter',
      SCHEMA,
      [SCHEMA, LOADERS, CACHE, UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/schema/ imports only src/schema/ and the layers below it (loaders, cache, upstream, the port, domain, the ' +
        'floor); never an adapter (src/sources/<adapter>/), src/server/, src/config.ts or src/app.ts.',
    ),
    layer(
      'server-imports-only-layers-below-and-no-adapter',
      SERVER,
      [SERVER, SCHEMA, LOADERS, CACHE, UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/server/ imports only src/server/ and the layers below it (schema, loaders, cache, upstream, the port, ' +
        'domain, the floor); never an adapter (src/sources/<adapter>/), src/config.ts or src/app.ts (settings reach ' +
        'it as arguments).',
    ),
    layer(
      'config-imports-only-layers-below-and-adapter-declarations',
      CONFIG,
      [SERVER, SCHEMA, LOADERS, CACHE, UPSTREAM, ADAPTER_DECLARATIONS, PORT, DOMAIN, ...FLOOR],
      'src/config.ts reads settings for the layers below it: it imports only those layers and, of an adapter, only ' +
        'its declarations (src/sources/<adapter>/types.ts, settings.ts); never an adapter implementation or ' +
        'src/app.ts.',
    ),
    layer(
      'app-imports-no-entry-point-simulator-or-dataset',
      APP,
      [CONFIG, SERVER, SCHEMA, LOADERS, CACHE, ADAPTER, UPSTREAM, PORT, DOMAIN, ...FLOOR],
      'src/app.ts is the composition root: it may import every layer below it, adapters included, but not an entry ' +
        'point (main.ts, demo.ts), src/simulators/ or src/dataset/.',
    ),
    layer(
      'entry-point-imports-no-other-entry-point',
      ENTRY_POINTS,
      [APP, CONFIG, SERVER, SCHEMA, LOADERS, CACHE, ADAPTER, UPSTREAM, PORT, DOMAIN, SIMULATORS, DATASET, ...FLOOR],
      'An entry point (src/main.ts, src/demo.ts) may import anything in src/ except another entry point.',
    ),
    layer(
      'simulators-import-only-dataset-wire-types-and-domain',
      SIMULATORS,
      [SIMULATORS, DATASET, ADAPTER_WIRE_TYPES, DOMAIN, ...FLOOR],
      'src/simulators/ imports only src/simulators/, src/dataset/, wire types (src/sources/<adapter>/types.ts), ' +
        'src/domain/ and the floor: a simulator serves the wire format and shares no code with the adapter it fakes.',
    ),
    layer(
      'dataset-imports-only-wire-types-and-domain',
      DATASET,
      [DATASET, ADAPTER_WIRE_TYPES, DOMAIN, ...FLOOR],
      'src/dataset/ imports only src/dataset/, wire types (src/sources/<adapter>/types.ts), src/domain/ and the floor.',
    ),
    {
      name: 'every-src-module-is-in-a-layer',
      comment:
        'This module under src/ is in no layer of .dependency-cruiser.cjs: put it in a layer folder, or give its new ' +
        'folder a layer rule there.',
      severity: 'error',
      from: { path: SRC, pathNot: [...ENTRY_POINTS, APP, CONFIG, ...LAYER_FOLDERS, ...FLOOR] },
      to: { path: SRC },
    },
    {
      name: 'only-the-composition-root-imports-store-and-pacer-implementations',
      comment:
        'A cache store (src/cache/store.<kind>.ts) or pacer (src/upstream/pacer.<kind>.ts) implementation is chosen ' +
        'by src/app.ts or an entry point (and by bench/, scripts/, test/); everything else uses the contract in ' +
        'store.ts / pacer.ts.',
      severity: 'error',
      from: { path: SRC, pathNot: [APP, ...ENTRY_POINTS] },
      to: { path: STORE_AND_PACER_IMPLEMENTATIONS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|bench|scripts|test)/',
    // Type-only imports are arrows too: a layer must not even name the types of a layer above it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
