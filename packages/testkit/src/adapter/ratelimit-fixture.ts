import type { Clock } from '@bulwark/core';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import type { ConformanceRoute } from './driver.js';

/**
 * A fresh limiter (own memory store) per app: independent tiers on their own paths. On the
 * app's stopped clock, so that `RateLimit` reset seconds and `Retry-After` are the same on
 * every framework (and no window boundary falls inside a run).
 */
export function conformanceRateLimit(clock: Clock) {
  return rateLimitPolicy({
    name: 'conformance',
    clock,
    limits: [
      { name: 'limited', limit: 3, window: '60s', paths: ['/v2/limited'] },
      { name: 'spoof', limit: 2, window: '60s', paths: ['/v2/spoof'] },
      { name: 'wide', limit: 10, window: '60s', paths: ['/v2/tiers'] },
      { name: 'narrow', limit: 1, window: '60s', paths: ['/v2/tiers'], methods: ['POST'] },
      { name: 'encoded', limit: 3, window: '60s', paths: ['/v2/encoded'] },
      { name: 'getonly', limit: 1, window: '60s', paths: ['/v2/getonly'], methods: ['GET'] },
      // Scoped to one route for the request-target table (path-scenarios.ts); never reached.
      { name: 'odd', limit: 1000, window: '60s', paths: ['/v2/odd'] },
    ],
  });
}

const ok = () => ({ status: 200, body: { ok: true } });

export const rateLimitRoutes: readonly ConformanceRoute[] = [
  { method: 'GET', path: '/v2/limited', handle: ok },
  { method: 'GET', path: '/v2/spoof', handle: ok },
  { method: 'GET', path: '/v2/tiers', handle: ok },
  { method: 'POST', path: '/v2/tiers', handle: () => ({ status: 202, body: { accepted: true } }) },
  { method: 'GET', path: '/v2/encoded', handle: ok },
  { method: 'GET', path: '/v2/getonly', handle: ok },
  { method: 'GET', path: '/v2/odd', handle: () => ({ status: 200, body: { route: 'odd' } }) },
  { method: 'POST', path: '/v2/odd', handle: () => ({ status: 202, body: { route: 'odd' } }) },
];
