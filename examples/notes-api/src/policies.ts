import type { Clock, EventSink, RequestPolicy } from '@bulwark/core';
import { corsPolicy } from '@bulwark/cors-policy';
import { apiVersionPolicy, deprecationPolicy, securityHeaders } from '@bulwark/headers';
import { type RateLimitStore, rateLimitPolicy } from '@bulwark/ratelimit';

/** Every policy the demo runs, in mount order. Built once; the same objects serve any framework. */
export function demoPolicies(options: {
  corsOrigins: readonly string[];
  onEvent?: EventSink | undefined;
  store?: RateLimitStore | undefined;
  clock?: Clock | undefined;
}): RequestPolicy[] {
  const onEvent = options.onEvent;
  return [
    securityHeaders(),
    // Before CORS, so that preflights count against the per-IP tier like any request: CORS
    // answers a preflight itself, and a policy mounted after it would never see one. A
    // refused request (429) therefore carries no CORS grant: to a browser page it is a
    // failed request, the same as a refused preflight (which no grant could save: a
    // preflight needs a 2xx). It is still problem+json with Retry-After and no-store.
    rateLimitPolicy({
      name: 'notes-api',
      limits: [
        // Every /v2 route: 100 requests per minute per client IP (IPv6 grouped by /64).
        { name: 'anon', key: 'ip', limit: 100, window: '60s', paths: ['/v2'] },
        // The expensive operation: 5 reports per minute per client IP, on top.
        { name: 'reports', key: 'ip', limit: 5, window: '60s', paths: ['/v2/reports'], methods: ['POST'] },
      ],
      store: options.store,
      clock: options.clock,
      // With Redis, a Redis outage falls back to per-process limits instead of failing open.
      failure: { mode: 'fallback', timeout: '250ms' },
      onEvent,
    }),
    corsPolicy({
      origins: options.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
      exposedHeaders: ['deprecation', 'sunset', 'link', 'ratelimit', 'ratelimit-policy', 'retry-after'],
      maxAge: 600,
      onEvent,
    }),
    apiVersionPolicy({ supported: ['v1', 'v2'], onEvent }),
    deprecationPolicy({
      rules: [
        {
          prefix: '/v1',
          deprecatedAt: '2026-06-01T00:00:00Z',
          sunsetAt: '2027-06-30T00:00:00Z',
          documentation: '/docs/migrating-to-v2',
          successor: '/v2/notes',
        },
      ],
      onEvent,
    }),
  ];
}
