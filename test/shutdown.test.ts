// Graceful shutdown (src/server/lifecycle.ts drainAndClose) over HTTP with keep-alive clients: requests in flight are
// answered with `Connection: close`, later ones are refused on a fresh connection, and no request is reset.

import { Agent, request, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { describe, expect, it } from 'vitest';
import { drainAndClose } from '../src/server/lifecycle.js';
import { serve, type ServedApp } from '../src/server/serve.js';

/** /slow answers after 300 ms and says when it has started, /brief after 5 ms; everything else answers at once. */
function slowAndFast(onSlowStarted: () => void): RequestListener {
  return (req, res) => {
    req.resume();
    if (req.url === '/slow') {
      onSlowStarted();
      setTimeout(() => res.end('slow'), 300);
    } else if (req.url === '/brief') setTimeout(() => res.end('brief'), 5);
    else res.end('fast');
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(app: ServedApp, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: app.port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('drainAndClose', () => {
  it('answers the request in flight on a reused keep-alive socket with Connection: close; the next is refused', async () => {
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const app = await serve(
      slowAndFast(() => slowStarted()),
      { host: '127.0.0.1', port: 0 },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warm = await get(app, '/fast', agent);
      expect(warm.headers.connection).toBe('keep-alive');
      const inFlight = get(app, '/slow', agent);
      await started;
      const drained = drainAndClose(app.server, { graceMs: 5_000 });
      const answer = await inFlight;
      expect(answer).toMatchObject({ status: 200, body: 'slow' });
      expect(answer.headers.connection).toBe('close');
      await drained;
      // The agent dropped the closed socket, so the next request opens a new connection: refused, not reset.
      await expect(get(app, '/fast', agent)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });

  it('resets none of many keep-alive clients sending back to back while it drains', async () => {
    const app = await serve(
      slowAndFast(() => undefined),
      { host: '127.0.0.1', port: 0 },
    );
    const clients = 20;
    const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const errors = new Map<string, number>();
    let answered = 0;
    let answeredWithClose = 0;
    let stop = false;
    const loops = agents.map(async (agent) => {
      while (!stop) {
        try {
          const answer = await get(app, '/brief', agent);
          answered++;
          if (answer.headers.connection === 'close') answeredWithClose++;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
          errors.set(code, (errors.get(code) ?? 0) + 1);
          // Refused: the server is gone; stop this client.
          return;
        }
      }
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await drainAndClose(app.server, { graceMs: 5_000 });
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 3_000))]);
      stop = true;
      await Promise.all(loops);
      expect(answered).toBeGreaterThan(clients);
      expect(answeredWithClose).toBeGreaterThan(0);
      expect(Object.fromEntries(errors)).toEqual({ ECONNREFUSED: clients });
    } finally {
      stop = true;
      for (const agent of agents) agent.destroy();
    }
  });
});
