import { deny } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { nodeServerFetch } from './node-server.js';
import { decisionResponse } from './shared.js';

/** The part of a Node ServerResponse nodeServerFetch writes to, recorded. */
function fakeOutgoing() {
  const headers = new Map<string, string | string[]>();
  return {
    headers,
    headersSent: false,
    statusCode: 200,
    ended: false,
    setHeader(name: string, value: string | string[]) {
      headers.set(name, value);
    },
    end() {
      this.ended = true;
    },
  };
}

const request = new Request('http://127.0.0.1/v2/notes', { method: 'OPTIONS' });

describe('nodeServerFetch', () => {
  it('writes an answer without body and Content-Type itself, so none is added (a preflight 204)', async () => {
    const outgoing = fakeOutgoing();
    const answer = new Response(null, {
      status: 204,
      headers: [
        ['vary', 'Origin'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ],
    });
    const res = await nodeServerFetch(() => answer)(request, { outgoing });
    expect(outgoing.ended).toBe(true);
    expect(outgoing.statusCode).toBe(204);
    expect(outgoing.headers.get('content-type')).toBeUndefined();
    expect(outgoing.headers.get('vary')).toBe('Origin');
    expect(outgoing.headers.get('set-cookie')).toEqual(['a=1', 'b=2']);
    // The node server is told the answer went out.
    expect(res.headers.get('x-hono-already-sent')).toBe('true');
  });

  it('passes every answer with content through untouched', async () => {
    for (const answer of [
      new Response('{}', { headers: { 'content-type': 'application/json' } }),
      new Response('text'),
    ]) {
      const outgoing = fakeOutgoing();
      expect(await nodeServerFetch(() => answer)(request, { outgoing })).toBe(answer);
      expect(outgoing.ended).toBe(false);
    }
  });

  it("writes a body-less answer with a Content-Type (HEAD) itself: Content-Length last, or a decision's own order", async () => {
    const head = new Response(null, {
      status: 404,
      headers: { 'content-type': 'application/problem+json', 'content-length': '120', allow: 'GET' },
    });
    const outgoing = fakeOutgoing();
    await nodeServerFetch(() => head)(request, { outgoing });
    expect(outgoing.ended).toBe(true);
    expect([...outgoing.headers.keys()]).toEqual(['allow', 'content-type', 'content-length']);
    const decided = decisionResponse(
      deny('unauthenticated', 'no', { headers: [['www-authenticate', 'Bearer']] }),
      'HEAD',
    );
    const second = fakeOutgoing();
    await nodeServerFetch(() => decided)(request, { outgoing: second });
    expect(second.statusCode).toBe(401);
    expect([...second.headers.keys()]).toEqual(['www-authenticate', 'content-type', 'cache-control', 'content-length']);
  });

  it('passes through off the node server (no outgoing) and when the answer already went out', async () => {
    const answer = new Response(null, { status: 204 });
    expect(await nodeServerFetch(() => answer)(request, {})).toBe(answer);
    const sent = { ...fakeOutgoing(), headersSent: true };
    expect(await nodeServerFetch(() => answer)(request, { outgoing: sent })).toBe(answer);
    expect(sent.ended).toBe(false);
  });
});
