import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { forwardedChain, forwardedForChain } from './forwarded.js';
import { formatIp } from './parse.js';
import { clientIpResolver } from './trust-proxy.js';

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('clientIpResolver', () => {
  it('ignores X-Forwarded-For by default (no proxy trusted)', () => {
    const resolve = clientIpResolver();
    expect(resolve('203.0.113.5', headers({ 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.5');
  });

  it('never lets an untrusted peer choose its address (property)', () => {
    const resolve = clientIpResolver({ trustProxy: { cidrs: ['10.0.0.0/8'] } });
    fc.assert(
      fc.property(
        fc.ipV4().filter((ip) => !ip.startsWith('10.')),
        fc.string({ maxLength: 200 }),
        (peer, xff) => {
          expect(resolve(peer, headers({ 'x-forwarded-for': xff }))).toBe(peer);
        },
      ),
    );
  });

  it('walks trusted CIDRs from the right and stops at the first untrusted hop', () => {
    const resolve = clientIpResolver({ trustProxy: { cidrs: ['loopback', '10.0.0.0/8'] } });
    const xff = '6.6.6.6, 203.0.113.9, 10.0.0.2';
    expect(resolve('127.0.0.1', headers({ 'x-forwarded-for': xff }))).toBe('203.0.113.9');
    expect(resolve('::ffff:127.0.0.1', headers({ 'x-forwarded-for': xff }))).toBe('203.0.113.9');
    // Everything trusted: the left-most address is the client.
    expect(resolve('127.0.0.1', headers({ 'x-forwarded-for': '10.1.1.1, 10.0.0.2' }))).toBe('10.1.1.1');
  });

  it('stops at a malformed entry instead of skipping it', () => {
    const resolve = clientIpResolver({ trustProxy: { cidrs: ['loopback'] } });
    expect(resolve('127.0.0.1', headers({ 'x-forwarded-for': '6.6.6.6, garbage' }))).toBe('127.0.0.1');
  });

  it('counts hops from the right', () => {
    const one = clientIpResolver({ trustProxy: { hops: 1 } });
    const two = clientIpResolver({ trustProxy: { hops: 2 } });
    const xff = '6.6.6.6, 203.0.113.9, 198.51.100.1';
    expect(one('10.0.0.1', headers({ 'x-forwarded-for': xff }))).toBe('198.51.100.1');
    expect(two('10.0.0.1', headers({ 'x-forwarded-for': xff }))).toBe('203.0.113.9');
    expect(two('10.0.0.1', headers({}))).toBe('10.0.0.1');
  });

  it('reads RFC 7239 Forwarded when told to', () => {
    const resolve = clientIpResolver({ trustProxy: { hops: 1 }, header: 'forwarded' });
    const value = 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;by=203.0.113.43';
    expect(resolve('10.0.0.1', headers({ forwarded: value }))).toBe('2001:db8:cafe::17');
    expect(resolve('10.0.0.1', headers({ forwarded: 'for=unknown' }))).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', headers({ forwarded: 'for=_hidden' }))).toBe('10.0.0.1');
  });

  it('returns undefined without a peer address', () => {
    expect(clientIpResolver()(undefined, headers({}))).toBeUndefined();
    expect(clientIpResolver()('/tmp/socket', headers({}))).toBeUndefined();
  });

  it('refuses insecure or malformed options with ConfigError naming the option', () => {
    expect(() => clientIpResolver({ trustProxy: true as never })).toThrow(/trustProxy/);
    expect(() => clientIpResolver({ trustProxy: { hops: 0 } })).toThrow(ConfigError);
    expect(() => clientIpResolver({ trustProxy: { cidrs: ['10.0.0.0/33'] } })).toThrow(/trustProxy.cidrs/);
    expect(() => clientIpResolver({ trustProxy: { cidrs: [] } })).toThrow(/trustProxy.cidrs/);
    expect(() => clientIpResolver({ header: 'x-real-ip' as never })).toThrow(/header/);
  });
});

describe('forwarded header parsers', () => {
  it('honours quoted strings in Forwarded', () => {
    const chain = forwardedChain('for="1.2.3.4";by="a,b;c", for=5.6.7.8');
    expect(chain.map((ip) => ip && formatIp(ip))).toEqual(['5.6.7.8', '1.2.3.4']);
    expect(forwardedChain('for="1.2.3.4')).toEqual([undefined]);
  });

  it('never throws on arbitrary input, and stops at the first entry that is no address (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (value) => {
        for (const chain of [forwardedChain(value), forwardedForChain(value)]) {
          expect(chain.length).toBeGreaterThan(0);
          expect(chain.slice(0, -1)).not.toContain(undefined);
        }
        expect(forwardedForChain(value).length).toBeLessThanOrEqual(value.split(',').length);
      }),
      { numRuns: 3000 },
    );
  });

  it('parses generated Forwarded lists of valid addresses (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { minLength: 1, maxLength: 10 }), (ips) => {
        const value = ips.map((ip) => `for=${ip};proto=https`).join(', ');
        expect(forwardedChain(value).map((ip) => ip && formatIp(ip))).toEqual([...ips].reverse());
      }),
    );
  });
});
