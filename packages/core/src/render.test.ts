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
  it('answers HEAD to a complete answer with the Content-Length of the body it drops, unless one is named', () => {
    const page = respond(200, [['content-type', 'text/html; charset=utf-8']], '<p>é</p>');
    expect(renderDecision(page, 'HEAD')).toEqual({
      status: 200,
      headers: [
        ['content-type', 'text/html; charset=utf-8'],
        ['content-length', '9'],
      ],
      body: undefined,
    });
    expect(renderDecision(page, 'GET')).toEqual({ status: 200, headers: page.headers, body: '<p>é</p>' });
    const named = respond(200, [['content-length', '9']], '<p>é</p>');
    expect(renderDecision(named, 'HEAD').headers).toEqual([['content-length', '9']]);
    expect(renderDecision(respond(204, []), 'HEAD').headers).toEqual([]);
  });
});
