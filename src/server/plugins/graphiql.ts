// GraphiQL, served small: a few-KB page at /graphql (title and example tabs) whose bundle, stylesheet, Monaco workers,
// favicon and boot script are separate same-origin assets under /graphiql/, content-hashed, compressed once, cached forever.

import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

/** The GraphiQL setting (src/config.ts reads it from its environment variable, named beside it). */
export interface GraphiqlSettings {
  /** Serve GraphiQL at the GraphQL endpoint to browsers, and its assets under /graphiql/ (GRAPHIQL, default true). */
  enabled: boolean;
}

export const DEFAULT_GRAPHIQL_SETTINGS: GraphiqlSettings = { enabled: true };

/** Where the assets live: /graphiql/<name>-<content hash>.<ext>. */
const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** One example tab: its document and its variables (JSON text), as GraphiQL's `defaultTabs` takes them. */
export interface GraphiqlTab {
  query: string;
  variables: string | null;
}

export interface GraphiqlOptions {
  settings?: Partial<GraphiqlSettings>;
  /** The GraphQL endpoint's path (the page is served there, and GraphiQL posts to it). */
  graphqlEndpoint: string;
  title: string;
  tabs: GraphiqlTab[];
}

const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * The page runs no inline script (the boot script is an asset; the options travel as a JSON data block, which is not
 * executed). Monaco and React set inline styles, so styles need 'unsafe-inline'; fonts and icons in the CSS are data:
 * URLs; workers come from /graphiql/ ('self'); GraphiQL fetches /graphql ('self'). Nothing may frame it.
 */
export const GRAPHIQL_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Sets up Monaco's workers from same-origin URLs (a worker script must be same-origin; the library's own page makes
 * them from Blob URLs of strings inlined in the page) and renders GraphiQL once the bundle after it has loaded.
 *
 * The first tab's Variables pane: GraphiQL starts its variables editor from the `variables` option (else storage),
 * never from the first tab, whereas its query editor falls back to the first tab's query. So on a first visit (no tab
 * state stored yet) the first tab's variables are passed as `variables`; on later visits the stored state is left to
 * GraphiQL, since a `variables` not matching the stored active tab would make it open an extra tab.
 */
