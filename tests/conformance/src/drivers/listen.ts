import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestPolicy } from '@bulwark/core';
import { checkRequestHead, clientErrorHandler, refuseUnservedRequests } from '@bulwark/node';
import type { RunningApp } from '@bulwark/testkit';

/**
 * A Node server whose refusals before the framework (Node's parser, a missing or invalid
 * Host, an ambiguous Transfer-Encoding, an unmet Expect, CONNECT) carry the profile:
 * Node's own Host check is off, `checkRequestHead` does it.
 */
export function profiledServer(listener: RequestListener, profile: readonly RequestPolicy[] = []): Server {
  const server = createServer({ requireHostHeader: false }, checkRequestHead(listener, { policies: profile }));
  server.on('clientError', clientErrorHandler({ policies: profile }));
  return refuseUnservedRequests(server, { policies: profile });
}

/** Serves a Node server on an ephemeral loopback port. */
export function listenOnLoopback(server: Server): Promise<RunningApp> {
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
