import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBody } from './body.js';
import { isClientAbort } from './client-abort.js';
import { decisionForError } from './error-decision.js';
import { BulwarkError } from './errors.js';
import type { SecurityEvent } from './events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (text: string) => new TextEncoder().encode(text);

/** A source that yields one byte every `gapMs`, and records whether it was released. */
function trickle(text: string, gapMs: number) {
  const state = { released: false };
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        async next() {
          if (i >= text.length) return { done: true, value: undefined };
          await sleep(gapMs);
          return { done: false, value: bytes(text[i++] as string) };
        },
        async return() {
          state.released = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { source, state };
}

/** A source whose next chunk never comes. */
function stalled(first: string) {
  const state = { released: false };
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let sent = false;
      return {
        next: () => {
          if (sent) return new Promise<never>(() => {});
          sent = true;
          return Promise.resolve({ done: false, value: bytes(first) });
        },
        async return() {
          state.released = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { source, state };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('readBody deadline', () => {
  it('rejects a trickled body with request_timeout at the deadline, though bytes keep coming', async () => {
    const { source, state } = trickle('x'.repeat(100), 10);
    const started = Date.now();
    const err = await rejection(readBody(source, 1024, { timeout: 100 }));
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).code).toBe('request_timeout');
    expect(Date.now() - started).toBeLessThan(500);
    expect(state.released).toBe(true);
  });

  it('rejects a stalled body with request_timeout and releases the source', async () => {
    const { source, state } = stalled('{"title":');
    const err = await rejection(readBody(source, 1024, { timeout: 50 }));
    expect((err as BulwarkError).code).toBe('request_timeout');
    expect(state.released).toBe(true);
  });

  it('reads a body that arrives before the deadline', async () => {
    const { source } = trickle('{"a":1}', 1);
    expect(new TextDecoder().decode(await readBody(source, 1024, { timeout: 1000 }))).toBe('{"a":1}');
  });

  it('keeps the limit first: over the limit is undefined, not a timeout', async () => {
    const { source, state } = trickle('x'.repeat(20), 1);
    expect(await readBody(source, 5, { timeout: 1000 })).toBeUndefined();
    expect(state.released).toBe(true);
  });
});

describe('readBody with a deadline (property)', () => {
  it('gives the bytes in order, or undefined exactly when they pass the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 400 }),
        async (chunks, limit) => {
          async function* source() {
            yield* chunks;
          }
          const total = chunks.reduce((n, c) => n + c.byteLength, 0);
          const got = await readBody(source(), limit, { timeout: 5_000 });
          if (total > limit) expect(got).toBeUndefined();
          else expect(Array.from(got ?? [])).toEqual(chunks.flatMap((c) => Array.from(c)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('isClientAbort and decisionForError', () => {
  const nodeAbort = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  const upstreamReset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });

  it.each([
    ['Node aborted', nodeAbort()],
    ['a premature close', Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })],
    ['raw-body request.aborted', Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 })],
    ['a Web AbortError', new DOMException('The operation was aborted.', 'AbortError')],
  ])('%s on a closed connection is a client abort', (_name, err) => {
    expect(isClientAbort(err, true)).toBe(true);
    expect(isClientAbort(err, false)).toBe(false);
  });

  it('an upstream ECONNRESET is not an abort, even if the client is gone too', () => {
    expect(isClientAbort(upstreamReset(), true)).toBe(false);
    expect(isClientAbort(new Error('boom'), true)).toBe(false);
    expect(isClientAbort(null, true)).toBe(false);
  });

  it('answers an aborted request without onError and without server.error', () => {
    const errors: unknown[] = [];
    const events: SecurityEvent[] = [];
    const decision = decisionForError(nodeAbort(), {
      onError: (err) => errors.push(err),
      onEvent: (event) => events.push(event),
      connectionClosed: true,
    });
    expect(decision.status).toBe(400);
    expect(errors).toEqual([]);
    expect(events).toEqual([]);
  });

  it('still reports the same error as a 500 while the connection is open', () => {
    const errors: unknown[] = [];
    const events: SecurityEvent[] = [];
    const decision = decisionForError(nodeAbort(), {
      onError: (err) => errors.push(err),
      onEvent: (event) => events.push(event),
      connectionClosed: false,
    });
    expect(decision.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(events).toEqual([expect.objectContaining({ type: 'server.error' })]);
  });

  it('maps a request_timeout BulwarkError to 408', () => {
    expect(decisionForError(new BulwarkError('request_timeout', 'late'), { onError: () => {} }).status).toBe(408);
  });
});
