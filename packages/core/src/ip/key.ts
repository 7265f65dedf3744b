import { ConfigError } from '../errors.js';
import { checkOptions } from '../options.js';
import { formatIp, type IpAddress, isCanonicalIpv4, parseIp } from './parse.js';

export interface IpKeyOptions {
  /** IPv6 addresses sharing this many leading bits are one client. Default 64 (one subnet). */
  readonly ipv6Prefix?: number | undefined;
  /** IPv4 grouping. Default 32 (one address). */
  readonly ipv4Prefix?: number | undefined;
}

const allZero = (bytes: Uint8Array, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
};

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the forms that embed one
 * at a known place: then the IPv4 host, not the IPv6 prefix, is the client.
 *
 * - NAT64 well-known prefix `64:ff9b::/96` (RFC 6052): a translator (SIIT-DC, NAT46)
 *   shows every IPv4 client to an IPv6-only server under this one /96; grouped by /64 they
 *   would all share one bucket.
 * - IPv4-compatible `::a.b.c.d` (RFC 4291, deprecated): the same, for `::/96`. Addresses
 *   whose IPv4 part lies in `0.0.0.0/8` (`::`, `::1`, ...) are not IPv4 hosts and are left.
 * - 6to4 `2002:aabb:ccdd::/48` (RFC 3056): one IPv4 host owns a whole /48, which is 65,536
 *   /64 buckets.
 * - Teredo `2001:0::/32` (RFC 4380): the /64 is the Teredo server's, shared by all its
 *   clients; the client's own public IPv4 address is in the last 32 bits, inverted.
 *
 * IPv4-mapped `::ffff:a.b.c.d` never gets here: `parseIp` unwraps it. Other translation
 * prefixes (the local-use `64:ff9b:1::/48`, an operator's own NAT64 prefix) cannot be
 * recognised from the address and stay grouped by the IPv6 prefix.
 */
function embeddedIpv4(b: Uint8Array): Uint8Array | undefined {
  const w0 = ((b[0] as number) << 8) | (b[1] as number);
  const w1 = ((b[2] as number) << 8) | (b[3] as number);
  if (w0 === 0x0064 && w1 === 0xff9b && allZero(b, 4, 12)) return b.slice(12);
  if (allZero(b, 0, 12) && b[12] !== 0) return b.slice(12);
  if (w0 === 0x2002) return b.slice(2, 6);
  if (w0 === 0x2001 && w1 === 0x0000) return b.slice(12).map((byte) => byte ^ 0xff);
  return undefined;
}

const isIpv6Loopback = (b: Uint8Array): boolean => allZero(b, 0, 15) && b[15] === 1;

/**
 * The address a limit counts: the embedded IPv4 host of the forms above, else the address.
 * `::1` is answered as itself by the caller: one host, not the `::/64` of the odd
 * `::0.x.y.z` forms.
 */
function countedAddress(ip: IpAddress): IpAddress {
  if (ip.version === 4) return ip;
  const v4 = embeddedIpv4(ip.bytes);
  return v4 === undefined ? ip : { version: 4, bytes: v4 };
}

/**
 * Returns a function mapping an address to the key a limit should count it under. IPv6
 * clients routinely own a /64 or more, so keying on the full address would let one client
 * rotate through billions of keys. IPv6 forms that embed an IPv4 address (NAT64
 * `64:ff9b::/96`, IPv4-compatible `::a.b.c.d`, 6to4 `2002::/16`, Teredo `2001::/32`) are
 * keyed as that IPv4 address, exactly as the IPv4 client itself would be, so they share
 * its counter; `::1` is keyed as `::1`.
 *
 * @example
 * ```ts
 * const key = ipKey();
 * key('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * key('::ffff:192.0.2.1')     // '192.0.2.1'
 * key('64:ff9b::192.0.2.1')   // '192.0.2.1' (NAT64)
 * key('2002:c000:201:7::1')   // '192.0.2.1' (6to4)
 * ```
 */
export function ipKey(options: IpKeyOptions = {}): (ip: string) => string | undefined {
  checkOptions(options, ['ipv6Prefix', 'ipv4Prefix']);
  const v6 = options.ipv6Prefix ?? 64;
  const v4 = options.ipv4Prefix ?? 32;
  if (!Number.isSafeInteger(v6) || v6 < 16 || v6 > 128)
    throw new ConfigError('ipv6Prefix', 'expected an integer from 16 to 128');
  if (!Number.isSafeInteger(v4) || v4 < 8 || v4 > 32)
    throw new ConfigError('ipv4Prefix', 'expected an integer from 8 to 32');

  return function keyForIp(text) {
    // The commonest case, answered with the very string given: no parse, no new string.
    // A socket's address is one string per connection in Node, so a client on a kept-alive
    // connection brings a key whose hash is already computed.
    if (v4 === 32 && isCanonicalIpv4(text)) return text;
    const parsed = parseIp(text);
    if (parsed === undefined) return undefined;
    if (parsed.version === 6 && isIpv6Loopback(parsed.bytes)) return '::1';
    const ip = countedAddress(parsed);
    const prefix = ip.version === 6 ? v6 : v4;
    const max = ip.version === 6 ? 128 : 32;
    if (prefix === max) return formatIp(ip);
    const masked = ip.bytes.slice();
    for (let bit = prefix; bit < max; bit++) {
      const index = bit >> 3;
      masked[index] = (masked[index] as number) & ~(0x80 >> (bit & 7));
    }
    return `${formatIp({ version: ip.version, bytes: masked })}/${prefix}`;
  };
}
