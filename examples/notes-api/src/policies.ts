import type { EventSink, RequestPolicy } from '@bulwark/core';
import { corsPolicy } from '@bulwark/cors-policy';
import { apiVersionPolicy, deprecationPolicy, securityHeaders } from '@bulwark/headers';

/** Every policy the demo runs, in mount order. Built once; the same objects serve any framework. */
export function demoPolicies(options: { corsOrigins: readonly string[]; onEvent?: EventSink }): RequestPolicy[] {
  const onEvent = options.onEvent;
  return [
    securityHeaders(),
    corsPolicy({
      origins: options.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
      exposedHeaders: ['deprecation', 'sunset', 'link'],
      maxAge: 600,
      ...(onEvent ? { onEvent } : {}),
    }),
    apiVersionPolicy({ supported: ['v1', 'v2'], ...(onEvent ? { onEvent } : {}) }),
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
      ...(onEvent ? { onEvent } : {}),
    }),
  ];
}
