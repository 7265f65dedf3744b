import { createServer, type Server } from 'node:http';
import { CALLBACK_PAGE, START_PAGE } from './spa-pages.js';

/** The SPA's port: fixed, since the registered redirect URI is http://localhost:5173/callback. */
export const SPA_PORT = 5173;

export interface SpaServer {
  close(): Promise<void>;
}

/** Serves the SPA's start and callback pages on 127.0.0.1:5173 (reached as `localhost`). */
export async function startSpa(): Promise<SpaServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = path === '/start' ? START_PAGE : path === '/callback' ? CALLBACK_PAGE : undefined;
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`the SPA needs 127.0.0.1:${SPA_PORT} (the registered redirect URI): ${error.message}`)),
    );
    server.listen(SPA_PORT, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
