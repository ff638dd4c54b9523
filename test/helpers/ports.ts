// A free TCP port on loopback, for the real servers tests start themselves (PostgreSQL, Redis).
// Asked of the kernel (listen on 0), then released for the server to take.

import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
