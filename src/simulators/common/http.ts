// HTTP plumbing both simulators share: reading a request body with a size cap, and listening with the common handle.
// Protocol-free on purpose: what a body means, and what the API answers, is each simulator's own business.

import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultController } from '../ord/faults.js';
import type { RequestLog } from '../ord/log.js';
import type { OrdChanges } from '../ord/notifications.js';
import type { OrdSimulator } from '../ord/types.js';

export function readBody(req: http.IncomingMessage, max = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) reject(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What a simulator's handle reads from its API: the data's size, its today, and how to change it. */
export interface SimulatedApi {
  readonly organisationCount: number;
  readonly today: string;
  applyChanges(changes: OrdChanges): void;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Listens on host:port and returns the simulator's handle (the same controls for ORD's and ODT's). */
export async function listenSimulator(
  server: http.Server,
  parts: { host: string; port: number; basePath: string; api: SimulatedApi; log: RequestLog; faults: FaultController },
): Promise<OrdSimulator> {
  const { api, log, faults } = parts;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(parts.port, parts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://${hostForUrl(parts.host)}:${port}${parts.basePath}`,
    port,
    get organisationCount() {
      return api.organisationCount;
    },
    get today() {
      return api.today;
    },
    applyChanges: (changes) => api.applyChanges(changes),
    requests: () => log.requests(),
    clearLog: () => log.clear(),
    counters: () => log.counters(),
    setFaults: (f) => faults.set(f),
    clearFaults: () => faults.clear(),
    faults: () => faults.current(),
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung requests and idle keep-alive sockets would otherwise hold close() open forever.
        server.closeAllConnections();
      })),
  };
}
