import { ConfigError } from '../errors.js';
import { type IpAddress, parseIp } from './parse.js';

/** A network: an address and a prefix length. */
export interface Cidr {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Named ranges, as in Express's `trust proxy`, so users need not type them. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** True when the first `prefix` bits of `a` and `b` agree. */
export function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] as number) & mask) === ((b[whole] as number) & mask);
}

/** Parses `addr/prefix` or a bare address (a host route); `undefined` when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (slash === -1) return { ...ip, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // An IPv4-mapped network (::ffff:10.0.0.0/104) is unwrapped to IPv4 with its prefix.
  if (ip.version === 4 && text.includes(':')) prefix -= 96;
  if (prefix < 0 || prefix > max) return undefined;
  return { ...ip, prefix };
}

/** True when `ip` lies in `cidr`. IPv4 never matches an IPv6 network and vice versa. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.version === ip.version && samePrefix(cidr.bytes, ip.bytes, cidr.prefix);
}

/**
 * Compiles a list of CIDRs and range names (`loopback`, `linklocal`, `uniquelocal`) into a
 * predicate, throwing a ConfigError naming `option` for any malformed entry.
 *
 * @example
 * ```ts
 * const isProxy = ipMatcher(['loopback', '10.0.0.0/8'], 'trustProxy.cidrs');
 * ```
 */
export function ipMatcher(entries: readonly string[], option: string): (ip: IpAddress) => boolean {
  const cidrs: Cidr[] = [];
  for (const entry of entries) {
    const expanded = NAMED_RANGES[entry] ?? [entry];
    for (const text of expanded) {
      const cidr = parseCidr(text);
      if (cidr === undefined) throw new ConfigError(option, `"${entry}" is not an IP address, a CIDR or a range name`);
      cidrs.push(cidr);
    }
  }
  return (ip) => {
    for (const cidr of cidrs) if (cidrContains(cidr, ip)) return true;
    return false;
  };
}
