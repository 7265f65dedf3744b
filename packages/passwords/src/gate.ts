import { ServiceBusyError } from './busy.js';

/**
 * At most `maxConcurrent` tasks run at once and at most `maxQueued` wait; a task beyond
 * both is refused at once with a {@link ServiceBusyError}. Waiting tasks start in arrival
 * order. The bound is what keeps a login flood from allocating `memory` KiB per request.
 */
export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting now. */
  readonly queued: number;
}

export function createGate(maxConcurrent: number, maxQueued: number, retryAfter: number): Gate {
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    // The slot passes straight to the next task, so `active` never dips in between.
    if (next !== undefined) next();
    else active--;
  };

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < maxConcurrent) {
        active++;
      } else if (waiting.length < maxQueued) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        throw new ServiceBusyError(retryAfter);
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
