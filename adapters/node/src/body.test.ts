import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BulwarkError, isClientAbort } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { readNodeBody } from './body.js';
import { nodeValidationView } from './validation-view.js';

/** A request body stream the test feeds by hand. */
function body(): Readable & IncomingMessage {
  return new Readable({ read() {} }) as Readable & IncomingMessage;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('readNodeBody', () => {
  it('rejects a stalled body with request_timeout and pauses the stream (no destroy: the 408 can be written)', async () => {
    const req = body();
    req.push('{"title":');
    const err = await rejection(readNodeBody(req, 1024, { timeout: 30 }));
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).code).toBe('request_timeout');
    expect(req.isPaused()).toBe(true);
    expect(req.destroyed).toBe(false);
  });

  it('rejects with an abort-shaped error when the stream closes before its end', async () => {
    const req = body();
    req.push('{"title":');
    const read = readNodeBody(req, 1024, { timeout: 1000 });
    setImmediate(() => req.destroy());
    const err = await rejection(read);
    expect(isClientAbort(err, true)).toBe(true);
  });

  it('reads a body that ends in time, the timer cleared', async () => {
    const req = body();
    const read = readNodeBody(req, 1024, { timeout: 1000 });
    req.push('{"a":');
    req.push('1}');
    req.push(null);
    expect(Buffer.from((await read) as Uint8Array).toString()).toBe('{"a":1}');
  });
});

describe('nodeValidationView', () => {
  const request = (rawHeaders: string[]) =>
    ({
      method: 'POST',
      url: '/v2/notes',
      rawHeaders,
      // What Node keeps: the first Content-Type only.
      headers: { 'content-type': rawHeaders[1], 'x-other': 'kept' },
      socket: { remoteAddress: '127.0.0.1' },
    }) as unknown as IncomingMessage;

  it('joins repeated Content-Type fields as Web Headers do', () => {
    const view = nodeValidationView(
      request(['Content-Type', 'application/json', 'X-Other', 'kept', 'content-type', 'text/plain']),
    );
    expect(view.header('content-type')).toBe('application/json, text/plain');
    expect(view.header('Content-Type')).toBe('application/json, text/plain');
    expect(view.header('x-other')).toBe('kept');
    expect(view.method).toBe('POST');
    expect(view.path).toBe('/v2/notes');
  });

  it('leaves a single Content-Type as Node has it', () => {
    expect(nodeValidationView(request(['Content-Type', 'application/json'])).header('content-type')).toBe(
      'application/json',
    );
  });
});
