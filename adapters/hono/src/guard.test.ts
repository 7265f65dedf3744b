import { allow, deny, type RequestPolicy } from '@bulwark/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type BulwarkEnv, errorHandler, guard, notFoundHandler } from './index.js';

// Off @hono/node-server (app.request: no c.env.outgoing) the allow headers are deferred to
// the final Response; on the node server the conformance suite covers the other path.
const profile: RequestPolicy = { name: 'profile', evaluate: () => allow([['x-content-type-options', 'nosniff']]) };
const varyOrigin: RequestPolicy = { name: 'cors', evaluate: () => allow([['vary', 'Origin']]) };

function app(policies: RequestPolicy[]) {
  const hono = new Hono<BulwarkEnv>();
  hono.onError(errorHandler({ onError: () => {} }));
  hono.notFound(notFoundHandler());
  hono.use('*', guard(policies));
  hono.get('/varied', (c) => {
    c.header('Vary', 'Accept-Language', { append: true });
    c.header('x-content-type-options', 'handler');
    return c.json({ ok: true });
  });
  hono.get('/boom', () => {
    throw new Error('boom');
  });
  return hono;
}

describe('guard on a runtime without a Node response', () => {
  it("merges a handler's Vary after ours; a handler's other header wins, as on the Node frameworks", async () => {
    const res = await app([profile, varyOrigin]).request('/varied');
    expect(res.headers.get('vary')).toBe('Origin, Accept-Language');
    expect(res.headers.get('x-content-type-options')).toBe('handler');
  });

  it('puts the allow headers on errors, 404s and a later refusal', async () => {
    const refuse: RequestPolicy = { name: 'limit', evaluate: () => deny('rate_limited', 'slow down') };
    for (const [policies, path, status] of [
      [[profile], '/boom', 500],
      [[profile], '/nowhere', 404],
      [[profile, refuse], '/varied', 429],
    ] as const) {
      const res = await app([...policies]).request(path);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
