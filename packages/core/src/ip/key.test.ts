import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipMatcher, parseCidr } from './cidr.js';
import { ipKey } from './key.js';
import { canonicalIpv4Value, normalizeIp, parseIp } from './parse.js';

describe('ipKey', () => {
  it('groups IPv6 by /64 by default and keeps IPv4 whole', () => {
    const key = ipKey();
    expect(key('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(key('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(key('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(key('192.0.2.1')).toBe('192.0.2.1');
    expect(key('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(key('nope')).toBeUndefined();
  });

  it('keys IPv4 exactly as normalizeIp writes it, a canonical address as the string itself', () => {
    // normalizeIp's own property test holds it to parse-then-format; ipKey must agree.
    const key = ipKey();
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 16 })), (text) => {
        // IPv6 is grouped by /64 here; the rest keep their canonical text.
        if (!text.includes(':')) expect(key(text)).toBe(normalizeIp(text));
      }),
    );
    const given = ['198.51.100.', '7'].join('');
    expect(key(given)).toBe(given);
    for (const text of ['010.0.0.1', '256.1.1.1', '1.2.3.4.5', '1.2.3', '1.2.3.04', '255.255.255.255', '0.0.0.0'])
      expect(key(text), text).toBe(normalizeIp(text));
  });

  it('keys IPv6 forms that embed an IPv4 address as that IPv4 address (property)', () => {
    const key = ipKey();
    const word = fc.integer({ min: 0, max: 0xffff });
    const hex = (n: number) => n.toString(16);
    fc.assert(
      fc.property(fc.ipV4(), word, word, word, word, (v4, w1, w2, w3, w4) => {
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        const high = hex((a << 8) | b);
        const low = hex((c << 8) | d);
        // Teredo: server address and flags/port are free; the client's address is inverted.
        const teredo = `2001:0:${hex(w1)}:${hex(w2)}:${hex(w3)}:${hex(w4)}:${hex(((a << 8) | b) ^ 0xffff)}:${hex(((c << 8) | d) ^ 0xffff)}`;
        const forms = [
          `64:ff9b::${v4}`,
          `64:ff9b::${high}:${low}`,
          `2002:${high}:${low}:${hex(w1)}:${hex(w2)}::${hex(w3)}`,
          teredo,
        ];
        if (a !== 0) forms.push(`::${v4}`);
        for (const form of forms) expect(key(form), form).toBe(v4);
      }),
    );
    // Distinct IPv4 clients behind one translator are distinct clients, not one /64.
    expect(key('64:ff9b::192.0.2.1')).not.toBe(key('64:ff9b::192.0.2.2'));
    expect(key('::192.0.2.1')).not.toBe(key('::192.0.2.2'));
    expect(key('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('192.0.2.45');
    // One 6to4 host is one client, whatever subnet of its /48 it uses.
    expect(key('2002:c000:201:1::1')).toBe(key('2002:c000:201:ffff::1'));
    expect(ipKey({ ipv4Prefix: 24 })('64:ff9b::192.0.2.77')).toBe('192.0.2.0/24');
    // The rate-limit policy derives the memory store's IPv4 index from the key with
    // canonicalIpv4Value: a translated client lands on the plain IPv4 client's counter.
    expect(canonicalIpv4Value(key('64:ff9b::192.0.2.1') as string)).toBe(canonicalIpv4Value('192.0.2.1'));
  });

  it('keys ::1 as one host and leaves other IPv6 alone', () => {
    const key = ipKey();
    expect(key('::1')).toBe('::1');
    expect(key('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(key('::1')).not.toBe(key('::2'));
    expect(key('::')).toBe('::/64');
    expect(key('::0.0.0.2')).toBe('::/64');
    // Near misses of the embedding prefixes are ordinary IPv6.
    expect(key('64:ff9b:1::192.0.2.1')).toBe('64:ff9b:1::/64');
    expect(key('2001:1::192.0.2.1')).toBe('2001:1::/64');
    expect(key('2003:c000:201::1')).toBe('2003:c000:201::/64');
    expect(key('::ffff:0:192.0.2.1')).toBe('::/64');
  });

  it('honours configured prefixes and refuses silly ones', () => {
    expect(ipKey({ ipv6Prefix: 48 })('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
    expect(ipKey({ ipv4Prefix: 24 })('192.0.2.77')).toBe('192.0.2.0/24');
    expect(ipKey({ ipv6Prefix: 128 })('2001:db8::1')).toBe('2001:db8::1');
    expect(() => ipKey({ ipv6Prefix: 8 })).toThrow(/ipv6Prefix/);
    expect(() => ipKey({ ipv4Prefix: 33 })).toThrow(/ipv4Prefix/);
  });

  it('gives every address of one /64 the same key (property)', () => {
    const key = ipKey();
    fc.assert(
      fc.property(
        fc.ipV6(),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }),
        (ip, low) => {
          const parsed = parseIp(ip);
          if (parsed?.version !== 6) return;
          // The /64s whose low bits embed an IPv4 host (IPv4-compatible, NAT64, Teredo) are
          // keyed by that host instead (see the test above).
          const head = parsed.bytes.slice(0, 8).join('.');
          if (head === '0.0.0.0.0.0.0.0' || head === '0.100.255.155.0.0.0.0' || head.startsWith('32.1.0.0.')) return;
          const words: string[] = [];
          for (let i = 0; i < 8; i += 2)
            words.push(((parsed.bytes[i] ?? 0) * 256 + (parsed.bytes[i + 1] ?? 0)).toString(16));
          const sibling = `${words.join(':')}:${low.map((w) => w.toString(16)).join(':')}`;
          expect(key(sibling)).toBe(key(ip));
        },
      ),
    );
  });
});

describe('cidr', () => {
  it('matches networks and named ranges', () => {
    const m = ipMatcher(['loopback', '10.0.0.0/8', '2001:db8::/32'], 'x');
    const hit = (t: string) => m(parseIp(t) ?? (undefined as never));
    expect(hit('127.8.9.1')).toBe(true);
    expect(hit('::1')).toBe(true);
    expect(hit('10.255.0.1')).toBe(true);
    expect(hit('11.0.0.1')).toBe(false);
    expect(hit('2001:db8:ffff::1')).toBe(true);
    expect(hit('2001:db9::1')).toBe(false);
    expect(hit('::ffff:10.0.0.1')).toBe(true);
  });

  it('parses mapped networks and refuses bad prefixes', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ version: 4, prefix: 8 });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/-1')).toBeUndefined();
    expect(() => ipMatcher(['everything'], 'trustProxy.cidrs')).toThrow(/trustProxy.cidrs/);
  });
});
