import {
  type Clock,
  ConfigError,
  checkOptions,
  type Duration,
  type EventSink,
  emitEvent,
  systemClock,
} from '@bulwark/core';
import type { SigningAlgorithm, VerificationKey, VerificationKeySource } from '../keys.js';
import { parseAge, parseCacheControl } from './cache-control.js';
import { fetchSet, JwksFetchFailure } from './fetch-set.js';
import { type ImportedSet, InvalidSetError, importSet } from './import-set.js';
import { checkAlgorithms, checkUrl, count, positive } from './options.js';

export interface RemoteJwksOptions {
  /** The algorithms accepted (each key must carry one of them in `alg`). Default: every asymmetric one Bulwark knows; symmetric ones are refused. */
  readonly algorithms?: readonly SigningAlgorithm[] | undefined;
  /** Allow a plain `http:` URL to a loopback host (127.0.0.0/8, ::1, localhost), for tests. Default false. */
  readonly allowHttpLoopback?: boolean | undefined;
  /** The whole fetch, headers and body. Default `5s`. */
  readonly timeout?: Duration | undefined;
  /** The largest response body. Default 65536 bytes. */
  readonly maxBytes?: number | undefined;
  /** The most keys a set may hold (more: the response is refused). Default 100. */
  readonly maxKeys?: number | undefined;
  /** The response's `max-age` (minus `Age`) is kept within these bounds. Defaults `1m` and `1d`. */
  readonly minTtl?: Duration | undefined;
  readonly maxTtl?: Duration | undefined;
  /** The lifetime of a response without `max-age`. Default `10m`. */
  readonly defaultTtl?: Duration | undefined;
  /**
   * After expiry, keys keep answering for this long while one background fetch refreshes
   * them. Default `1h`; a response's own `stale-while-revalidate` may only shorten it.
   */
  readonly staleWhileRevalidate?: Duration | undefined;
  /**
   * After expiry, when fetching fails, keys keep answering for this long (with an event).
   * Default `1d`; a response's own `stale-if-error` may only shorten it.
   */
  readonly staleIfError?: Duration | undefined;
  /**
   * The least time between two fetches not due to expiry: for a `kid` not in the set (a
   * key the issuer just added, or a flood of made-up kids) and after a failed fetch. Default `30s`.
   */
  readonly cooldown?: Duration | undefined;
  /** The fetch to use. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
}

const KEYS = [
  'algorithms',
  'allowHttpLoopback',
  'timeout',
  'maxBytes',
  'maxKeys',
  'minTtl',
  'maxTtl',
  'defaultTtl',
  'staleWhileRevalidate',
  'staleIfError',
  'cooldown',
  'fetch',
  'onEvent',
  'clock',
];

interface Cached {
  readonly set: ImportedSet;
  readonly freshUntil: number;
  readonly revalidateUntil: number;
  readonly errorUntil: number;
}

/**
 * The keys of another issuer, from its JWK Set URL, for `accessTokenVerifier({ keys })`.
 * Fetched on first use, cached within bounds of the response's `Cache-Control`, refreshed
 * in the background while stale (stale-while-revalidate) and served through the issuer's
 * outages for a while (stale-if-error). Concurrent lookups share one fetch; a `kid` not in
 * the set refetches at most once per `cooldown`, so a flood of made-up kids cannot turn
 * into a flood of fetches. Each key is imported once and bound to its own `alg`; symmetric
 * keys and keys without an allowed `alg` are skipped, each with a `jwks.key_skipped` event.
 *
 * @example
 * ```ts
 * const partnerKeys = remoteJwks('https://login.partner.example/.well-known/jwks.json', {
 *   algorithms: ['RS256', 'ES256'],
 *   timeout: '2s',
 *   onEvent: jsonLinesSink(),
 * });
 * const key = await partnerKeys.key('2024-06-key'); // VerificationKey | undefined
 * ```
 */
export function remoteJwks(url: string | URL, options: RemoteJwksOptions = {}): VerificationKeySource {
  checkOptions(options, KEYS);
  if (options.allowHttpLoopback !== undefined && typeof options.allowHttpLoopback !== 'boolean') {
    throw new ConfigError('allowHttpLoopback', 'expected a boolean');
  }
  const target = checkUrl(url, options.allowHttpLoopback === true);
  const href = target.href;
  const label = `${target.origin}${target.pathname}`;
  const allowed = checkAlgorithms(options.algorithms);
  const timeoutMs = positive(options.timeout, '5s', 'timeout');
  const maxBytes = count(options.maxBytes, 65_536, 'maxBytes', 16 * 1024 * 1024);
  const maxKeys = count(options.maxKeys, 100, 'maxKeys', 10_000);
  const minTtl = positive(options.minTtl, '1m', 'minTtl');
  const maxTtl = positive(options.maxTtl, '1d', 'maxTtl');
  if (maxTtl < minTtl) throw new ConfigError('maxTtl', 'must be at least minTtl');
  const defaultTtl = positive(options.defaultTtl, '10m', 'defaultTtl');
  if (defaultTtl < minTtl || defaultTtl > maxTtl) throw new ConfigError('defaultTtl', 'must lie within minTtl..maxTtl');
  const revalidateMs = positive(options.staleWhileRevalidate, '1h', 'staleWhileRevalidate');
  const errorMs = positive(options.staleIfError, '1d', 'staleIfError');
  const cooldown = positive(options.cooldown, '30s', 'cooldown');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new ConfigError('fetch', 'no fetch available: pass one');
  const clock = options.clock ?? systemClock;

  let cached: Cached | undefined;
  let inflight: Promise<Cached | undefined> | undefined;
  /** When the last fetch started, and when the last one failed (both local clock ms). */
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastFailure = Number.NEGATIVE_INFINITY;

  async function load(): Promise<Cached> {
    const fetched = await fetchSet(href, { timeoutMs, maxBytes, fetch: fetchImpl });
    const set = await importSet(fetched.json, allowed, maxKeys, cached?.set.byIdentity ?? new Map(), (skipped) =>
      emitEvent(options.onEvent, {
        type: 'jwks.key_skipped',
        at: clock.now(),
        url: label,
        ...(skipped.kid === undefined ? {} : { kid: skipped.kid }),
        reason: skipped.reason,
      }),
    );
    const directives = parseCacheControl(fetched.cacheControl);
    const age = parseAge(fetched.age) * 1000;
    const ttl =
      directives.maxAge === undefined ? defaultTtl : Math.min(maxTtl, Math.max(minTtl, directives.maxAge * 1000 - age));
    const shorter = (seconds: number | undefined, limit: number) =>
      seconds === undefined ? limit : Math.min(limit, seconds * 1000);
    const now = clock.now();
    return {
      set,
      freshUntil: now + ttl,
      revalidateUntil: now + ttl + shorter(directives.staleWhileRevalidate, revalidateMs),
      errorUntil: now + ttl + shorter(directives.staleIfError, errorMs),
    };
  }

  /** One fetch at a time; its failure answers the stale-if-error set or nothing, with an event. */
  function refetch(): Promise<Cached | undefined> {
    if (inflight !== undefined) return inflight;
    lastStart = clock.now();
    const run = load().then(
      (loaded) => {
        cached = loaded;
        return loaded;
      },
      (error: unknown) => {
        const now = clock.now();
        lastFailure = now;
        const stale = cached !== undefined && now < cached.errorUntil;
        emitEvent(options.onEvent, {
          type: 'jwks.fetch_failed',
          at: now,
          url: label,
          reason:
            error instanceof JwksFetchFailure ? error.reason : error instanceof InvalidSetError ? 'invalid' : 'network',
          ...(error instanceof JwksFetchFailure && error.status !== undefined ? { status: error.status } : {}),
          stale,
        });
        return stale ? cached : undefined;
      },
    );
    inflight = run.finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  const lookup = (kid: string) => (c: Cached | undefined) => c?.set.byKid.get(kid);

  function key(kid: string): VerificationKey | undefined | Promise<VerificationKey | undefined> {
    const now = clock.now();
    const c = cached;
    const cooled = now - lastStart >= cooldown;
    const retryable = now - lastFailure >= cooldown;
    if (c !== undefined && now < c.revalidateUntil) {
      if (now >= c.freshUntil && retryable) void refetch();
      const found = c.set.byKid.get(kid);
      if (found !== undefined) return found;
      // An unknown kid: the issuer may have just added a key; ask again, at most once per cooldown.
      if (inflight !== undefined) return inflight.then(lookup(kid));
      return cooled && retryable ? refetch().then(lookup(kid)) : undefined;
    }
    // Nothing cached, or too stale to serve without asking: wait for a fetch, unless one
    // failed within the cooldown (an outage does not turn every request into a fetch).
    if (inflight !== undefined) return inflight.then(lookup(kid));
    if (!retryable) return c !== undefined && now < c.errorUntil ? lookup(kid)(c) : undefined;
    return refetch().then(lookup(kid));
  }

  return { key };
}
