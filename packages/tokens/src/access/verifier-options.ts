import { ConfigError, checkOptions } from '@bulwark/core';
import { isSigningAlgorithm } from '../keyring/algorithms.js';
import type { SigningAlgorithm } from '../keys.js';
import { VerifiedTokenCache } from './cache.js';
import { integerOption } from './options.js';

// The access-token verifier's options that take more than a line to check (see
// `accessTokenVerifier`): the algorithm allowlist and the verified-token cache.

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** `algorithms`: required and explicit, each one this package can verify. */
export function algorithmsOption(value: unknown): ReadonlySet<SigningAlgorithm> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(
      'algorithms',
      'required: a non-empty list of the algorithms your keys use (no default, ever)',
    );
  }
  value.forEach((alg, i) => {
    if (!isSigningAlgorithm(alg))
      throw new ConfigError(`algorithms[${i}]`, `unsupported algorithm ${JSON.stringify(alg)}`);
  });
  return new Set(value as SigningAlgorithm[]);
}

/** `cache`: on by default (10,000 entries, 16 MiB), `false` for none. */
export function cacheOption(value: unknown): VerifiedTokenCache | undefined {
  if (value === false) return undefined;
  if (value === undefined) return new VerifiedTokenCache(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
  checkOptions(value, ['maxEntries', 'maxBytes'], 'cache');
  const { maxEntries, maxBytes } = value as { maxEntries?: unknown; maxBytes?: unknown };
  return new VerifiedTokenCache(
    integerOption(maxEntries, 'cache.maxEntries', DEFAULT_MAX_ENTRIES, 1, 10_000_000),
    integerOption(maxBytes, 'cache.maxBytes', DEFAULT_MAX_BYTES, 1024, 2 ** 40),
  );
}
