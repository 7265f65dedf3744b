import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOriginHeader, serializeOrigin } from './origin.js';
import { checkRequestHeaders, MAX_EMPTY_ELEMENTS } from './request-headers.js';

const allowed = new Set(['content-type', 'x-request-id', 'authorization']);

/**
 * A slow, obviously-correct reference for the one-pass checker: split on commas, trim OWS,
 * ignore up to MAX_EMPTY_ELEMENTS empty elements (RFC 9110 §5.6.1.2), check the rest.
 */
function reference(value: string): 'ok' | 'bad' {
  if (value.replace(/[ \t]/g, '') === '') return 'ok';
  const all = value.split(',').map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (all.filter((p) => p === '').length > MAX_EMPTY_ELEMENTS) return 'bad';
  const parts = all.filter((p) => p !== '');
  if (parts.some((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))) return 'bad';
  if (parts.some((p) => !allowed.has(p.toLowerCase())) || parts.length > allowed.size) return 'bad';
  return 'ok';
}

describe('checkRequestHeaders', () => {
  it('accepts browser-style and spaced lists', () => {
    expect(checkRequestHeaders('content-type,x-request-id', allowed, 3)).toEqual({
      ok: true,
      names: 'content-type,x-request-id',
    });
    expect(checkRequestHeaders(' Content-Type , X-Request-Id ', allowed, 3)).toEqual({
      ok: true,
      names: 'content-type,x-request-id',
    });
    expect(checkRequestHeaders('', allowed, 3)).toEqual({ ok: true, names: '' });
  });

  it('agrees with a reference implementation (property)', () => {
    const piece = fc.constantFrom(
      'content-type',
      'X-Request-Id',
      'authorization',
      'x-evil',
      ' ',
      ',',
      '\t',
      'a b',
      'é',
      '',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const value = pieces.join('');
        expect(checkRequestHeaders(value, allowed, allowed.size).ok ? 'ok' : 'bad').toBe(reference(value));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('checkRequestHeaders: empty list elements (RFC 9110 §5.6.1.2)', () => {
  it('ignores up to MAX_EMPTY_ELEMENTS empty or blank elements and refuses more', () => {
    expect(checkRequestHeaders(',,authorization,,', allowed, 3)).toEqual({ ok: true, names: 'authorization' });
    expect(checkRequestHeaders(' , content-type ,\t,x-request-id', allowed, 3)).toEqual({
      ok: true,
      names: 'content-type,x-request-id',
    });
    expect(checkRequestHeaders(',', allowed, 3)).toEqual({ ok: true, names: '' });
    expect(MAX_EMPTY_ELEMENTS).toBe(16);
    expect(checkRequestHeaders(`authorization${','.repeat(16)}`, allowed, 3).ok).toBe(true);
    expect(checkRequestHeaders(`authorization${','.repeat(17)}`, allowed, 3)).toEqual({
      ok: false,
      reason: 'headers_malformed',
    });
    // A long run of commas is refused at the 17th, without scanning names or allocating.
    expect(checkRequestHeaders(','.repeat(100_000), allowed, 3).ok).toBe(false);
  });

  it('agrees with the reference on lists with many empty elements (property)', () => {
    const element = fc.constantFrom('content-type', 'authorization', 'x-evil', '', ' ', '\t', ' x-request-id ');
    fc.assert(
      fc.property(fc.array(element, { maxLength: 30 }), (elements) => {
        const value = elements.join(',');
        expect(checkRequestHeaders(value, allowed, allowed.size).ok ? 'ok' : 'bad', value).toBe(reference(value));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseOriginHeader', () => {
  it('accepts canonical origins only', () => {
    expect(parseOriginHeader('https://a.example')).toEqual({ scheme: 'https', host: 'a.example', port: '' });
    expect(parseOriginHeader('http://[::1]:3000')).toEqual({ scheme: 'http', host: '[::1]', port: '3000' });
    expect(parseOriginHeader('http://127.0.0.1:8080')).toEqual({ scheme: 'http', host: '127.0.0.1', port: '8080' });
    for (const bad of [
      'null',
      'https://A.example',
      'https://a.example:443',
      'https://a.example/',
      'https://a.example:0',
      'https://a.example:01',
      'https://[::0001]',
      'file://',
      'https://a..example',
      'https://a.example.',
      'https://a_b!.example',
      'http://0x7f000001',
      'https://example.0x1f',
      'http://a.0x',
      `https://${'a.'.repeat(126)}ab`,
      'https://a.example:99999',
      'https://1.2.3',
      'https://',
    ]) {
      expect(parseOriginHeader(bad), bad).toBeUndefined();
    }
  });

  it('accepts a host exactly when the URL parser keeps it as written, within its grammar (property)', () => {
    const host = fc.string({ unit: fc.constantFrom('a', 'x', '0', '1', 'f', '-', '_', '.', '!'), maxLength: 24 });
    fc.assert(
      fc.property(host, fc.boolean(), fc.boolean(), (text, long, dotted) => {
        const name = `${long ? 'a'.repeat(64) : ''}${text}${dotted ? '.example' : ''}`;
        const origin = `https://${name}`;
        let kept = false;
        try {
          kept = new URL(origin).origin === origin;
        } catch {}
        // A dotted quad is an address (parsed by normalizeIp, tested above), not a name.
        if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return;
        // Our grammar on top of the URL standard's: no "!", no empty label, at most 253 octets.
        const expected = kept && name.length <= 253 && /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name);
        expect(parseOriginHeader(origin) !== undefined, origin).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips what it accepts and agrees with the URL parser (property)', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'] }), (url) => {
        const origin = new URL(url).origin;
        const parsed = parseOriginHeader(origin);
        if (parsed !== undefined) expect(serializeOrigin(parsed)).toBe(origin);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const parsed = parseOriginHeader(text);
        if (parsed !== undefined) expect(serializeOrigin(parsed)).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });
});
