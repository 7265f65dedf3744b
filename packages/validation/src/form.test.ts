import { describe, expect, it } from 'vitest';
import { parseFormBody } from './form.js';

const enc = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseFormBody(enc(text));

describe('parseFormBody', () => {
  it('reads pairs as the WHATWG parser does: + is a space, %XX a byte, a name ends at its first =', () => {
    expect(parse('grant_type=refresh_token&scope=notes%3Aread+notes%3Awrite')).toEqual({
      ok: true,
      value: { grant_type: 'refresh_token', scope: 'notes:read notes:write' },
    });
    expect(parse('a=b=c&plus=%2B&space=+&empty=&flag')).toEqual({
      ok: true,
      value: { a: 'b=c', plus: '+', space: ' ', empty: '', flag: '' },
    });
    expect(parse('e=%C3%A9%E2%82%AC%F0%9F%98%80&raw=é€😀')).toEqual({
      ok: true,
      value: { e: 'é€😀', raw: 'é€😀' },
    });
  });

  it('skips empty pairs and reads a leading ? as part of the first name (a body is not a query string)', () => {
    expect(parse('')).toEqual({ ok: true, value: {} });
    expect(parse('&&a=1&&')).toEqual({ ok: true, value: { a: '1' } });
    expect(parse('?a=1')).toEqual({ ok: true, value: { '?a': '1' } });
    expect(parse('=x')).toEqual({ ok: true, value: { '': 'x' } });
  });

  it('answers a null-prototype record', () => {
    const r = parse('a=1');
    expect(r.ok && Object.getPrototypeOf(r.value)).toBeNull();
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseFormBody(Uint8Array.from([0x61, 0x3d, 0xc3, 0x28]))).toEqual({ ok: false, reason: 'encoding' });
    expect(parseFormBody(Uint8Array.from([0x61, 0x3d, 0xed, 0xa0, 0x80]))).toEqual({ ok: false, reason: 'encoding' });
  });

  it.each([
    ['a lone continuation byte', 'a=%80'],
    ['a byte that never starts UTF-8', 'a=%FF'],
    ['a truncated sequence', 'a=%E2%82'],
    ['a truncated sequence before a real U+FFFD', 'a=%E2%82%EF%BF%BD'],
    ['a truncated sequence before a literal U+FFFD', 'a=%E2\uFFFD'],
    ['an encoded surrogate (CESU-8)', 'a=%ED%A0%80'],
    ['an overlong encoding of /', 'a=%C0%AF'],
    ['a bad byte in a name', '%FF=1'],
  ])('refuses %XX bytes that are not UTF-8: %s', (_name, text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'encoding' });
  });

  it('reads a character beside an escape as its UTF-8 bytes (where Node reads one Latin-1 byte)', () => {
    expect(parse('k=\u00e9%61')).toEqual({ ok: true, value: { k: '\u00e9a' } });
    expect(parse('k=%C3\u00a9')).toEqual({ ok: false, reason: 'encoding' });
    // Node's own URLSearchParams answers U+9A6C here.
    expect(parse('\u00e9%A9%AC=1')).toEqual({ ok: false, reason: 'encoding' });
  });

  it('keeps a U+FFFD the body spelled, literally or escaped', () => {
    expect(parse('a=%EF%BF%BD&b=%ef%bf%bd&c=\uFFFD')).toEqual({
      ok: true,
      value: { a: '\uFFFD', b: '\uFFFD', c: '\uFFFD' },
    });
  });

  it.each(['a=%', 'a=%2', 'a=%zz', 'a=100%', '%=1', 'a=%%41'])('refuses malformed percent-encoding: %s', (text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'percent_encoding' });
  });

  it.each([
    ['a=1&a=2', 'a'],
    ['a=1&a=1', 'a'],
    ['a=1&%61=2', 'a'],
    ['a+b=1&a%20b=2', 'a b'],
    ['flag&flag=', 'flag'],
    ['=1&=2', ''],
  ])('refuses a field given twice, however spelled: %s', (text, key) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'duplicate_key', key });
  });

  it.each([
    '__proto__=x',
    // `__proto__[isAdmin]` is a name like any other (forms are flat); the plain one is not.
    'a=1&__proto__[isAdmin]=1&__proto__=1',
    '%5F%5Fproto%5F%5F=x',
    'constructor=x',
    'prototype=x',
  ])('refuses the forbidden names: %s', (text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'forbidden_key' });
  });

  it('never pollutes Object.prototype', () => {
    parse('__proto__=polluted&constructor=x');
    parse('a[__proto__][polluted]=1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