const BOOT_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return config.workers[label];
    },
  };
  var options = config.options;
  var first = options.defaultTabs && options.defaultTabs[0];
  var stored = null;
  try {
    stored = window.localStorage.getItem('graphiql:tabState');
  } catch (e) {
    // storage may be unavailable (privacy mode): GraphiQL then starts from the default tabs
  }
  if (first && first.variables && !stored) options.variables = first.variables;
  document.addEventListener('DOMContentLoaded', function () {
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
  });
})();
`;

type Encoding = 'br' | 'gzip';

/** One response body with its compressed variants (each kept only when smaller than the body itself). */
interface Representations {
  type: string;
  /** Strong validator of the identity bytes; the variants' are this with -br / -gzip inside the quotes. */
  etag: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

interface Asset {
  path: string;
  type: string;
  identity: Buffer;
  hash: string;
  /** Compressed on first request (in the zlib thread pool), once per process. */
  compressed?: Promise<Representations>;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}

function asset(name: string, ext: string, type: string, identity: Buffer): Asset {
  const hash = contentHash(identity);
  return { path: `${GRAPHIQL_ASSET_PREFIX}${name}-${hash}.${ext}`, type, identity, hash };
}

/**
 * Brotli quality 9 and gzip level 9: brotli 11 saves another 9% but takes ~40 s of CPU over these 9 MB; 9 takes ~1.5 s,
 * in the zlib thread pool (off the event loop), once per process.
 */
async function compress(a: Asset): Promise<Representations> {
  const [br, gz] = await Promise.all([
    brotli(a.identity, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 9,
        [zlib.BROTLI_PARAM_SIZE_HINT]: a.identity.length,
      },
    }),
    gzipAsync(a.identity, { level: 9 }),
  ]);
  return {
    type: a.type,
    etag: `"${a.hash}"`,
    identity: a.identity,
    ...(br.length < a.identity.length ? { br } : {}),
    ...(gz.length < a.identity.length ? { gzip: gz } : {}),
  };
}

/** The library's assets plus the boot script, keyed by path; the library's 9 MB module is loaded on first use only. */
interface GraphiqlAssets {
  byPath: Map<string, Asset>;
  urls: { js: string; css: string; favicon: string; boot: string; workers: Record<string, string> };
}

let assetsOnce: Promise<GraphiqlAssets> | undefined;

/** The assets, built once per process (their content is the installed package's: the same for every server). */
function graphiqlAssets(): Promise<GraphiqlAssets> {
  assetsOnce ??= import('@graphql-yoga/render-graphiql/graphiql').then((lib) => {
    const javascript = 'text/javascript; charset=utf-8';
    const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(lib.favicon);
    if (!favicon) throw new Error('@graphql-yoga/render-graphiql: its favicon is no longer a base64 data: URL');
    const all = {
      js: asset('graphiql', 'js', javascript, Buffer.from(lib.js)),
      css: asset('graphiql', 'css', 'text/css; charset=utf-8', Buffer.from(lib.css)),
      favicon: asset('favicon', 'ico', favicon[1]!, Buffer.from(favicon[2]!, 'base64')),
      boot: asset('boot', 'js', javascript, Buffer.from(BOOT_SCRIPT)),
      editorWorkerService: asset('editor.worker', 'js', javascript, Buffer.from(lib.editorWorkerService)),
      json: asset('json.worker', 'js', javascript, Buffer.from(lib.jsonWorker)),
      graphql: asset('graphql.worker', 'js', javascript, Buffer.from(lib.graphqlWorker)),
    };
    return {
      byPath: new Map(Object.values(all).map((a) => [a.path, a])),
      urls: {
        js: all.js.path,
        css: all.css.path,
        favicon: all.favicon.path,
        boot: all.boot.path,
        // Keyed by the labels Monaco passes to getWorkerUrl.
        workers: {
          editorWorkerService: all.editorWorkerService.path,
          json: all.json.path,
          graphql: all.graphql.path,
        },
      },
    };
  });
  return assetsOnce;
}

function compressedAsset(a: Asset): Promise<Representations> {
  a.compressed ??= compress(a);
  return a.compressed;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a <script> element: no "</script>" or "<!--" can end or alter it. */
const jsonForScript = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page's HTML: links to the assets and the options as a JSON data block (the tabs make it a few KB). */
function graphiqlPage(assets: GraphiqlAssets, title: string, tabs: GraphiqlTab[]): string {
  const { urls } = assets;
  const options = { title, ...(tabs.length ? { defaultTabs: tabs } : {}) };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${urls.favicon}" />
    <link rel="stylesheet" href="${urls.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-config">${jsonForScript({ workers: urls.workers, options })}</script>
    <script src="${urls.boot}"></script>
    <script src="${urls.js}"></script>
  </body>
</html>
`;
}

/** The page's representations, made once per server (small: compressed synchronously). */
function pageRepresentations(html: string): Representations {
  const identity = Buffer.from(html);
  return {
    type: 'text/html; charset=utf-8',
    etag: `"${contentHash(identity)}"`,
    identity,
    br: brotliCompressSync(identity),
    gzip: gzipSync(identity, { level: 9 }),
  };
}

/** The encoding to answer with: brotli, else gzip, else none, as Accept-Encoding allows (q=0 refuses). */
function chooseEncoding(acceptEncoding: string | null, available: Representations): Encoding | 'identity' {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (!coding) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(coding.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: Encoding) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (available.br && accepts('br')) return 'br';
  if (available.gzip && accepts('gzip')) return 'gzip';
  return 'identity';
}

const etagOf = (r: Representations, encoding: Encoding | 'identity') =>
  encoding === 'identity' ? r.etag : `${r.etag.slice(0, -1)}-${encoding}"`;

