import { ConfigError, requestView, type SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestValidator } from './index.js';
import { isFieldList } from './media-type.js';
import { problemOf } from './test-helpers.js';

const body = z.object({ title: z.string() });
const view = (headers: Record<string, string>) => requestView({ method: 'POST', path: '/v2/notes', headers });

describe('bodyTimeout', () => {
  it('defaults to 10 s and takes milliseconds or a duration', () => {
    expect(requestValidator({ body }).bodyTimeout).toBe(10_000);
    expect(requestValidator({ body, bodyTimeout: 250 }).bodyTimeout).toBe(250);
    expect(requestValidator({ body, bodyTimeout: '30s' }).bodyTimeout).toBe(30_000);
  });

  it.each([0, -1, 1.5, 300_001, '10 minutes', '1h', Number.POSITIVE_INFINITY, 'x', null])(
    'refuses %s with a ConfigError naming bodyTimeout',
    (value) => {
      let error: unknown;
      try {
        requestValidator({ body, bodyTimeout: value as never });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe('bodyTimeout');
    },
  );

  it('answers a late body 408 request_timeout with Connection: close and a validation.failed event', () => {
    const events: SecurityEvent[] = [];
    const v = requestValidator({ body, onEvent: (event) => events.push(event) });
    const decision = v.timedOut(view({ 'content-type': 'application/json' }));
    expect(decision).toMatchObject({ status: 408, code: 'request_timeout' });
    expect(problemOf(decision)).toMatchObject({ status: 408, code: 'request_timeout', title: 'Request Timeout' });
    expect(decision.headers).toContainEqual(['connection', 'close']);
    expect(events).toEqual([expect.objectContaining({ type: 'validation.failed', target: 'body', status: 408 })]);
  });
});

describe('a repeated Content-Type', () => {
  const v = requestValidator({ body });
  it.each([
    ['two differing fields, joined', 'application/json, text/plain'],
    ['two identical fields, joined', 'application/json, application/json'],
    ['a field and an empty one', 'application/json, '],
    ['a first field with an unterminated quote', 'application/json; x="a, text/plain'],
  ])('is 400 bad_request: %s', (_name, contentType) => {
    const decision = v.checkHead(view({ 'content-type': contentType }));
    expect(decision).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('is not confused with a comma inside a quoted parameter', () => {
    expect(v.checkHead(view({ 'content-type': 'application/json; x="a,b"' }))).toBeUndefined();
    expect(v.checkHead(view({ 'content-type': 'application/json; x="a\\",b"' }))).toBeUndefined();
  });

  it('is not refused on a route without a body schema (no body is read there)', () => {
    const query = requestValidator({ query: z.object({ q: z.string().optional() }) });
    expect(query.checkHead(view({ 'content-type': 'application/json, text/plain' }))).toBeUndefined();
  });
});

// The media-type grammar (RFC 9110 section 8.3.1) as a generator: no comma outside quotes.
const token = fc.stringMatching(/^[a-z0-9!#$&^_.+-]{1,12}$/);
const quoted = fc
  .array(fc.oneof(fc.constantFrom(',', ' ', ';', '=', '\\"', '\\\\'), fc.stringMatching(/^[a-z,]{1,4}$/)), {
    maxLength: 6,
  })
  .map((parts) => `"${parts.join('')}"`);
const mediaType = fc
  .tuple(token, token, fc.array(fc.tuple(token, fc.oneof(token, quoted)), { maxLength: 3 }))
  .map(([type, sub, params]) => `${type}/${sub}${params.map(([k, v]) => `; ${k}=${v}`).join('')}`);

describe('isFieldList (property)', () => {
  it('is false for any one well-formed media type, quoted commas included', () => {
    fc.assert(fc.property(mediaType, (value) => !isFieldList(value)));
  });

  it('is true for any two fields joined as Web Headers and the node bridge join them', () => {
    fc.assert(fc.property(mediaType, mediaType, (a, b) => isFieldList(`${a}, ${b}`)));
  });

  it('is true whenever a second media type follows a first that leaves a quote open', () => {
    const unquoted = fc.stringMatching(/^[^"\\]{0,20}$/);
    fc.assert(fc.property(mediaType, unquoted, mediaType, (a, b, c) => isFieldList(`${a}; x="${b}, ${c}`)));
  });

  it.each([
    ['a quote not after =', 'application/json; x=a"b"'],
    ['text after a closing quote', 'application/json; x="a" b'],
    ['an escaped quote outside a quoted-string', 'application/json; x="a"\\"'],
  ])('is true for %s', (_name, value) => {
    expect(isFieldList(value)).toBe(true);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (value) => {
        expect(typeof isFieldList(value)).toBe('boolean');
      }),
    );
  });
});
