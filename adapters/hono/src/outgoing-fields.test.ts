import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allow, deny, type RequestPolicy } from '@bulwark/core';
import { createAdaptorServer, getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guard, nodeServerFetch } from './index.js';

// On @hono/node-server the guard's fields wait on the Node response and are written by its
// writeHead together with the answer's own (context.ts). The conformance suite compares
// whole answers with the other frameworks; these are the paths it does not take.
const profile: RequestPolicy = {
  name: 'profile',
  evaluate: () =>
    allow([
      ['x-content-type-options', 'nosniff'],
      ['vary', 'Origin'],
      ['ratelimit', '"ip";r=9;t=60'],
    ]),
};

interface NodeEnv {
  Bindings: { outgoing: import('node:http').ServerResponse };
}

let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Hono<NodeEnv>();
  app.use('*', guard([profile]));
  // A handler that writes to the Node response itself, fields set before end().
  app.get('/direct', (c) => {
    const out = c.env.outgoing;
    out.setHeader('Vary', 'Accept');
    out.setHeader('X-Content-Type-Options', 'handler');
    out.setHeader('x-own', '1');
    out.end('direct');
    return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
  });
  // writeHead with a status message and an array of pairs.
  app.get('/pairs', (c) => {
    c.env.outgoing.writeHead(202, 'Taken', [
      ['RateLimit', '"user";r=1;t=60'],
      ['x-own', '2'],
    ]);
    c.env.outgoing.end();
    return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
  });
  server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function fetchRaw(path: string): Promise<{ status: number; message: string; fields: string[][] }> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, (res) => {
      const fields: string[][] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i] as string;
        if (!['Date', 'Connection', 'Keep-Alive', 'Transfer-Encoding'].includes(name)) {
          fields.push([name, res.rawHeaders[i + 1] as string]);
        }
      }
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, message: res.statusMessage ?? '', fields }));
    }).on('error', reject);
  });
}

describe('guard fields on the Node response (@hono/node-server)', () => {
  it('come first; fields a handler set on the response itself merge (Vary) or win, at our position', async () => {
    const res = await fetchRaw('/direct');
    expect(res.status).toBe(200);
    expect(res.fields).toEqual([
      ['X-Content-Type-Options', 'handler'],
      ['Vary', 'Origin, Accept'],
      ['ratelimit', '"ip";r=9;t=60'],
      ['x-own', '1'],
      // Node's own, for end('direct') without writeHead.
      ['Content-Length', '6'],
    ]);
  });

  it("keep a writeHead's status message; a list field's items are appended to ours", async () => {
    const res = await fetchRaw('/pairs');
    expect([res.status, res.message]).toEqual([202, 'Taken']);
    expect(res.fields).toEqual([
      ['x-content-type-options', 'nosniff'],
      ['vary', 'Origin'],
      ['RateLimit', '"ip";r=9;t=60, "user";r=1;t=60'],
      ['x-own', '2'],
    ]);
  });
});

describe('nodeServerFetch on the node server', () => {
  it("keeps a refusal's field order and the node server's own fast path (its Content-Length spelling)", async () => {
    const app = new Hono();
    app.use('*', guard([profile]));
    app.get(
      '/private',
      guard([
        {
          name: 'auth',
          evaluate: () => deny('unauthenticated', 'no', { headers: [['www-authenticate', 'Bearer realm="x"']] }),
        },
      ]),
      (c) => c.text('never'),
    );
    const wrapped = createServer(getRequestListener(nodeServerFetch(app.fetch)));
    await new Promise<void>((resolve) => wrapped.listen(0, '127.0.0.1', resolve));
    const previous = base;
    base = `http://127.0.0.1:${(wrapped.address() as AddressInfo).port}`;
    try {
      const res = await fetchRaw('/private');
      expect(res.status).toBe(401);
      // The decision's order (as the Node adapters write it), and `Content-Length` as the
      // node server's cached path spells it: the Response was not rebuilt as a Web Response.
      expect(res.fields.map(([name]) => name)).toEqual([
        'x-content-type-options',
        'vary',
        'ratelimit',
        'www-authenticate',
        'content-type',
        'cache-control',
        'Content-Length',
      ]);
    } finally {
      base = previous;
      await new Promise<void>((resolve) => wrapped.close(() => resolve()));
    }
  });
});
