import { importJWK, type JWK } from 'jose';
import { jwkProblem, publicJwk } from '../keyring/jwk.js';
import type { SigningAlgorithm, VerificationKey } from '../keys.js';

export interface ImportedSet {
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  /** Imported keys by their identity (kid, alg and public members): reused by the next fetch. */
  readonly byIdentity: ReadonlyMap<string, VerificationKey>;
}

export interface SkippedKey {
  readonly kid: string | undefined;
  readonly reason: string;
}

/** An invalid JWK Set as a whole (not an object with a `keys` array, or too many keys). */
export class InvalidSetError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidSetError';
  }
}

const kidOf = (jwk: unknown): string | undefined => {
  const kid = (jwk as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
};

/**
 * The usable keys of a fetched set, each bound to its own `alg`: symmetric keys (`oct`),
 * keys without `kid` or `alg`, with an `alg` outside the allowlist, a private member, a
 * `use` other than `sig`, `key_ops` without `verify`, a malformed or short key, and every
 * key of a `kid` that appears twice (which one would be meant?) are skipped and reported.
 * A key seen in the previous fetch is not imported again.
 */
export async function importSet(
  json: unknown,
  allowed: ReadonlySet<SigningAlgorithm>,
  maxKeys: number,
  previous: ReadonlyMap<string, VerificationKey>,
  skip: (skipped: SkippedKey) => void,
): Promise<ImportedSet> {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { keys?: unknown }).keys)) {
    throw new InvalidSetError('not a JWK Set');
  }
  const keys = (json as { keys: unknown[] }).keys;
  if (keys.length > maxKeys) throw new InvalidSetError(`more than ${maxKeys} keys`);
  const counts = new Map<string, number>();
  for (const jwk of keys) {
    const kid = kidOf(jwk);
    if (kid !== undefined) counts.set(kid, (counts.get(kid) ?? 0) + 1);
  }
  const byKid = new Map<string, VerificationKey>();
  const byIdentity = new Map<string, VerificationKey>();
  for (const jwk of keys) {
    const kid = kidOf(jwk);
    const k = jwk as Record<string, unknown>;
    let reason: string | undefined;
    if (typeof jwk === 'object' && jwk !== null && k.kty === 'oct') reason = 'a symmetric key';
    else reason = jwkProblem(jwk, 'public');
    if (reason === undefined && !allowed.has(k.alg as SigningAlgorithm)) reason = '"alg" is not in the allowlist';
    if (reason === undefined && k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify')))
      reason = '"key_ops" does not allow verify';
    if (reason === undefined && (counts.get(kid as string) ?? 0) > 1) reason = '"kid" appears more than once';
    if (reason !== undefined) {
      skip({ kid, reason });
      continue;
    }
    const alg = k.alg as SigningAlgorithm;
    const published = publicJwk(jwk as JWK, kid as string, alg);
    const identity = JSON.stringify(published);
    let key = previous.get(identity);
    if (key === undefined) {
      const { kid: _kid, alg: _alg, use: _use, ...bare } = published;
      try {
        key = Object.freeze({ kid: kid as string, alg, key: (await importJWK(bare, alg)) as CryptoKey });
      } catch {
        skip({ kid, reason: 'jose could not import it' });
        continue;
      }
    }
    byKid.set(kid as string, key);
    byIdentity.set(identity, key);
  }
  return { byKid, byIdentity };
}
