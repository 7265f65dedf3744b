import { BulwarkError, type HttpErrorCode, isHttpErrorCode, type SecurityEvent } from '@bulwark/core';
import { requestValidator } from '@bulwark/validation';
import { z } from 'zod';
import type { ConformanceRoute } from './driver.js';

/** The conformance app's short body deadline: tests see a 408 without sleeping for long. */
export const CONFORMANCE_BODY_TIMEOUT_MS = 200;

/** Events of the deadline route, newest last. */
export const bodyEvents: SecurityEvent[] = [];

/**
 * Every error the conformance app's error handler passed to its `onError` hook (the hook
 * that also goes with a `server.error` event): scenarios check that nothing lands here.
 */
export const serverErrors: unknown[] = [];

export function recordServerError(err: unknown): void {
  serverErrors.push(err);
}

const slowBody = requestValidator({
  body: z.object({ title: z.string() }),
  bodyTimeout: CONFORMANCE_BODY_TIMEOUT_MS,
  onEvent: (event) => bodyEvents.push(event),
});

const refusal = requestValidator({ body: z.object({ reason: z.string() }) });

/** Routes for the body scenarios: a short body deadline, and a validated route that throws. */
export const bodyRoutes: readonly ConformanceRoute[] = [
  { method: 'POST', path: '/v2/slow', validator: slowBody, handle: () => ({ status: 201, body: { ok: true } }) },
  {
    method: 'POST',
    path: '/v2/refuse/:code',
    validator: refusal,
    // A handler error on a validated route must reach the app's error handler intact.
    handle: ({ params }) => {
      const code: HttpErrorCode = isHttpErrorCode(params.code) ? params.code : 'bad_request';
      throw new BulwarkError(code, `refused by the handler: ${code}`);
    },
  },
];
