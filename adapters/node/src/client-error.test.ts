import { PassThrough } from 'node:stream';
import { allow, ConfigError, type RequestPolicy } from '@bulwark/core';
import { parseRawResponse } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { clientErrorHandler, handleClientError } from './client-error.js';

function answerOf(handler: typeof handleClientError, code: string): ReturnType<typeof parseRawResponse> {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  handler(Object.assign(new Error('parse'), { code }), socket);
  return parseRawResponse(Buffer.concat(chunks));
}

const profile: RequestPolicy = {
  name: 'profile',
  evaluate: () =>
    allow([
      ['content-security-policy', "default-src 'none'"],
      ['x-content-type-options', 'nosniff'],
    ]),
};

describe('clientErrorHandler', () => {
  it('answers parser errors with problem+json and the precomputed profile', () => {
    const handler = clientErrorHandler({ policies: [profile] });
    const tooLarge = answerOf(handler, 'HPE_HEADER_OVERFLOW');
    expect(tooLarge.status).toBe(431);
    expect(tooLarge.header('content-security-policy')).toBe("default-src 'none'");
    expect(tooLarge.header('cache-control')).toBe('no-store');
    expect(tooLarge.json()).toMatchObject({ code: 'headers_too_large' });
    const bad = answerOf(handler, 'HPE_INVALID_METHOD');
    expect(bad.status).toBe(400);
    expect(bad.header('connection')).toBe('close');
    const slow = answerOf(handler, 'ERR_HTTP_REQUEST_TIMEOUT');
    expect(slow.status).toBe(408);
    expect(slow.json()).toMatchObject({ code: 'request_timeout' });
    expect(slow.header('content-security-policy')).toBe("default-src 'none'");
  });

  it('keeps handleClientError as it was: no-store and nosniff only', () => {
    const res = answerOf(handleClientError, 'HPE_INVALID_CONSTANT');
    expect(res.status).toBe(400);
    expect(res.fields.map(([name]) => name).sort()).toEqual(
      ['cache-control', 'connection', 'content-length', 'content-type', 'x-content-type-options'].sort(),
    );
  });

  it('refuses a policy behind a store at construction', () => {
    const limiter: RequestPolicy = { name: 'ratelimit', evaluate: async () => allow() };
    expect(() => clientErrorHandler({ policies: [profile, limiter] })).toThrow(ConfigError);
  });
});

describe('expectationHandler and connectHandler', () => {
  it('answer 417 and a CONNECT 400 with problem+json and the profile, closing the connection', async () => {
    const { createServer } = await import('node:http');
    const { sendRaw } = await import('@bulwark/testkit');
    const { refuseUnservedRequests } = await import('./server-events.js');
    const server = refuseUnservedRequests(
      createServer((_req, res) => res.end('ok')),
      { policies: [profile] },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const expectation = await sendRaw(url, 'GET / HTTP/1.1\r\nHost: a\r\nExpect: later\r\n\r\n');
      expect(expectation.status).toBe(417);
      expect(expectation.json()).toMatchObject({ status: 417, code: 'expectation_failed' });
      expect(expectation.header('content-security-policy')).toBe("default-src 'none'");
      expect(expectation.header('connection')).toBe('close');
      const connect = await sendRaw(url, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n');
      expect(connect.status).toBe(400);
      expect(connect.json()).toMatchObject({ code: 'bad_request' });
      expect(connect.header('x-content-type-options')).toBe('nosniff');
      // Every other request still goes to the listener.
      const ok = await sendRaw(url, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      expect(ok.status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
