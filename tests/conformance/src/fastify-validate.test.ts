import { problemHandlers, valid, validate, validationSupport } from '@bulwark/fastify';
import { requestValidator } from '@bulwark/validation';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

// validate() gives a route its own errorHandler (for Fastify's bodyLimit 413); every other
// error on that route must still reach the app's error handler.
describe('fastify validate(): errors other than the body limit reach the app error handler', () => {
  const app = Fastify();
  const seen: unknown[] = [];
  const create = requestValidator({ body: z.object({ title: z.string() }) });
  beforeAll(async () => {
    await app.register(validationSupport());
    await app.register(problemHandlers({ onError: (error) => seen.push(error) }));
    app.post('/boom', validate(create), async (request) => {
      const { body } = valid(request, create);
      throw new Error(`handler failed on ${body.title}`);
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers a handler error as the app would: 500 problem+json, no message', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/boom',
      headers: { 'content-type': 'application/json' },
      payload: '{"title":"secret-title"}',
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('secret-title');
    // The original error, not a TypeError from calling the app handler without `this`.
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe('handler failed on secret-title');
  });
});
