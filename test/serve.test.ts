// serve(): the one way a request listener goes on node:http. Port 0 is reported as the port actually bound, a port in
// use rejects (no unhandled 'error' event), and close() resolves even while a client holds a keep-alive connection.

import { Agent, get, type RequestListener } from 'node:http';
import { describe, expect, it } from 'vitest';
import { serve } from '../src/server/serve.js';

const hello: RequestListener = (_req, res) => res.end('hello');

describe('serve', () => {
  it('on port 0 answers at the URL of the port actually bound', async () => {
    const served = await serve(hello, { host: '127.0.0.1', port: 0 });
    try {
      expect(served.port).toBeGreaterThan(0);
      expect(served.origin).toBe(`http://127.0.0.1:${served.port}`);
      expect(served.url).toBe(`http://127.0.0.1:${served.port}/graphql`);
      expect(await (await fetch(served.url)).text()).toBe('hello');
    } finally {
      await served.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await serve(hello, { host: '127.0.0.1', port: 0 });
    try {
      await expect(serve(hello, { host: '127.0.0.1', port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });

  it('close() resolves while a keep-alive connection is open, and the port stops answering', async () => {
    const served = await serve(hello, { host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      get(served.url, { agent }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('hello');
    await served.close();
    agent.destroy();
    await expect(fetch(served.url, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
  });
});
