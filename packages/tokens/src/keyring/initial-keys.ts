import { BulwarkError, ConfigError } from '@bulwark/core';
import type { JWK } from 'jose';
import type { SigningAlgorithm, SigningKey, VerificationKey } from '../keys.js';
import { jwkProblem } from './jwk.js';
import type { Keyring, KeyStatus } from './keyring-types.js';
import { importKey, type KeyMaterial } from './material.js';

/** A private JWK Set as `initialKeys` takes it (SIGNING_KEYS_FILE): each key with `kid` and `alg`. */
export interface PrivateJwkSet {
  readonly keys: readonly JWK[];
}

const MAX_INITIAL_KEYS = 100;

/** The structural checks, at construction (jose's import, which is async, comes at first use). */
export function checkInitialKeys(value: unknown): readonly JWK[] {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as PrivateJwkSet).keys)) {
    throw new ConfigError('initialKeys', 'expected a JWK Set: { keys: [...] } of private keys');
  }
  const keys = (value as PrivateJwkSet).keys;
  if (keys.length === 0) throw new ConfigError('initialKeys.keys', 'is empty: the first key signs');
  if (keys.length > MAX_INITIAL_KEYS) throw new ConfigError('initialKeys.keys', `at most ${MAX_INITIAL_KEYS} keys`);
  const kids = new Set<string>();
  keys.forEach((jwk, i) => {
    const problem = jwkProblem(jwk, 'private');
    if (problem !== undefined) throw new ConfigError(`initialKeys.keys[${i}]`, problem);
    if (kids.has(jwk.kid as string)) throw new ConfigError(`initialKeys.keys[${i}].kid`, 'appears twice');
    kids.add(jwk.kid as string);
  });
  return keys.map((jwk) => Object.freeze({ ...jwk }));
}

interface Loaded {
  readonly signing: SigningKey;
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  readonly jwks: readonly JWK[];
}

/**
 * A keyring over the user's own keys: it signs with the first and verifies with all, and
 * never generates, rotates or stores a key (rotation is the user's, by deploying a new set).
 */
export function staticKeyring(keys: readonly JWK[]): Keyring {
  let ready: Loaded | undefined;
  let loading: Promise<Loaded> | undefined;
  const load = (): Loaded | Promise<Loaded> => {
    if (ready !== undefined) return ready;
    loading ??= Promise.all(
      keys.map((jwk, i) =>
        importKey(jwk.kid as string, jwk.alg as SigningAlgorithm, jwk).catch((error: unknown) => {
          throw new ConfigError(
            `initialKeys.keys[${i}]`,
            `jose could not import it (${error instanceof Error ? error.message : 'unknown error'})`,
          );
        }),
      ),
    ).then((materials: KeyMaterial[]) => {
      ready = {
        signing: (materials[0] as KeyMaterial).signing,
        byKid: new Map(materials.map((m) => [m.verification.kid, m.verification])),
        jwks: materials.flatMap((m) => (m.jwk === undefined ? [] : [m.jwk])),
      };
      return ready;
    });
    return loading;
  };
  const then = <T>(value: Loaded | Promise<Loaded>, f: (l: Loaded) => T): T | Promise<T> =>
    value instanceof Promise ? value.then(f) : f(value);
  return {
    signingKey: () => then(load(), (l) => l.signing),
    key: (kid) => then(load(), (l) => l.byKid.get(kid)),
    jwks: async () => ({ keys: (await load()).jwks.map((jwk) => ({ ...jwk })) }),
    rotate: async () => {
      throw new BulwarkError(
        'invalid_argument',
        'a keyring made from initialKeys does not rotate: deploy a new key set to rotate',
      );
    },
    status: async () => {
      await load();
      return keys.map(
        (jwk, i): KeyStatus => ({
          kid: jwk.kid as string,
          alg: jwk.alg as SigningAlgorithm,
          generation: i + 1,
          state: i === 0 ? 'active' : 'verify-only',
          activatesAt: 0,
          verifyUntil: Infinity,
        }),
      );
    },
  };
}
