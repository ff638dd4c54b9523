// A raw HTTP/1.1 client for simulator tests: exact header names, exact body bytes, and what happens when a socket dies early.
// undici/fetch hide header case and throw away a truncated body; these tests need to see both.

import net from 'node:net';

export interface RawResponse {
  statusLine: string;
  status: number;
  /** Header lines exactly as sent (name case kept), in order. */
  headers: [string, string][];
  header(name: string): string | undefined;
  /** Body bytes actually received before the server ended or closed the connection. */
  body: Buffer;
  /** How the socket ended: "end" (server closed cleanly), "complete" (Content-Length reached), or an error code. */
  ending: string;
}

export function rawRequest(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; timeoutMs?: number; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (ending: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(Object.assign(new Error(`no complete response head (${ending})`), { code: ending, received: all }));
        return;
      }
      const lines = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = lines.slice(1).map((l): [string, string] => {
        const c = l.indexOf(':');
        return [l.slice(0, c), l.slice(c + 1).trim()];
      });
      const statusLine = lines[0] ?? '';
      resolve({
        statusLine,
        status: Number(statusLine.split(' ')[1]),
        headers,
        header: (n) => headers.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
        body: all.subarray(split + 4),
        ending,
      });
    };
    socket.setTimeout(opts.timeoutMs ?? 10_000, () => finish('timeout'));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split >= 0) {
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, split).toString('latin1'));
        const isHead = (opts.method ?? 'GET') === 'HEAD';
        if (m && (isHead || all.length - split - 4 >= Number(m[1]))) finish('complete');
      }
    });
    socket.on('end', () => finish('end'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? 'error'));
    socket.on('close', () => finish('close'));
    const extra = Object.entries(opts.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const body = opts.body ?? '';
    const length = body !== '' ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : '';
    socket.write(
      `${opts.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}${length}\r\n${body}`,
    );
  });
}
