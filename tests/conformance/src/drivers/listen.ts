import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleClientError } from '@bulwark/node';
import type { RunningApp } from '@bulwark/testkit';

/** Serves a Node server on an ephemeral loopback port. */
export function listenOnLoopback(server: Server): Promise<RunningApp> {
  server.on('clientError', handleClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
