import {
  type Clock,
  ConfigError,
  checkOptions,
  type Duration,
  type EventSink,
  parseDuration,
  systemClock,
} from '@bulwark/core';
import type { SigningAlgorithm } from '../keys.js';
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from './algorithms.js';
import { checkInitialKeys, type PrivateJwkSet, staticKeyring } from './initial-keys.js';
import type { Keyring } from './keyring-types.js';
import { rotatingKeyring } from './rotating.js';
import { checkKeyEncryptionKey, sealingKey } from './seal.js';
import { type KeyringStore, memoryKeyringStore, memoryStoreKey } from './store.js';

export interface KeyringOptions {
  /** Where keys live. Default: a new {@link memoryKeyringStore} (this process only). */
  readonly store?: KeyringStore | undefined;
  /** The algorithm of generated keys. Default `ES256`. Keys already created keep theirs. */
  readonly algorithm?: SigningAlgorithm | undefined;
  /** How long each key signs. Default `30d`. */
  readonly rotateEvery?: Duration | undefined;
  /**
   * How long a new key is published before it signs: at least the longest time a verifier
   * caches the JWK Set (the demo serves `max-age=300`) plus `refreshEvery`. Default `10m`.
   */
  readonly publishAhead?: Duration | undefined;
  /**
   * How long a superseded key still verifies: at least the longest token lifetime plus the
   * verifiers' clock tolerance. Default `65m` (the 60-minute cap of `accessTokens` + 5 minutes).
   */
  readonly retireAfter?: Duration | undefined;
  /** How often a process reloads the store to learn keys others created. Default `1m`; below `publishAhead`. */
  readonly refreshEvery?: Duration | undefined;
  /**
   * At least 32 random bytes: private keys are stored sealed with AES-256-GCM under it.
   * Required with any store but a memory one; every process sharing a store needs the same.
   */
  readonly keyEncryptionKey?: Uint8Array | undefined;
  /**
   * Your own private keys (a JWK Set, each key with `kid` and `alg`): the keyring signs with
   * the first, verifies with all and neither generates nor rotates (so the options about
   * generated keys are refused beside it).
   */
  readonly initialKeys?: PrivateJwkSet | undefined;
  readonly onEvent?: EventSink | undefined;
  /** Inject a clock (tests): its time is then used instead of the store's. */
  readonly clock?: Clock | undefined;
}

const KEYS = [
  'store',
  'algorithm',
  'rotateEvery',
  'publishAhead',
  'retireAfter',
  'refreshEvery',
  'keyEncryptionKey',
  'initialKeys',
  'onEvent',
  'clock',
];
const GENERATION_OPTIONS = KEYS.filter((k) => !['initialKeys', 'onEvent', 'clock'].includes(k));

/**
 * A keyring: the issuer's signing keys, rotated on a schedule and shared by every process on
 * one store. Each key has a kid (the RFC 7638 thumbprint of its public key; random for an
 * HMAC secret) and moves next -> active -> verify-only -> retired: published in `jwks()`
 * `publishAhead` before it signs, signing for `rotateEvery`, then verifying for
 * `retireAfter`. Implements `SigningKeySource` (for `accessTokens`) and
 * `VerificationKeySource` (for `accessTokenVerifier`).
 *
 * @example
 * ```ts
 * import { base64url } from 'jose';
 *
 * // One process: keys in memory.
 * const keys = keyring({ algorithm: 'EdDSA' });
 * const { keys: published } = await keys.jwks(); // serve at /.well-known/jwks.json
 *
 * // Several processes: one store, one key-encryption key (32 random bytes, base64url in the environment).
 * declare const sharedStore: KeyringStore; // e.g. redisKeyringStore(redis) from @bulwark/redis
 * const shared = keyring({
 *   store: sharedStore,
 *   keyEncryptionKey: base64url.decode(process.env.KEY_ENCRYPTION_KEY ?? ''),
 * });
 * const { kid } = await shared.signingKey();
 * ```
 */
export function keyring(options: KeyringOptions = {}): Keyring {
  checkOptions(options, KEYS);
  const clock = options.clock ?? systemClock;
  if (options.initialKeys !== undefined) {
    for (const name of GENERATION_OPTIONS) {
      if ((options as Record<string, unknown>)[name] !== undefined) {
        throw new ConfigError(name, 'has no effect beside initialKeys (that keyring never generates nor stores keys)');
      }
    }
    return staticKeyring(checkInitialKeys(options.initialKeys));
  }
  const algorithm = options.algorithm ?? 'ES256';
  if (!isSigningAlgorithm(algorithm)) {
    throw new ConfigError('algorithm', `expected one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const rotateEvery = parseDuration(options.rotateEvery ?? '30d', 'rotateEvery');
  const publishAhead = parseDuration(options.publishAhead ?? '10m', 'publishAhead');
  const retireAfter = parseDuration(options.retireAfter ?? '65m', 'retireAfter');
  const refreshEvery = parseDuration(options.refreshEvery ?? '1m', 'refreshEvery');
  if (refreshEvery <= 0) throw new ConfigError('refreshEvery', 'must be positive');
  if (publishAhead <= refreshEvery) {
    throw new ConfigError('publishAhead', 'must exceed refreshEvery: every process must see a new key before it signs');
  }
  if (rotateEvery <= publishAhead) throw new ConfigError('rotateEvery', 'must exceed publishAhead');
  if (retireAfter <= 0) throw new ConfigError('retireAfter', 'must be positive (the longest token lifetime)');
  const store = options.store ?? memoryKeyringStore();
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.load !== 'function' ||
    typeof store.create !== 'function'
  ) {
    throw new ConfigError('store', 'expected a KeyringStore (load, create)');
  }
  let kek: Uint8Array;
  if (options.keyEncryptionKey !== undefined) kek = checkKeyEncryptionKey(options.keyEncryptionKey);
  else {
    const own = memoryStoreKey(store);
    if (own === undefined) {
      throw new ConfigError(
        'keyEncryptionKey',
        'is required with a store other than memoryKeyringStore(): private keys are encrypted at rest under it',
      );
    }
    kek = own;
  }
  const sealing = sealingKey(kek);
  // Awaited at first use; a rejection here is unreachable for a checked key, but must not go unhandled.
  sealing.catch(() => {});
  return rotatingKeyring({
    store,
    algorithm,
    rotateEvery,
    publishAhead,
    retireAfter,
    refreshEvery,
    sealingKey: sealing,
    clock,
    clockInjected: options.clock !== undefined,
    onEvent: options.onEvent,
  });
}
