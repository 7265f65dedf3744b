import { BulwarkError } from '@bulwark/core';

/**
 * Thrown (as a rejected promise) by `hash`, `verify` and `verifyDummy` when the hasher
 * already has `maxConcurrent` hashes running and `maxQueued` waiting. Its code,
 * `service_busy`, is answered by every adapter as a 503 problem; `retryAfter` is the
 * number of seconds to send in `Retry-After`. A login flood gets this clear answer
 * instead of an unbounded queue (memory is `memory` KiB per hash in flight).
 */
export class ServiceBusyError extends BulwarkError {
  /** Seconds a client should wait before retrying (for `Retry-After`). */
  readonly retryAfter: number;

  constructor(retryAfter: number) {
    super('service_busy', 'The password hasher is at capacity; retry shortly.');
    this.name = 'ServiceBusyError';
    this.retryAfter = retryAfter;
  }
}
