import { createServer, type Server, type Socket } from 'node:net';
import { PG_HOST, PG_PORT } from './pg.js';

// A TCP proxy to the machine's PostgreSQL on a loopback port, for outages: `stop()` closes
// the port and resets every connection through it, as a database that went away would;
// `freeze()` stops carrying bytes on the connections open through it, which stay open: a
// partition that says nothing.

export interface PgProxy {
  readonly port: number;
  stop(): Promise<void>;
  freeze(): void;
}

export async function startPgProxy(): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  const pairs: Array<readonly [Socket, Socket]> = [];
  const server: Server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)();
    upstream.connect(PG_PORT, PG_HOST);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  let stopped: Promise<void> | undefined;
  return {
    port: address.port,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.resetAndDestroy();
      });
      return stopped;
    },
  };
}
