// GraphiQL over real HTTP: a small page, its assets as separate cacheable compressed responses matching the library's
// bytes, 304s, GRAPHIQL=false, security headers on every response, and fixed answers to bodies that are not JSON.

import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as library from '@graphql-yoga/render-graphiql/graphiql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { exampleOperations } from '../src/server/examples.js';
import { GRAPHIQL_PAGE_CSP } from '../src/server/plugins/graphiql.js';
import { INVALID_JSON_BODY, INVALID_JSON_PARAMETER } from '../src/server/plugins/requestParse.js';
import { chromiumPath, launchBrowser } from './helpers/browser.js';
import { startStack, type Stack } from './helpers/stack.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes as sent (node:http does not decode Content-Encoding, unlike fetch). */
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let stack: Stack;
let origin: string;
beforeAll(async () => {
  stack = await startStack({ tier: 'small' });
  origin = stack.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await stack?.close();
});

/** The asset URLs the page links to, and the options it carries. */
function readPage(html: string) {
  const config = /<script type="application\/json" id="graphiql-config">(.*?)<\/script>/s.exec(html)?.[1];
  expect(config).toBeDefined();
  const parsed = JSON.parse(config!) as {
    workers: Record<string, string>;
    options: { title: string; defaultTabs: { query: string; variables: string | null }[] };
  };
  const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]!);
  const css = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
  const icon = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
  return { ...parsed, scripts, css: css!, icon: icon! };
}

