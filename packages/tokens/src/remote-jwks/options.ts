import { ConfigError, parseDuration } from '@bulwark/core';
import { isSigningAlgorithm, isSymmetric } from '../keyring/algorithms.js';
import type { SigningAlgorithm } from '../keys.js';

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;

/** The JWK Set's URL: https, or plain http to a loopback host when `allowHttpLoopback` says so. */
export function checkUrl(value: unknown, allowHttpLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : String(value));
  } catch {
    throw new ConfigError('url', 'expected an absolute https URL');
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError('url', 'must not carry credentials');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (!LOOPBACK.test(url.hostname)) {
      throw new ConfigError('url', 'must be https: keys fetched in the clear can be replaced in transit');
    }
    if (!allowHttpLoopback) {
      throw new ConfigError('url', 'is plain http: pass allowHttpLoopback: true to fetch from a loopback host (tests)');
    }
    return url;
  }
  throw new ConfigError('url', `must be https, got ${url.protocol}`);
}

export const ASYMMETRIC_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

export function checkAlgorithms(value: unknown): ReadonlySet<SigningAlgorithm> {
  if (value === undefined) return new Set(ASYMMETRIC_ALGORITHMS);
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError('algorithms', 'expected a non-empty list of algorithms');
  }
  for (const alg of value) {
    if (!isSigningAlgorithm(alg)) throw new ConfigError('algorithms', `"${String(alg)}" is not supported`);
    if (isSymmetric(alg)) {
      throw new ConfigError('algorithms', `${alg} is symmetric: a public JWK Set never carries a shared secret`);
    }
  }
  return new Set(value as SigningAlgorithm[]);
}

export function positive(value: unknown, fallback: string | number, option: string): number {
  const ms = parseDuration(value ?? fallback, option);
  if (ms <= 0) throw new ConfigError(option, 'must be positive');
  return ms;
}

export function count(value: unknown, fallback: number, option: string, max: number): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new ConfigError(option, `expected an integer from 1 to ${max}`);
  }
  return n;
}
