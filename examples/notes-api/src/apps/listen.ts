import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleClientError } from '@bulwark/node';
import type { Listening } from './types.js';

/** Serves a Node request listener (Express, Koa, Hono's node adapter). */
export function listenNode(listener: RequestListener, host: string, port: number): Promise<Listening> {
  const server = createServer(listener);
  server.on('clientError', handleClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