describe('the GraphiQL page', () => {
  it('is small, carries every example tab with its variables, and links same-origin assets only', async () => {
    const page = await get(stack.url, { ...HTML, 'accept-encoding': 'identity' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBeUndefined();
    // The library's own page inlines 9 MB; this one is the tabs and a few links.
    expect(page.body.length).toBeLessThan(16 * 1024);
    const html = page.body.toString('utf8');
    expect(html).toContain('<title>ods-graphql: the NHS organisation graph</title>');
    const { options, workers, scripts, css, icon } = readPage(html);
    const examples = exampleOperations();
    expect(examples.length).toBeGreaterThan(5);
    expect(options.defaultTabs).toEqual(examples.map((e) => ({ query: e.query, variables: e.variables })));
    expect(options.defaultTabs[0]!.variables).toBe('{"odsCode": "RAL", "first": 200}');
    // Every script is a same-origin file (no inline script for the CSP to allow); nothing comes from a CDN.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(scripts).toHaveLength(2);
    for (const url of [...scripts, css, icon, ...Object.values(workers)]) {
      expect(url).toMatch(/^\/graphiql\/[a-z.]+-[A-Za-z0-9_-]{22}\.(js|css|ico)$/);
    }
    expect(Object.keys(workers).sort()).toEqual(['editorWorkerService', 'graphql', 'json']);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('has the CSP, X-Frame-Options, nosniff, no-cache and an ETag that answers 304', async () => {
    const page = await get(stack.url, HTML);
    expect(page.headers['content-security-policy']).toBe(GRAPHIQL_PAGE_CSP);
    expect(GRAPHIQL_PAGE_CSP).toContain("script-src 'self'");
    expect(GRAPHIQL_PAGE_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = page.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const again = await get(stack.url, { ...HTML, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
  });

  it('is compressed when the browser accepts it, to the same HTML', async () => {
    const plain = await get(stack.url, { ...HTML, 'accept-encoding': 'identity' });
    const br = await get(stack.url, { ...HTML, 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await get(stack.url, { ...HTML, 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
  });
});

describe('the GraphiQL assets', () => {
  /** Each asset the page links, with the bytes the library exports for it. */
  async function assets(): Promise<{ url: string; type: RegExp; bytes: Buffer }[]> {
    const page = readPage((await get(stack.url, HTML)).body.toString('utf8'));
    const [boot, js] = page.scripts as [string, string];
    const favicon = /^data:image\/x-icon;base64,(.*)$/s.exec(library.favicon)![1]!;
    return [
      { url: js, type: /^text\/javascript/, bytes: Buffer.from(library.js) },
      { url: page.css, type: /^text\/css/, bytes: Buffer.from(library.css) },
      { url: page.icon, type: /^image\/x-icon$/, bytes: Buffer.from(favicon, 'base64') },
      {
        url: page.workers.editorWorkerService!,
        type: /^text\/javascript/,
        bytes: Buffer.from(library.editorWorkerService),
      },
      { url: page.workers.json!, type: /^text\/javascript/, bytes: Buffer.from(library.jsonWorker) },
      { url: page.workers.graphql!, type: /^text\/javascript/, bytes: Buffer.from(library.graphqlWorker) },
      // The boot script is ours; its bytes are checked through the browser-facing behaviour it has (first tab's variables).
      { url: boot, type: /^text\/javascript/, bytes: (await get(`${origin}${boot}`)).body },
    ];
  }

  it('are the library exports, as brotli, gzip or plain bytes, with immutable caching and strong ETags', async () => {
    for (const { url, type, bytes } of await assets()) {
      const plain = await get(`${origin}${url}`);
      expect(plain.status, url).toBe(200);
      expect(plain.headers['content-type'], url).toMatch(type);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      expect(plain.body.equals(bytes), url).toBe(true);
      expect(plain.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['x-content-type-options'], url).toBe('nosniff');
      expect(plain.headers.vary, url).toMatch(/Accept-Encoding/i);
      expect(plain.headers.etag, url).toMatch(/^"[A-Za-z0-9_-]{22}"$/);

      const br = await get(`${origin}${url}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
      const gz = await get(`${origin}${url}`, { 'accept-encoding': 'gzip;q=1.0, br;q=0' });
      if (url.endsWith('.ico')) {
        // (an icon of PNGs may not shrink; served compressed only when that is smaller)
        for (const r of [br, gz])
          if (r.headers['content-encoding'] === undefined) expect(r.body.equals(bytes)).toBe(true);
      } else {
        expect(br.headers['content-encoding'], url).toBe('br');
        expect(gz.headers['content-encoding'], url).toBe('gzip');
      }
      if (br.headers['content-encoding'] === 'br') expect(brotliDecompressSync(br.body).equals(bytes), url).toBe(true);
      if (gz.headers['content-encoding'] === 'gzip') expect(gunzipSync(gz.body).equals(bytes), url).toBe(true);
      // Each representation has its own strong ETag.
      const tags = new Set([plain.headers.etag, br.headers.etag, gz.headers.etag]);
      expect(tags.size, url).toBe(1 + [br, gz].filter((r) => r.headers['content-encoding'] !== undefined).length);
    }
  });

  it('compress the big bundle to under a quarter, and the whole page load to under 2.5 MB', async () => {
    let compressed = 0;
    let plain = 0;
    for (const { url, bytes } of await assets()) {
      compressed += (await get(`${origin}${url}`, { 'accept-encoding': 'br' })).body.length;
      plain += bytes.length;
    }
    const js = (await assets())[0]!;
    const jsBr = await get(`${origin}${js.url}`, { 'accept-encoding': 'br' });
    expect(jsBr.body.length).toBeLessThan(js.bytes.length / 4);
    expect(plain).toBeGreaterThan(8_000_000);
    expect(compressed).toBeLessThan(2_500_000);
  });

  it('answer 304 to If-None-Match naming any of their ETags, and HEAD without a body', async () => {
    const { url } = (await assets())[0]!;
    const br = await get(`${origin}${url}`, { 'accept-encoding': 'br' });
    const tag = br.headers.etag as string;
    for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
      const r = await get(`${origin}${url}`, { 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(r.status, ifNoneMatch).toBe(304);
      expect(r.body.length).toBe(0);
    }
    const changed = await get(`${origin}${url}`, { 'accept-encoding': 'br', 'if-none-match': '"not-this-one"' });
    expect(changed.status).toBe(200);
    const head = await get(`${origin}${url}`, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(br.body.length));
    expect(head.body.length).toBe(0);
  });

  it('an unknown asset path is a 404 JSON error', async () => {
    const r = await get(`${origin}/graphiql/graphiql-AAAAAAAAAAAAAAAAAAAAAA.js`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body.toString())).toEqual({
      errors: [{ message: 'No such GraphiQL asset.', extensions: { code: 'NOT_FOUND' } }],
    });
  });
});

describe('GRAPHIQL=false', () => {
  it('is read from the environment, and a bad value names the setting', () => {
    expect(loadConfig({}).graphiql).toEqual({ enabled: true });
    expect(loadConfig({ GRAPHIQL: 'false' }).graphiql).toEqual({ enabled: false });
    expect(() => loadConfig({ GRAPHIQL: 'off' })).toThrow(/GRAPHIQL/);
  });

  it('a browser gets no GraphiQL and no asset routes; GraphQL still answers', async () => {
    const off = await startStack({ tier: 'small', graphiql: { enabled: false } });
    try {
      const assetPath = readPage((await get(stack.url, HTML)).body.toString('utf8')).scripts[1]!;
      const page = await get(off.url, HTML);
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(page.body.toString())).toEqual({
        errors: [{ message: 'GraphiQL is switched off on this server.', extensions: { code: 'GRAPHIQL_DISABLED' } }],
      });
      const asset = await get(`${off.url.replace(/\/graphql$/, '')}${assetPath}`);
      expect(asset.status).toBe(404);
      expect(asset.body.toString()).not.toContain('YogaGraphiQL');
      expect(await off.gql('{ organisation(odsCode: "RAL") { name } }')).toMatchObject({
        status: 200,
        data: { organisation: { name: expect.any(String) } },
      });
    } finally {
      await off.close();
    }
  });
});

describe('headers on every response', () => {
  it('nosniff everywhere; no header names the software or its version', async () => {
    const responses = await Promise.all([
      get(stack.url, HTML),
      get(`${origin}/health`),
      get(`${origin}/ready`),
      get(`${origin}/nowhere`),
      get(`${stack.url}?query=%7B__typename%7D`, { 'x-graphql-yoga-csrf': '1' }),
      get(`${stack.url}?query=%7B__typename%7D`),
    ]);
    const post = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    const all = [
      ...responses.map((r) => r.headers),
      Object.fromEntries([...post.headers].map(([k, v]) => [k, v] as [string, string])),
    ];
    for (const headers of all) {
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers.server).toBeUndefined();
      expect(JSON.stringify(headers)).not.toMatch(/yoga|graphiql|envelop|node\/|\b\d+\.\d+\.\d+\b/i);
    }
  });
});

describe('a body that is not JSON', () => {
  it('gets a fixed message and code, with nothing of the body and no originalError', async () => {
    const body = '{"query": "{ __typename }", secret-token-4711';
    const r = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(400);
    const text = await r.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: INVALID_JSON_BODY, extensions: { code: 'BAD_REQUEST' } }] });
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('originalError');
    // The server is still up.
    expect((await stack.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('GET variables that are not JSON get a fixed 400 too', async () => {
    const r = await get(`${stack.url}?query=%7B__typename%7D&variables=%7Bsecret-token-4711`, {
      'x-graphql-yoga-csrf': '1',
    });
    expect(r.status).toBe(400);
    const text = r.body.toString();
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: INVALID_JSON_PARAMETER, extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(text).not.toContain('secret-token');
  });

  it('a JSON body that is not an object keeps its own clear message', async () => {
    const r = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '42' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/expected to be object/);
  });
});

const chromium = chromiumPath();

// Needs Debian's Chromium (`apt-get install chromium`, or CHROMIUM_PATH); skipped, and says so, where there is none.
describe.skipIf(!chromium)('GraphiQL in a real browser (headless Chromium)', () => {
  it('renders every example tab, the first tab with its variables, and starts the workers under the CSP, offline', async () => {
    const browser = await launchBrowser(chromium!);
    try {
      const page = await browser.open(stack.url);
      const examples = exampleOperations();
      // Tabs in the order shown (left to right), titled by their operation names.
      const titles = await page.waitFor<string[]>(
        `(() => { const tabs = [...document.querySelectorAll('.graphiql-tab')];
          return tabs.length >= ${examples.length} && tabs
            .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
            .map((t) => t.querySelector('.graphiql-tab-button').textContent.trim()); })()`,
        60_000,
      );
      expect(titles).toEqual(examples.map((e) => e.name));
      const editorText = (which: string) =>
        `(() => { const el = document.querySelector('[data-uri$="-${which}"] .view-lines');
          return el ? el.innerText.replace(/\u00a0/g, ' ') : null; })()`;
      // The first tab is the active one, and its Variables pane holds its variables (#7: it used to be empty).
      expect(
        await page.evaluate<string>(
          `document.querySelector('.graphiql-tab-active .graphiql-tab-button').textContent.trim()`,
        ),
      ).toBe(examples[0]!.name);
      expect(await page.waitFor<string>(editorText('variables.json'), 20_000)).toBe(examples[0]!.variables);
      expect(await page.evaluate<string>(editorText('operation.graphql'))).toContain(`query ${examples[0]!.name}`);
      // Another tab shows its own variables too.
      const second = examples.findIndex((e, i) => i > 0 && e.variables);
      await page.evaluate(
        `[...document.querySelectorAll('.graphiql-tab-button')].find((b) => b.textContent.trim() === ${JSON.stringify(examples[second]!.name)}).click()`,
      );
      expect(
        await page.waitFor<string>(
          `(() => { const t = ${editorText('variables.json')}; return t === ${JSON.stringify(examples[second]!.variables)} && t; })()`,
          20_000,
        ),
      ).toBe(examples[second]!.variables);
      // Monaco's three workers start (the GraphQL one may start again for another tab), each from its same-origin
      // /graphiql/ URL (a Blob URL would break the CSP).
      const origin = stack.url.replace(/\/graphql$/, '');
      const until = Date.now() + 30_000;
      while (new Set(page.workers).size < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(
        [...new Set(page.workers.map((w) => w.replace(origin, '').replace(/-[A-Za-z0-9_-]{22}\.js$/, '')))].sort(),
      ).toEqual(['/graphiql/editor.worker', '/graphiql/graphql.worker', '/graphiql/json.worker']);
      // Nothing was refused by the CSP, nothing failed, and nothing was fetched from anywhere but this server.
      expect(await page.cspViolations()).toEqual([]);
      expect(page.errors).toEqual([]);
      const elsewhere = page.requested.filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u));
      expect(elsewhere).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
