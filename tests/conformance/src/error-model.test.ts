import {
  BulwarkError,
  decisionForError,
  type ErrorCode,
  HTTP_CODE_BY_INTERNAL_CODE,
  type InternalErrorCode,
  requestView,
  STATUS_BY_CODE,
} from '@bulwark/core';
import {
  memoryStore,
  type RateLimitStore,
  rateLimitPolicy,
  StoreFullError,
  StoreTimeoutError,
} from '@bulwark/ratelimit';
import { OutputValidationError, requestValidator } from '@bulwark/validation';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// One error model: everything the packages throw is a BulwarkError with a stable code, and
// one that reaches an adapter's error handling is answered through the one status table
// (an internal code through HTTP_CODE_BY_INTERNAL_CODE), never with its message.

const view = requestView({ method: 'GET', path: '/v2/notes', clientIp: '192.0.2.1' });
const rule = { name: 'anon', limit: 1, window: '1m' } as const;

/** Rejects with what `work` throws, whether it throws or rejects. */
async function thrown(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('nothing was thrown');
}

/** A store that never answers: the policy's timeout gives up on it. */
const hungStore: RateLimitStore = {
  name: 'hung',
  consume: () => new Promise(() => {}),
  peek: () => new Promise(() => {}),
  refund: () => new Promise(() => {}),
  reset: () => new Promise(() => {}),
};

interface ThrownError {
  readonly label: string;
  readonly raise: () => Promise<unknown>;
  readonly code: ErrorCode;
  readonly status: number;
  readonly className?: string;
}

const ERRORS: readonly ThrownError[] = [
  {
    label: 'a full memory store',
    raise: () =>
      thrown(() => {
        const store = memoryStore({ maxKeys: 1 });
        const check = { scope: 'p:l', limit: 1, windowMs: 60_000, blockMs: 60_000 };
        store.consume('fixed-window', [{ ...check, key: 'a' }], 2);
        store.consume('fixed-window', [{ ...check, key: 'b' }], 1);
      }),
    code: 'store_full',
    status: 503,
    className: 'StoreFullError',
  },
  {
    label: 'a store timeout (the cause of a failed peek)',
    raise: async () => {
      const limiter = rateLimitPolicy({ limits: [rule], store: hungStore, failure: { timeout: 5 } });
      return ((await thrown(() => limiter.peek(view))) as Error).cause;
    },
    code: 'store_timeout',
    status: 503,
    className: 'StoreTimeoutError',
  },
  {
    label: 'a failed peek',
    raise: () =>
      thrown(() => rateLimitPolicy({ limits: [rule], store: hungStore, failure: { timeout: 5 } }).peek(view)),
    code: 'store_unavailable',
    status: 503,
  },
  {
    label: 'a negative refund cost',
    raise: () => thrown(() => rateLimitPolicy({ limits: [rule] }).refund(view, -1)),
    code: 'invalid_argument',
    status: 500,
  },
  {
    label: 'an answer its output schema refuses',
    raise: () => thrown(() => requestValidator({ output: z.object({ id: z.string() }) }).filterOutput({ id: 1 })),
    code: 'output_invalid',
    status: 500,
    className: 'OutputValidationError',
  },
];

describe.each(ERRORS)('$label', ({ raise, code, status, className }) => {
  it(`is a BulwarkError with code ${code}, answered ${status} without its message`, async () => {
    const err = await raise();
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).code).toBe(code);
    if (className !== undefined) expect((err as Error).name).toBe(className);
    const decision = decisionForError(err, { onError: () => {} });
    expect(decision.status).toBe(status);
    expect(JSON.stringify(decision.problem)).not.toContain((err as Error).message);
  });
});

describe('the exported classes', () => {
  it('keep their names for instanceof and extend BulwarkError', () => {
    expect(new StoreFullError()).toBeInstanceOf(BulwarkError);
    expect(new StoreTimeoutError(5)).toBeInstanceOf(BulwarkError);
    expect(new OutputValidationError(1)).toBeInstanceOf(BulwarkError);
  });

  it('every internal code maps to an HTTP code of the status table', () => {
    for (const [internal, http] of Object.entries(HTTP_CODE_BY_INTERNAL_CODE)) {
      expect(STATUS_BY_CODE[http], internal as InternalErrorCode).toBeGreaterThanOrEqual(500);
    }
  });
});
