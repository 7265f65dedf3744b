import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIpv4Value, formatIp, normalizeIp, parseIp, parseIpWithOptionalPort } from './parse.js';

describe('parseIp', () => {
  it('normalizeIp answers a canonical IPv4 address with the string itself, anything else as parsed (property)', () => {
    const slow = (text: string) => {
      const ip = parseIp(text);
      return ip === undefined ? undefined : formatIp(ip);
    };
    // Mostly four decimal octets, some out of range, with a few malformed parts and tails.
    const octet = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 300 }).map(String), weight: 6 },
      { arbitrary: fc.constantFrom('00', '01', '010', '1a', '', '-1', '1000'), weight: 1 },
    );
    const nearIpv4 = fc
      .tuple(
        fc.constantFrom(3, 4, 4, 4, 4, 5).chain((n) => fc.array(octet, { minLength: n, maxLength: n })),
        fc.oneof(
          { arbitrary: fc.constant(''), weight: 6 },
          { arbitrary: fc.constantFrom(' ', '.', ':80', '/32'), weight: 1 },
        ),
      )
      .map(([parts, tail]) => parts.join('.') + tail);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), nearIpv4, fc.string({ maxLength: 16 })), (text) => {
        expect(normalizeIp(text)).toBe(slow(text));
        // The value is the address's four bytes, exactly for the strings that are their own key.
        const ip = parseIp(text);
        const canonical = ip?.version === 4 && formatIp(ip) === text;
        const bytes: readonly number[] = ip === undefined ? [] : [...ip.bytes];
        const expected = canonical ? bytes.reduce((value, byte) => value * 256 + byte, 0) : -1;
        expect(canonicalIpv4Value(text)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(canonicalIpv4Value('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(canonicalIpv4Value('0.0.0.0')).toBe(0);
    expect(canonicalIpv4Value('192.0.2.1')).toBe(0xc0000201);
    const given = ['198.51.100.', '7'].join('');
    expect(normalizeIp(given)).toBe(given);
    for (const text of ['010.0.0.1', '256.1.1.1', '1.2.3.4.5', '1.2.3', '1.2.3.04', '255.255.255.255', '0.0.0.0'])
      expect(normalizeIp(text), text).toBe(slow(text));
  });

  it('parses IPv4 strictly', () => {
    expect(normalizeIp('192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('0.0.0.0')).toBe('0.0.0.0');
    for (const bad of [
      '192.0.2',
      '192.0.2.1.5',
      '256.0.0.1',
      '01.2.3.4',
      '1.2.3.04',
      '127.1',
      '1..2.3',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '',
    ]) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it('parses IPv6 forms and formats them per RFC 5952', () => {
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::')).toBe('::');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('1:0:1:1:1:1:1:1')).toBe('1:0:1:1:1:1:1:1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    for (const bad of ['1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '::1%', '1:2:3:4:5:6:7::8:9']) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it('unwraps IPv4-mapped IPv6 to IPv4 so one client has one identity', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(parseIp('::ffff:192.0.2.1')?.version).toBe(4);
  });

  it('accepts ports and brackets as proxies write them', () => {
    expect(formatIp(parseIpWithOptionalPort('192.0.2.1:8080') ?? fail())).toBe('192.0.2.1');
    expect(formatIp(parseIpWithOptionalPort('[2001:db8::1]:443') ?? fail())).toBe('2001:db8::1');
    expect(formatIp(parseIpWithOptionalPort('[2001:db8::1]') ?? fail())).toBe('2001:db8::1');
    expect(parseIpWithOptionalPort('[2001:db8::1]:x')).toBeUndefined();
    expect(parseIpWithOptionalPort('192.0.2.1:')).toBeUndefined();
  });

  it('agrees with Node on generated IPv4 and IPv6 addresses (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const ip = parseIp(text);
        expect(ip).toBeDefined();
        const formatted = formatIp(ip as NonNullable<typeof ip>);
        // Canonical text re-parses to the same bytes and is what the URL parser produces.
        expect(parseIp(formatted)?.bytes).toEqual(ip?.bytes);
        if (ip?.version === 6) expect(`[${formatted}]`).toBe(new URL(`http://[${text}]/`).hostname);
        expect(isIP(formatted)).toBe(ip?.version);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws and only accepts what Node also calls an address (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const ip = parseIp(text);
        if (ip !== undefined) expect(isIP(text.split('%')[0] as string)).not.toBe(0);
      }),
      { numRuns: 5000 },
    );
  });
});

function fail(): never {
  throw new Error('expected an address');
}
