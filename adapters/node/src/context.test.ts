import type { IncomingMessage } from 'node:http';
import { allow, guardResolver, mergeAllow, type Principal } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { existingRequestContext, nodeRequestContext } from './context.js';

const request = () =>
  ({
    method: 'GET',
    url: '/v2/notes',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;

const alice: Principal = {
  subject: 'alice',
  kind: 'user',
  scopes: [],
  source: { kind: 'api_key', keyId: 'k' },
  claims: {},
};

describe('nodeRequestContext', () => {
  it('is created once per request: a later guard with the same settings gets the same view and context', () => {
    const req = request();
    expect(existingRequestContext(req)).toBeUndefined();
    const first = nodeRequestContext(req, req.url, guardResolver({ trustProxy: { cidrs: ['loopback'] } }));
    const later = nodeRequestContext(req, req.url, guardResolver({ trustProxy: { cidrs: ['loopback'] } }));
    expect(later.view).toBe(first.view);
    expect(later.context).toBe(first.context);
    expect(existingRequestContext(req)).toBe(first.context);
  });

  it('a guard with other client-IP settings gets its own view (its rule holds) over the same context', () => {
    const req = request();
    const trusting = nodeRequestContext(req, req.url, guardResolver({ trustProxy: { cidrs: ['loopback'] } }));
    const strict = nodeRequestContext(req, req.url, guardResolver());
    expect(strict.view).not.toBe(trusting.view);
    expect(strict.context).toBe(trusting.context);
    expect(trusting.view.clientIp).toBe('203.0.113.9');
    expect(strict.view.clientIp).toBe('127.0.0.1');
    mergeAllow(trusting.context, allow([], undefined, alice));
    expect(strict.view.principal?.subject).toBe('alice');
    expect(trusting.view.principal?.subject).toBe('alice');
  });
});
