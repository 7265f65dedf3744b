import { describe, expect, it } from 'vitest';
import { deny, respond } from './decision.js';
import { renderDecision } from './render.js';

describe('renderDecision', () => {
  const denial = deny('not_found', 'No resource matches this method and path.', { headers: [['vary', 'Origin']] });

  it('renders a problem as problem+json, no charset, no-store', () => {
    const answer = renderDecision(denial, 'GET');
    expect(answer.headers).toEqual([
      ['vary', 'Origin'],
      ['content-type', 'application/problem+json'],
      ['cache-control', 'no-store'],
    ]);
    expect(JSON.parse(answer.body ?? '')).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('gives a HEAD answer the fields of the GET answer, its Content-Length included, and no body', () => {
    const get = renderDecision(denial, 'GET');
    const head = renderDecision(denial, 'HEAD');
    expect(head.body).toBeUndefined();
    expect(head.headers).toEqual([
      ...get.headers,
      ['content-length', String(new TextEncoder().encode(get.body).length)],
    ]);
  });

  it('leaves a body-less respond decision without Content-Length, on HEAD too', () => {
    const preflight = respond(204, [['access-control-allow-origin', 'https://app.example.com']]);
    expect(renderDecision(preflight, 'HEAD')).toEqual({ status: 204, headers: preflight.headers, body: undefined });
  });
});
