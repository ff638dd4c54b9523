// GraphiQL bench: bytes on the wire for one browser page load (the page and every same-origin asset it names), and the
// server's resident memory around 100 concurrent page fetches and 100 concurrent whole page loads, in a child process.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { firstJsonLine, pause, spawnTs, stopChild } from './stack.js';
import type { BenchRow } from './table.js';

const CONCURRENT = 100;
/** What a browser sends for a page. */
const BROWSER_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
};

interface Fetched {
  status: number;
  /** Body bytes as sent (undici's request does not decode Content-Encoding). */
  bytes: number;
  text?: string;
}

async function fetchRaw(pool: Pool, path: string, keepText = false): Promise<Fetched> {
  const res = await pool.request({ method: 'GET', path, headers: BROWSER_HEADERS });
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
  const encoding = res.headers['content-encoding'];
  // The page's text, decoded, to find the assets it names (only the page is read this way).
  let text: string | undefined;
  if (keepText) {
    const plain = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;
    text = plain.toString('utf8');
  }
  return { status: res.statusCode, bytes: body.length, ...(text !== undefined ? { text } : {}) };
}

/** Same-origin URLs the page makes the browser load: scripts, stylesheets, icons and the Monaco workers it lists. */
function assetPaths(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/[^"]+)"/g)) found.add(m[1]!);
  const config = /<script type="application\/json" id="graphiql-config">(.*?)<\/script>/s.exec(html)?.[1];
  if (config)
    for (const url of Object.values((JSON.parse(config) as { workers: Record<string, string> }).workers))
      found.add(url);
  return [...found];
}

/** Resident and peak resident memory of a process (Linux /proc), in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** Starts the peak (VmHWM) again from the current RSS, so each phase reports its own peak. */
function resetPeak(pid: number): void {
  try {
    // "5" resets the peak resident set size (Linux ≥ 4.0; root or the process's owner).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // without it the peak is since start, which only overstates later phases
  }
}

export async function benchGraphiql(): Promise<BenchRow[]> {
  const suite = 'graphiql';
  const proc = spawnTs(fileURLToPath(new URL('./children/graphiqlServer.ts', import.meta.url)), {});
  const { url, pid } = await firstJsonLine<{ url: string; pid: number }>(proc, 120_000);
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections: CONCURRENT, pipelining: 1 });
  const rows: BenchRow[] = [];
  const mib = (c: string, value: number) => rows.push({ suite, case: c, metric: 'RSS MiB', value });
  try {
    await pause(500);
    mib('idle, before any GraphiQL fetch', memoryOf(pid).rss);

    // One page load, as a browser makes it (the first: assets are built and compressed on it).
    const page = await fetchRaw(pool, pathname, true);
    const assets = assetPaths(page.text!);
    const assetBytes = (await Promise.all(assets.map((p) => fetchRaw(pool, p)))).reduce((n, f) => n + f.bytes, 0);
    rows.push(
      {
        suite,
        case: 'one page load: the page itself (br/gzip as accepted)',
        metric: 'KiB',
        value: Math.round(page.bytes / 1024),
      },
      {
        suite,
        case: `one page load: page + ${assets.length} assets, on the wire`,
        metric: 'KiB',
        value: Math.round((page.bytes + assetBytes) / 1024),
      },
    );
    // A second load of the page alone: what a browser holding the cached assets transfers (bar 304 revalidation).
    const second = await fetchRaw(pool, pathname);
    rows.push({
      suite,
      case: 'repeat visit: the page (assets cached immutable)',
      metric: 'KiB',
      value: Math.round(second.bytes / 1024),
    });
    await pause(500);
    mib('after one page load', memoryOf(pid).rss);

    resetPeak(pid);
    let t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENT }, () => fetchRaw(pool, pathname)));
    let ms = performance.now() - t0;
    let mem = memoryOf(pid);
    mib(`${CONCURRENT} concurrent page fetches: peak`, mem.peak);
    mib(`${CONCURRENT} concurrent page fetches: after`, mem.rss);
    rows.push({ suite, case: `${CONCURRENT} concurrent page fetches`, metric: 'wall ms', value: Math.round(ms) });

    resetPeak(pid);
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const p = await fetchRaw(pool, pathname);
        await Promise.all(assets.map((a) => fetchRaw(pool, a)));
        return p;
      }),
    );
    ms = performance.now() - t0;
    mem = memoryOf(pid);
    mib(`${CONCURRENT} concurrent whole page loads (page + assets): peak`, mem.peak);
    mib(`${CONCURRENT} concurrent whole page loads: after`, mem.rss);
    rows.push({ suite, case: `${CONCURRENT} concurrent whole page loads`, metric: 'wall ms', value: Math.round(ms) });
  } finally {
    await pool.close();
    await stopChild(proc);
  }
  return rows;
}
