import { expect } from 'vitest';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

/** Rate-limit scenarios: the same counts, fields and 429s on every framework. */
export const rateLimitScenarios: readonly AdapterScenario[] = [
  {
    name: 'Rate limit: RateLimit fields on allowed answers, then 429 problem+json with Retry-After',
    async run(send) {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await send({ method: 'GET', path: '/v2/limited' });
        expect(res.status).toBe(200);
        expect(res.header('ratelimit-policy')).toBe('"limited";q=3;w=60');
        remaining.push((res.header('ratelimit') ?? '').replace(/;t=\d+/, ''));
      }
      expect(remaining).toEqual(['"limited";r=2', '"limited";r=1', '"limited";r=0']);
      const refused = await send({ method: 'GET', path: '/v2/limited' });
      const body = expectProblem(refused, 429, 'rate_limited');
      expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
      expect(body.retryAfter).toBe(Number(refused.header('retry-after')));
      expect(refused.header('ratelimit')).toMatch(/^"limited";r=0;t=\d+$/);
      expectProfile(refused);
    },
  },
  {
    name: 'Rate limit: a spoofed X-Forwarded-For from an untrusted peer opens no new bucket',
    async run(send) {
      const statuses: number[] = [];
      for (const spoof of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']) {
        statuses.push(
          (
            await send({
              method: 'GET',
              path: '/v2/spoof',
              headers: { 'x-forwarded-for': spoof, forwarded: `for=${spoof}` },
            })
          ).status,
        );
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
    },
  },
  {
    name: 'Rate limit: tiers are all-or-nothing: a request refused by one tier consumes nothing from the other',
    async run(send) {
      const first = await send({ method: 'POST', path: '/v2/tiers' });
      expect(first.status).toBe(202);
      expect(first.header('ratelimit-policy')).toBe('"wide";q=10;w=60, "narrow";q=1;w=60');
      expect(first.header('ratelimit')).toMatch(/^"wide";r=9;t=\d+, "narrow";r=0;t=\d+$/);
      const refused = await send({ method: 'POST', path: '/v2/tiers' });
      expect(expectProblem(refused, 429, 'rate_limited').limits).toEqual(['narrow']);
      // The wide tier as the refusal leaves it (9), not as if the request had passed (8).
      expect(refused.header('ratelimit')).toMatch(/^"wide";r=9;t=\d+, "narrow";r=0;t=\d+$/);
      const get = await send({ method: 'GET', path: '/v2/tiers' });
      expect(get.status).toBe(200);
      expect(get.header('ratelimit')).toMatch(/^"wide";r=8;t=\d+$/);
    },
  },
  {
    name: 'Rate limit: other spellings of a limited path: a fragment counts against its limit, an encoded letter is refused',
    async run(send) {
      // Express, Koa and Fastify route a target with a stray `#x` as the path before it: it
      // counts. Fastify and Hono would decode `%65` before routing and reach the handler
      // where Express and Koa answer 404: every guard refuses such a spelling (400), and it
      // does not count either.
      const plain = await send({ method: 'GET', path: '/v2/encoded' });
      expect(plain.status).toBe(200);
      expect(plain.header('ratelimit')).toMatch(/^"encoded";r=2;t=\d+$/);
      for (const path of ['/v2/%65ncoded', '/%762/encoded', '/v2/./encoded', '/x/../v2/encoded']) {
        const refused = await send({ method: 'GET', path });
        expectProblem(refused, 400, 'bad_request');
        expect(refused.header('ratelimit'), path).toBeUndefined();
      }
      const fragment = await send({ method: 'GET', path: '/v2/encoded#x' });
      expect(fragment.header('ratelimit')).toMatch(/^"encoded";r=1;t=\d+$/);
    },
  },
  {
    name: 'Rate limit: HEAD counts against a GET-only limit (the GET handler answers it)',
    async run(send) {
      expect((await send({ method: 'GET', path: '/v2/getonly' })).status).toBe(200);
      const head = await send({ method: 'HEAD', path: '/v2/getonly' });
      expect(head.status).toBe(429);
      expect(head.header('ratelimit')).toMatch(/^"getonly";r=0;t=\d+$/);
    },
  },
  {
    name: 'Rate limit: routes outside every limit carry no RateLimit fields',
    async run(send) {
      const res = await send({ method: 'GET', path: '/health' });
      expect(res.status).toBe(200);
      expect(res.header('ratelimit')).toBeUndefined();
      expect(res.header('ratelimit-policy')).toBeUndefined();
    },
  },
];
