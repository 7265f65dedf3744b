import { ConfigError } from '../errors.js';
import { formatIp, isCanonicalIpv4, parseIp } from './parse.js';

export interface IpKeyOptions {
  /** IPv6 addresses sharing this many leading bits are one client. Default 64 (one subnet). */
  readonly ipv6Prefix?: number;
  /** IPv4 grouping. Default 32 (one address). */
  readonly ipv4Prefix?: number;
}

/**
 * Returns a function mapping an address to the key a limit should count it under. IPv6
 * clients routinely own a /64 or more, so keying on the full address would let one client
 * rotate through billions of keys.
 *
 * @example
 * ```ts
 * const key = ipKey();
 * key('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * key('::ffff:192.0.2.1')     // '192.0.2.1'
 * ```
 */
export function ipKey(options: IpKeyOptions = {}): (ip: string) => string | undefined {
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
    const ip = parseIp(text);
    if (ip === undefined) return undefined;
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
