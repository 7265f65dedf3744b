import { ConfigError } from '../errors.js';
import { checkOptions } from '../options.js';
import { ipMatcher } from './cidr.js';
import { type ChainCursor, readForwardedForHop, readForwardedHop } from './forwarded.js';
import { formatIp, type IpAddress, normalizeIp, parseIp } from './parse.js';

/**
 * Which proxies to believe. `false` (the default): none, the peer address is the client.
 * `{ hops: n }`: exactly `n` proxies stand in front of the app. `{ cidrs: [...] }`: the
 * proxies are the addresses in these networks (names `loopback`, `linklocal`,
 * `uniquelocal` allowed).
 */
export type TrustProxy = false | { readonly hops: number } | { readonly cidrs: readonly string[] };

export interface ClientIpOptions {
  readonly trustProxy?: TrustProxy | undefined;
  /** The header the trusted proxies write. Default `x-forwarded-for`. */
  readonly header?: 'x-forwarded-for' | 'forwarded' | undefined;
}

/**
 * The most hops a resolver reads from a forwarding header. `hops` cannot exceed it; with
 * `cidrs`, a walk still on trusted addresses after this many answers the last one read (a
 * client can always name a trusted address as its own, so this gives it nothing new). With
 * the per-element caps of `forwarded.ts`, at most 32 × 128 characters of
 * `X-Forwarded-For` and 32 × 512 of `Forwarded` are read, whatever the header's size.
 */
export const MAX_FORWARDING_HOPS = 32;

/** Resolves the client address from the peer address and the request headers. */
export type ClientIpResolver = (
  peerAddress: string | undefined,
  header: (name: string) => string | undefined,
) => string | undefined;

/** The keys of {@link ClientIpOptions}, for an adapter whose options add its own to them. */
export const CLIENT_IP_OPTION_KEYS: readonly string[] = Object.freeze(['trustProxy', 'header']);

function validate(
  options: ClientIpOptions,
  known: readonly string[],
): {
  hops?: number;
  isTrusted?: (ip: IpAddress) => boolean;
  header: 'x-forwarded-for' | 'forwarded';
} {
  checkOptions(options, known);
  const header = options.header ?? 'x-forwarded-for';
  if (header !== 'x-forwarded-for' && header !== 'forwarded') {
    throw new ConfigError('header', 'must be "x-forwarded-for" or "forwarded"');
  }
  const trust = options.trustProxy ?? false;
  if (trust === false) return { header };
  if ((trust as unknown) === true) {
    throw new ConfigError('trustProxy', 'true would let any client choose its own IP; give { hops } or { cidrs }');
  }
  if (typeof trust !== 'object' || trust === null) {
    throw new ConfigError('trustProxy', 'expected false, { hops: number } or { cidrs: string[] }');
  }
  if ('hops' in trust && 'cidrs' in trust) {
    throw new ConfigError('trustProxy', 'give { hops } or { cidrs }, not both');
  }
  if ('hops' in trust) {
    checkOptions(trust, ['hops'], 'trustProxy');
    if (!Number.isSafeInteger(trust.hops) || trust.hops < 1 || trust.hops > MAX_FORWARDING_HOPS) {
      throw new ConfigError('trustProxy.hops', 'expected an integer from 1 to 32');
    }
    return { header, hops: trust.hops };
  }
  if ('cidrs' in trust && Array.isArray(trust.cidrs)) {
    checkOptions(trust, ['cidrs'], 'trustProxy');
    if (trust.cidrs.length === 0)
      throw new ConfigError('trustProxy.cidrs', 'must not be empty; use false to trust none');
    return { header, isTrusted: ipMatcher(trust.cidrs, 'trustProxy.cidrs') };
  }
  // `{ hop: 1 }`, `{ cidr: [...] }`: name the typo rather than the shape.
  if (!Array.isArray(trust) && !('cidrs' in trust)) checkOptions(trust, ['hops', 'cidrs'], 'trustProxy');
  throw new ConfigError('trustProxy', 'expected false, { hops: number } or { cidrs: string[] }');
}

/**
 * Compiles trust-proxy options into a resolver. A spoofed `X-Forwarded-For` from an
 * untrusted peer changes nothing; a malformed entry stops the walk at the last address we
 * could trust (it is never skipped, which would let a client pick its address). The header
 * is read from the right, hop by hop, and no further than the trust rule needs (at most
 * {@link MAX_FORWARDING_HOPS} hops), so the work per request is bounded whatever its size.
 *
 * @example
 * ```ts
 * const resolve = clientIpResolver({ trustProxy: { cidrs: ['loopback', '10.0.0.0/8'] } });
 * resolve('10.0.0.7', (h) => (h === 'x-forwarded-for' ? '203.0.113.9' : undefined)); // '203.0.113.9'
 * ```
 *
 * Unknown keys are refused (a `ConfigError` naming them). An adapter whose options add
 * keys of its own to these names them in `adapterKeys`, so they are not taken for typos.
 */
export function clientIpResolver(options: ClientIpOptions = {}, adapterKeys: readonly string[] = []): ClientIpResolver {
  const { hops, isTrusted, header } = validate(
    options,
    adapterKeys.length === 0 ? CLIENT_IP_OPTION_KEYS : [...CLIENT_IP_OPTION_KEYS, ...adapterKeys],
  );
  const readHop = header === 'forwarded' ? readForwardedHop : readForwardedForHop;

  return function resolveClientIp(peerAddress, getHeader) {
    if (peerAddress === undefined) return undefined;
    // No proxy trusted, or no header to walk: the peer. `normalizeIp` hands back a
    // canonical IPv4 address as the very string given, and Node gives one address string
    // per socket, so a client on a kept-alive connection brings a key already hashed.
    if (hops === undefined && isTrusted === undefined) return normalizeIp(peerAddress);
    const value = getHeader(header);
    if (value === undefined || value === '') return normalizeIp(peerAddress);
    const peer = parseIp(peerAddress);
    if (peer === undefined) return undefined;
    // From the right, one element at a time, only as far as the trust rule goes: what a
    // client wrote left of the last trusted hop is never read, so its size costs nothing
    // and a malformed part of it cannot disturb the elements the proxies appended.
    const cursor: ChainCursor = { end: value.length };
    let current = peer;
    for (let hop = 0; hop < MAX_FORWARDING_HOPS && cursor.end >= 0; hop++) {
      const trusted = hops !== undefined ? hop < hops : (isTrusted as (ip: IpAddress) => boolean)(current);
      if (!trusted) break;
      const next = readHop(value, cursor);
      if (next === undefined) break;
      current = next;
    }
    return formatIp(current);
  };
}
