import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestPolicy } from '@bulwark/core';
import { checkRequestHead, clientErrorHandler, refuseUnservedRequests } from '@bulwark/node';
import type { Listening } from './types.js';

/**
 * Serves a Node request listener (Express, Koa, Hono's node adapter). Requests refused
 * before the framework (Node's parser errors, a missing or invalid Host, an ambiguous
 * Transfer-Encoding, an unmet Expect, CONNECT) are answered problem+json with the header
 * profile: Node's own Host check is off because its 400 has no headers at all;
 * `checkRequestHead` does it instead.
 */
export function listenNode(
  listener: RequestListener,
  profile: readonly RequestPolicy[],
  host: string,
  port: number,
): Promise<Listening> {
  const server = createServer({ requireHostHeader: false }, checkRequestHead(listener, { policies: profile }));
  server.on('clientError', clientErrorHandler({ policies: profile }));
  refuseUnservedRequests(server, { policies: profile });
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
