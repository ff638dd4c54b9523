// How the HTTP server treats connections (src/server/serve.ts), over real sockets: a silent socket, slowloris, a slow
// body, keep-alive idleness and the connection cap, each with small settings so the test waits well under a second each.

import { connect, type Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { connectionsCheckingIntervalMs, serve, type ServeOptions, type ServedApp } from '../src/server/serve.js';
import { DEFAULT_SERVER_SETTINGS } from '../src/server/settings.js';

/** Reads the whole body, then answers "ok". */
const echo: RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
};

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(options: Omit<ServeOptions, 'host' | 'port'>): Promise<ServedApp> {
  served = await serve(echo, { host: '127.0.0.1', port: 0, ...options });
  return served;
}

interface RawSocket {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server ends or drops the connection (or it errors); rejects after `withinMs`. */
  closed(withinMs: number): Promise<void>;
}

async function open(app: ServedApp): Promise<RawSocket> {
  const socket = connect(app.port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => text,
    closed: (withinMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket still open after ${withinMs} ms`)), withinMs);
        void done.then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** Writes `chunks` one every `everyMs` until the socket closes. */
function trickle(raw: RawSocket, chunks: string[], everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (raw.socket.destroyed || i >= chunks.length) return clearInterval(timer);
    raw.socket.write(chunks[i++] as string);
  }, everyMs);
  raw.socket.once('close', () => clearInterval(timer));
}

describe('connection timeouts and cap', () => {
  it('closes a socket that never sends a byte after headersTimeout, with a 408', async () => {
    const app = await start({ headersTimeoutMs: 300, requestTimeoutMs: 1_000 });
    const raw = await open(app);
    // Node's default (60 s headers timeout, checked every 30 s) would keep it open for this whole test and longer.
    await raw.closed(3_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a slowloris socket (headers a byte at a time) after headersTimeout, with a 408', async () => {
    const app = await start({ headersTimeoutMs: 300, requestTimeoutMs: 1_000 });
    const raw = await open(app);
    const head = 'GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(200);
    trickle(raw, head.split(''), 20);
    await raw.closed(3_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(raw.received()).not.toContain('ok');
  });

  it('cuts a request whose body trickles in at requestTimeout, with a 408', async () => {
    const app = await start({ headersTimeoutMs: 200, requestTimeoutMs: 500 });
    const raw = await open(app);
    raw.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n',
    );
    trickle(
      raw,
      Array.from({ length: 100 }, () => 'x'),
      50,
    );
    await raw.closed(3_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(raw.received()).not.toContain('ok');
  });

  it('answers a request that arrives in time, on the same settings', async () => {
    const app = await start({ headersTimeoutMs: 200, requestTimeoutMs: 500 });
    const res = await fetch(app.origin, { method: 'POST', body: 'x'.repeat(100) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const app = await start({ keepAliveTimeoutMs: 300 });
    const raw = await open(app);
    raw.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await raw.closed(3_000);
    // One answer, kept alive (no Connection: close), then closed by the server for idleness.
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.received()).toMatch(/\r\nKeep-Alive: timeout=0\r\n/i);
    expect(raw.received()).not.toMatch(/\r\nConnection: close\r\n/i);
    expect(raw.received().match(/HTTP\/1\.1/g)).toHaveLength(1);
  });

  it('refuses the connection beyond maxConnections, and takes one again once a slot frees', async () => {
    const app = await start({ maxConnections: 2, headersTimeoutMs: 10_000 });
    let dropped = 0;
    app.server.on('drop', () => dropped++);
    const first = await open(app);
    const second = await open(app);
    // Both are counted by the server once each has been answered.
    for (const raw of [first, second]) raw.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (first.received().includes('ok') && second.received().includes('ok')) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    const third = await open(app);
    third.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await third.closed(3_000);
    expect(third.received()).toBe('');
    expect(dropped).toBe(1);

    first.socket.destroy();
    await first.closed(3_000);
    const fourth = await open(app);
    fourth.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await fourth.closed(3_000);
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*ok$/);
    second.socket.destroy();
  });

  it('checks connections often enough for the timeouts it is given', () => {
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 })).toBe(1000);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 300, requestTimeoutMs: 1_000 })).toBe(75);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 100, requestTimeoutMs: 100 })).toBe(50);
  });

  it('refuses a headers timeout longer than the request timeout', async () => {
    await expect(
      serve(echo, { host: '127.0.0.1', port: 0, headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 }),
    ).rejects.toThrow('headersTimeoutMs must not exceed requestTimeoutMs');
  });
});

describe('connection settings', () => {
  it('default to timeouts that close a silent socket within 15 s and a cap far below 20k file handles', () => {
    const { server } = loadConfig({});
    expect(server).toMatchObject(DEFAULT_SERVER_SETTINGS);
    expect(server.headersTimeoutMs + connectionsCheckingIntervalMs(server)).toBeLessThanOrEqual(15_000);
    expect(server.headersTimeoutMs).toBeLessThanOrEqual(server.requestTimeoutMs);
    expect(server.maxConnections).toBeGreaterThan(0);
    expect(server.maxConnections).toBeLessThan(20_000);
  });

  it('are read from the environment and refused, naming the variable, when bad', () => {
    const { server } = loadConfig({
      SERVER_HEADERS_TIMEOUT_MS: '5000',
      SERVER_REQUEST_TIMEOUT_MS: '20000',
      SERVER_KEEP_ALIVE_TIMEOUT_MS: '2000',
      SERVER_MAX_CONNECTIONS: '500',
    });
    expect(server).toMatchObject({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 20000,
      keepAliveTimeoutMs: 2000,
      maxConnections: 500,
    });
    expect(() => loadConfig({ SERVER_MAX_CONNECTIONS: '-1' })).toThrow(/SERVER_MAX_CONNECTIONS/);
    expect(() => loadConfig({ SERVER_KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow(/SERVER_KEEP_ALIVE_TIMEOUT_MS/);
    expect(() => loadConfig({ SERVER_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /SERVER_HEADERS_TIMEOUT_MS \(40000\) must not exceed SERVER_REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });
});
