import type { ConformanceRoute } from './driver.js';

/**
 * Routes whose handler throws an error carrying a client status, as `ctx.throw(409)` or
 * `createError(409)` do: `/v2/throws/409` throws a 409. The error's message must never
 * reach the client.
 */
export const THROWN_STATUS_MESSAGE = 'row 17 of notes_internal already exists';

export const statusRoutes: readonly ConformanceRoute[] = [
  {
    method: 'GET',
    path: '/v2/throws/:status',
    handle: ({ params }) => {
      throw Object.assign(new Error(THROWN_STATUS_MESSAGE), { status: Number(params.status), expose: true });
    },
  },
];
