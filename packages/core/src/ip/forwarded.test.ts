import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardedChain, MAX_FORWARDED_ELEMENT, MAX_FORWARDED_FOR_ENTRY } from './forwarded.js';
import { formatIp, parseIp } from './parse.js';
import { clientIpResolver, MAX_FORWARDING_HOPS } from './trust-proxy.js';

const headers = (values: Record<string, string>) => (name: string) => values[name];

/** Anything a client may send, biased towards the characters that structure the header. */
const clientPrefix = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom('"', '\\', ',', ';', '=', ' ', 'for', '=', '1.2.3.4', '[', ']', ':', 'by', '_x'),
    maxLength: 30,
  }),
);

/** What a proxy writes for the address it received a request from, as RFC 7239 allows. */
const forValue = (ip: string, port: number | undefined): string => {
  const v6 = ip.includes(':');
  if (!v6 && port === undefined) return ip;
  return `"${v6 ? `[${ip}]` : ip}${port === undefined ? '' : `:${port}`}"`;
};
const quotedOrToken = fc.oneof(
  fc.constantFrom('https', 'http', '_proxy1', 'unknown'),
  fc
    .string({ unit: fc.constantFrom('a', ',', ';', '"', '\\', ' ', '='), maxLength: 12 })
    .map((text) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`),
);
const proxyElement = fc
  .record({
    ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    extra: fc.array(fc.tuple(fc.constantFrom('proto', 'by', 'host'), quotedOrToken), { maxLength: 3 }),
    forFirst: fc.boolean(),
  })
  .map(({ ip, port, extra, forFirst }) => {
    const pairs = extra.map(([name, value]) => `${name}=${value}`);
    const own = `for=${forValue(ip, port)}`;
    return { ip, text: (forFirst ? [own, ...pairs] : [...pairs, own]).join(';') };
  });
/** A proxy appends to the client's field, or adds a field line that Node and Fetch join with ", ". */
const separator = fc.constantFrom(', ', ',', ' , ');
const canonical = (ip: string) => formatIp(parseIp(ip) as never);

describe('Forwarded: a client cannot reach the elements trusted proxies appended', () => {
  it('does not let an unterminated quote swallow the element the proxy appended', () => {
    const value = 'for="6.6.6.6, for=203.0.113.9';
    const cidrs = clientIpResolver({ trustProxy: { cidrs: ['loopback'] }, header: 'forwarded' });
    const hops = clientIpResolver({ trustProxy: { hops: 1 }, header: 'forwarded' });
    expect(cidrs('127.0.0.1', headers({ forwarded: value }))).toBe('203.0.113.9');
    expect(hops('10.0.0.1', headers({ forwarded: value }))).toBe('203.0.113.9');
    // The same with an escaped quote, and in a second field line.
    expect(hops('10.0.0.1', headers({ forwarded: 'for="\\", for=203.0.113.9' }))).toBe('203.0.113.9');
    expect(hops('10.0.0.1', headers({ forwarded: 'for="[::1, for="[2001:db8::1]:80"' }))).toBe('2001:db8::1');
  });

  it('reads the appended elements exactly, whatever the client sent before them (property)', () => {
    fc.assert(
      fc.property(
        clientPrefix,
        fc.array(proxyElement, { minLength: 1, maxLength: 4 }),
        separator,
        (prefix, appended, sep) => {
          const value = [...(prefix === '' ? [] : [prefix]), ...appended.map((e) => e.text)].join(sep);
          const chain = forwardedChain(value);
          const expected = [...appended].reverse().map((e) => canonical(e.ip));
          expect(chain.slice(0, appended.length).map((ip) => ip && formatIp(ip))).toEqual(expected);
          // With `hops`, the left-most appended element is the client, not the prefix.
          const resolve = clientIpResolver({ trustProxy: { hops: appended.length }, header: 'forwarded' });
          expect(resolve('10.0.0.1', headers({ forwarded: value }))).toBe(expected[expected.length - 1]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('stops at the client with trusted CIDRs, whatever the client sent (property)', () => {
    const resolve = clientIpResolver({ trustProxy: { cidrs: ['10.0.0.0/8'] }, header: 'forwarded' });
    fc.assert(
      fc.property(
        clientPrefix,
        fc.ipV4().filter((ip) => !ip.startsWith('10.')),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
        separator,
        (prefix, client, proxies, sep) => {
          // The outermost proxy wrote the client; each further proxy wrote the one before it.
          const elements = [`for=${client};proto=https`, ...proxies.map((n) => `for=10.0.0.${n}`)];
          const value = [...(prefix === '' ? [] : [prefix]), ...elements].join(sep);
          expect(resolve('10.9.9.9', headers({ forwarded: value }))).toBe(client);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses malformed elements instead of guessing', () => {
    const chainOf = (value: string) => forwardedChain(value).map((ip) => ip && formatIp(ip));
    for (const bad of [
      'for=1.2.3.4;for=5.6.7.8',
      'for=1.2.3.4;',
      'for',
      'for=',
      'for=1.2.3.4 5.6.7.8',
      '=1.2.3.4',
      'for="1.2.3.4"x',
      'for=1.2.3.4;by',
      '',
      '   ',
    ])
      expect(chainOf(bad), bad).toEqual([undefined]);
    expect(chainOf('For=1.2.3.4 ; Proto=https')).toEqual(['1.2.3.4']);
    expect(chainOf('for="\\1.2.3.4"')).toEqual(['1.2.3.4']);
    expect(chainOf('proto=https;for=[2001:db8::1]:443')).toEqual(['2001:db8::1']);
  });
});

describe('the forwarding walk is bounded', () => {
  /** A header value that counts the characters a parser looks at. */
  function counted(text: string): { value: string; reads: () => number } {
    let reads = 0;
    const value = {
      length: text.length,
      charCodeAt(i: number) {
        reads++;
        return text.charCodeAt(i);
      },
      slice(start: number, end: number) {
        reads += end - start;
        return text.slice(start, end);
      },
    };
    return { value: value as unknown as string, reads: () => reads };
  }
  const entries = (n: number, address: (i: number) => string) => Array.from({ length: n }, (_, i) => address(i));
  const huge = entries(2000, (i) => `203.0.${i >> 8}.${i & 255}`); // about 25,000 characters

  it('reads only the hops the trust rule needs, not the whole header', () => {
    for (const [header, text] of [
      ['x-forwarded-for', huge.join(', ')],
      ['forwarded', huge.map((ip) => `for=${ip}`).join(', ')],
    ] as const) {
      for (const trustProxy of [{ hops: 2 }, { cidrs: ['10.0.0.0/8'] }]) {
        const { value, reads } = counted(text);
        const resolve = clientIpResolver({ trustProxy, header });
        const expected = 'hops' in trustProxy ? huge[huge.length - 2] : huge[huge.length - 1];
        expect(resolve('10.0.0.1', headers({ [header]: value }))).toBe(expected);
        expect(reads(), `${header} ${JSON.stringify(trustProxy)}`).toBeLessThan(200);
      }
    }
  });

  it(`stops after ${MAX_FORWARDING_HOPS} trusted hops and reads a bounded number of characters`, () => {
    const trusted = entries(2000, (i) => `10.0.${i >> 8}.${i & 255}`);
    for (const [header, text, perHop] of [
      ['x-forwarded-for', trusted.join(', '), MAX_FORWARDED_FOR_ENTRY],
      ['forwarded', trusted.map((ip) => `for=${ip}`).join(', '), MAX_FORWARDED_ELEMENT],
    ] as const) {
      const { value, reads } = counted(text);
      const resolve = clientIpResolver({ trustProxy: { cidrs: ['10.0.0.0/8'] }, header });
      // Every hop is trusted: the walk ends on the 32nd from the right, not the left-most.
      expect(resolve('10.255.0.1', headers({ [header]: value }))).toBe(trusted[trusted.length - MAX_FORWARDING_HOPS]);
      expect(reads()).toBeLessThanOrEqual(MAX_FORWARDING_HOPS * 2 * (perHop + 1));
      expect(reads()).toBeLessThan(2000);
    }
  });

  it('treats an over-long element as malformed and final', () => {
    const xff = clientIpResolver({ trustProxy: { hops: 2 } });
    const fwd = clientIpResolver({ trustProxy: { hops: 2 }, header: 'forwarded' });
    const padded = `${' '.repeat(MAX_FORWARDED_FOR_ENTRY)}198.51.100.7`;
    expect(xff('10.0.0.1', headers({ 'x-forwarded-for': `${padded}, 203.0.113.9` }))).toBe('203.0.113.9');
    const host = `host="${'a'.repeat(MAX_FORWARDED_ELEMENT)}"`;
    expect(fwd('10.0.0.1', headers({ forwarded: `for=198.51.100.7;${host}, for=203.0.113.9` }))).toBe('203.0.113.9');
    // Just inside the bounds, both are read.
    const fits = `${' '.repeat(MAX_FORWARDED_FOR_ENTRY - 13)}198.51.100.7`;
    expect(xff('10.0.0.1', headers({ 'x-forwarded-for': `${fits}, 203.0.113.9` }))).toBe('198.51.100.7');
    const fitsHost = `host="${'a'.repeat(MAX_FORWARDED_ELEMENT - 'for=198.51.100.7;host=""'.length)}"`;
    expect(fwd('10.0.0.1', headers({ forwarded: `for=198.51.100.7;${fitsHost}, for=203.0.113.9` }))).toBe(
      '198.51.100.7',
    );
  });
});
