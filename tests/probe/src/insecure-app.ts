import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An API built the insecure way on plain node:http, to prove the probe fails what it should:
 * it reflects any Origin with credentials (and any requested header), sends no security
 * header but `X-Powered-By` and a versioned `Server`, answers errors as HTML stack traces,
 * reads bodies of any type and size, takes `alg` from the token (`none` included), checks no
 * `exp`, `aud` or scope, builds SQL by concatenation, has no rate limit, echoes TRACE, and
 * serves a deprecated /v1 without saying so.
 */
/** The fixture's HS256 secret (a test can hand it to the probe as `signingKey`). */
export const INSECURE_SECRET = 'insecure-fixture-secret-of-32-bytes!';
const SECRET = INSECURE_SECRET;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (input: string) => createHmac('sha256', SECRET).update(input).digest('base64url');

function sign(payload: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${hmac(input)}`;
}

/** The classic mistake: the token's header says which algorithm to check, `none` meaning none. */
function verify(token: string): Record<string, unknown> | undefined {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string };
  if (alg.toLowerCase() !== 'none' && hmac(`${header}.${payload}`) !== signature) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function stackPage(res: ServerResponse, err: Error) {
  send(res, 500, `<!DOCTYPE html><html><body><pre>${err.stack}</pre></body></html>`, 'text/html; charset=utf-8');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  res.setHeader('x-powered-by', 'Express');
  res.setHeader('server', 'fixture/1.2.3');
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
  }
  const url = new URL(req.url ?? '/', 'http://fixture');
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE');
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
    res.setHeader('access-control-max-age', '31536000');
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'TRACE') {
    const echo = `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n`;
    return send(res, 200, echo, 'message/http');
  }
  if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (url.pathname === '/login' && req.method === 'POST') {
    return readBody(req).then((text) => {
      const body = JSON.parse(text) as { user?: string; password?: string };
      if (body.password !== 'fixture-password') return send(res, 401, { error: 'bad password' });
      send(res, 200, {
        access_token: sign({ sub: body.user, scope: 'read', aud: 'fixture', exp: Math.floor(Date.now() / 1000) + 900 }),
      });
    });
  }
  const authorization = req.headers.authorization ?? '';
  const claims = authorization.startsWith('Bearer ') ? verify(authorization.slice(7)) : undefined;
  if (['/me', '/v1/me', '/admin', '/users'].includes(url.pathname)) {
    if (claims === undefined) return send(res, 401, 'Unauthorized', 'text/plain');
    if (url.pathname === '/users') {
      const sql = `SELECT * FROM users WHERE name = '${url.searchParams.get('name') ?? ''}'`;
      if (sql.split("'").length !== 3) return stackPage(res, new Error(`SQL syntax error near ${sql}`));
      return send(res, 200, [{ name: 'alice', password_hash: 'x' }]);
    }
    return send(res, 200, { sub: claims.sub, admin: url.pathname === '/admin' });
  }
  send(
    res,
    404,
    `<!DOCTYPE html><html><body><pre>Cannot ${req.method} ${url.pathname}</pre></body></html>`,
    'text/html',
  );
}

/** The document the probe is given for the fixture: what is protected, with which scopes, and v1 deprecated. */
export const insecureOpenApi = {
  openapi: '3.1.0',
  paths: {
    '/health': { get: { security: [] } },
    '/login': { post: { security: [], requestBody: { content: { 'application/json': {} } } } },
    '/me': { get: { security: [{ bearer: [] }] } },
    '/v1/me': { get: { deprecated: true, security: [{ bearer: [] }] } },
    '/admin': { get: { security: [{ bearer: ['admin'] }] } },
    '/users': { get: { security: [{ bearer: [] }], parameters: [{ in: 'query', name: 'name' }] } },
  },
};

export const insecureLogin = { path: '/login', body: { user: 'alice', password: 'fixture-password' } };

export async function startInsecureApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    try {
      void Promise.resolve(handle(req, res)).catch((err: Error) => stackPage(res, err));
    } catch (err) {
      stackPage(res, err as Error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