/** True when If-None-Match names any representation of `r` (weak comparison, as RFC 9110 asks for this header). */
function notModified(ifNoneMatch: string | null, r: Representations): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const ours = new Set([etagOf(r, 'identity'), etagOf(r, 'br'), etagOf(r, 'gzip')]);
  return ifNoneMatch.split(',').some((tag) => ours.has(tag.trim().replace(/^W\//, '')));
}

/** The response for `r`: 304 when the client holds it, else the best encoding it accepts; no body for HEAD. */
function represent(
  request: Request,
  r: Representations,
  headers: Record<string, string>,
  fetchAPI: { Response: typeof Response },
): Response {
  const encoding = chooseEncoding(request.headers.get('accept-encoding'), r);
  const common: Record<string, string> = { ...headers, vary: 'Accept-Encoding', etag: etagOf(r, encoding) };
  if (notModified(request.headers.get('if-none-match'), r)) {
    return new fetchAPI.Response(null, { status: 304, headers: common });
  }
  const body = encoding === 'identity' ? r.identity : r[encoding]!;
  return new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...common,
      'content-type': r.type,
      'content-length': String(body.length),
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
    },
  });
}

function notFound(fetchAPI: { Response: typeof Response }, message: string, code: string): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** GraphiQL is asked for by a browser's GET of the endpoint (Yoga's own rule: GET and Accept naming text/html). */
function wantsGraphiql(request: Request, url: URL, endpoint: string): boolean {
  return (
    request.method === 'GET' &&
    (url.pathname === endpoint || url.pathname === `${endpoint}/`) &&
    !!request.headers.get('accept')?.includes('text/html')
  );
}

/**
 * GraphiQL at the endpoint and its assets under /graphiql/. Off (GRAPHIQL=false): a browser's GET of the endpoint
 * without a `query` parameter gets a 404 JSON error (code GRAPHIQL_DISABLED) and /graphiql/ does not exist; GETs with
 * a query are GraphQL as usual. Give Yoga `graphiql: false` alongside: this plugin replaces its GraphiQL.
 */
export function useGraphiql(options: GraphiqlOptions): Plugin {
  const { enabled } = { ...DEFAULT_GRAPHIQL_SETTINGS, ...options.settings };
  const endpoint = options.graphqlEndpoint;
  if (!enabled) {
    return {
      onRequest({ request, url, fetchAPI, endResponse }) {
        if (wantsGraphiql(request, url, endpoint) && !url.searchParams.has('query')) {
          endResponse(notFound(fetchAPI, 'GraphiQL is switched off on this server.', 'GRAPHIQL_DISABLED'));
        }
      },
    };
  }
  let page: Promise<Representations> | undefined;
  const pageOnce = () =>
    (page ??= graphiqlAssets().then((assets) =>
      pageRepresentations(graphiqlPage(assets, options.title, options.tabs)),
    ));
  return {
    async onRequest({ request, url, fetchAPI, endResponse }) {
      if (wantsGraphiql(request, url, endpoint)) {
        const representations = await pageOnce();
        // The browser fetches every asset next: start compressing them now (once per process).
        void graphiqlAssets().then((assets) => assets.byPath.forEach((a) => void compressedAsset(a)));
        endResponse(
          represent(
            request,
            representations,
            {
              // Revalidated on each load (its ETag makes that a 304): it carries the tabs, which change with the server.
              'cache-control': 'no-cache',
              'content-security-policy': GRAPHIQL_PAGE_CSP,
              'x-frame-options': 'DENY',
              'referrer-policy': 'no-referrer',
            },
            fetchAPI,
          ),
        );
        return;
      }
      if (!url.pathname.startsWith(GRAPHIQL_ASSET_PREFIX)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const found = (await graphiqlAssets()).byPath.get(url.pathname);
      if (!found) {
        endResponse(notFound(fetchAPI, 'No such GraphiQL asset.', 'NOT_FOUND'));
        return;
      }
      endResponse(represent(request, await compressedAsset(found), { 'cache-control': ASSET_CACHE_CONTROL }, fetchAPI));
    },
  };
}
