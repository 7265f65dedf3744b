import type { ConformanceRoute } from './driver.js';

/** Routes that do not validate: their handler answers without ever reading the body. */
export const unvalidatedRoutes: readonly ConformanceRoute[] = [
  { method: 'POST', path: '/v2/pings', handle: () => ({ status: 200, body: { pong: true } }) },
  { method: 'DELETE', path: '/v2/pings/:id', handle: ({ params }) => ({ status: 200, body: { deleted: params.id } }) },
];
