import { readFile } from 'node:fs/promises';
import { type Authenticator, ConfigError, type EventSink } from '@bulwark/core';
import { postgresKeyringStore, postgresRefreshTokenStore, postgresRevocationStore } from '@bulwark/postgres';
import { redisKeyringStore, redisRefreshTokenStore, redisRevocationStore } from '@bulwark/redis';
import {
  type AccessTokenIssuer,
  accessTokens,
  accessTokenVerifier,
  jwtAuthenticator,
  type Keyring,
  keyring,
  memoryRefreshTokenStore,
  memoryRevocationStore,
  type PrivateJwkSet,
  type RefreshTokens,
  type RevocationStore,
  refreshTokens,
  type SigningAlgorithm,
} from '@bulwark/tokens';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { type DemoConfig, JWT_ALGORITHMS } from '../config.js';

/** The `aud` of every demo token, and the `client_id` of `/auth/login` tokens. */
export const AUDIENCE = 'notes-api';
export const LOGIN_CLIENT_ID = 'notes-api';
/** The access-token lifetime (DEMO.md: 15 minutes) and the verifier's clock tolerance. */
export const ACCESS_TTL_MS = 15 * 60_000;
export const CLOCK_TOLERANCE_MS = 5_000;

/** Everything token-shaped the demo needs, built once per process. */
export interface DemoTokens {
  readonly keys: Keyring;
  readonly issuer: AccessTokenIssuer;
  readonly authenticator: Authenticator;
  readonly revocations: RevocationStore;
  /**
   * The refresh-token families (the sessions: a family id is the access tokens' `sid`).
   * Reuse of a spent token revokes the family and, through `revocations`, its access tokens.
   */
  readonly refresh: RefreshTokens;
  /** Where the keyring lives: `memory`, `redis` or `file` (SIGNING_KEYS_FILE). */
  readonly keyStore: 'memory' | 'redis' | 'postgres' | 'file';
  close(): Promise<void>;
}

/** Reads SIGNING_KEYS_FILE: a JWK Set of private keys, each with `kid` and `alg`. */
async function readSigningKeys(path: string): Promise<PrivateJwkSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError('SIGNING_KEYS_FILE', 'cannot be read');
  }
  try {
    return JSON.parse(text) as PrivateJwkSet;
  } catch {
    throw new ConfigError('SIGNING_KEYS_FILE', 'is not JSON (expected a JWK Set: {"keys": [...]})');
  }
}

/** Re-labels a keyring option error as the environment variable it came from. */
function asEnvError(error: unknown, variable: string): unknown {
  return error instanceof ConfigError ? new ConfigError(variable, error.message) : error;
}

/**
 * The keyring, issuer, revocation store, refresh-token families and JWT authenticator of
 * the demo. With DATABASE_URL the keyring (sealed under KEY_ENCRYPTION_KEY), the denylist
 * and the families are durable records in PostgreSQL; else, with REDIS_URL, in Redis. Either
 * way every process signs with the same key, rotates any process's refresh tokens and
 * honours every other's logouts at once.
 */
export async function demoTokens(
  config: DemoConfig,
  redis: Redis | undefined,
  onEvent?: EventSink,
  database?: pg.Pool,
): Promise<DemoTokens> {
  let keys: Keyring;
  let keyStore: DemoTokens['keyStore'];
  // Every key is bound to one algorithm, so the allowlist only needs to name those the
  // demo's keys can have: the generated ones (a shared store may hold keys another process
  // generated with another JWT_ALG) and those of SIGNING_KEYS_FILE.
  const algorithms = new Set<SigningAlgorithm>(JWT_ALGORITHMS);
  if (config.signingKeysFile !== undefined) {
    const initialKeys = await readSigningKeys(config.signingKeysFile);
    try {
      keys = keyring({ initialKeys, ...(onEvent ? { onEvent } : {}) });
    } catch (error) {
      throw asEnvError(error, 'SIGNING_KEYS_FILE');
    }
    for (const jwk of initialKeys.keys) algorithms.add(jwk.alg as SigningAlgorithm);
    keyStore = 'file';
  } else {
    const shared = database
      ? postgresKeyringStore({ pool: database, name: 'notes-api' })
      : redis
        ? redisKeyringStore(redis, { name: 'notes-api' })
        : undefined;
    keys = keyring({
      algorithm: config.jwtAlg,
      ...(shared && config.keyEncryptionKey ? { store: shared, keyEncryptionKey: config.keyEncryptionKey } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
    keyStore = database ? 'postgres' : redis ? 'redis' : 'memory';
  }
  // Import (or create) the signing key now: a bad key file or an unreachable store is a
  // refusal to start, not a 500 at the first login.
  try {
    await keys.signingKey();
  } catch (error) {
    throw asEnvError(error, 'SIGNING_KEYS_FILE');
  }
  const revocations: RevocationStore = database
    ? postgresRevocationStore({ pool: database, ...(onEvent ? { onEvent } : {}) })
    : redis
      ? redisRevocationStore({ client: redis, ...(onEvent ? { onEvent } : {}) })
      : memoryRevocationStore();
  let refresh: RefreshTokens;
  try {
    refresh = refreshTokens({
      store: database
        ? postgresRefreshTokenStore({ pool: database })
        : redis
          ? redisRefreshTokenStore({ client: redis })
          : memoryRefreshTokenStore(),
      grace: config.refreshGraceMs,
      // A revoked family's access tokens are revoked by `sid` for as long as one can live.
      revocations: { store: revocations, accessTokenTtl: ACCESS_TTL_MS, clockTolerance: CLOCK_TOLERANCE_MS },
      ...(onEvent ? { onEvent } : {}),
    });
  } catch (error) {
    throw error instanceof ConfigError && error.option === 'grace' ? asEnvError(error, 'REFRESH_GRACE') : error;
  }
  const issuer = accessTokens({ keys, issuer: config.issuer, audience: AUDIENCE, ttl: ACCESS_TTL_MS });
  const verifier = accessTokenVerifier({
    keys,
    issuer: config.issuer,
    audience: AUDIENCE,
    algorithms: [...algorithms],
    clockTolerance: CLOCK_TOLERANCE_MS,
    revocations,
    ...(onEvent ? { onEvent } : {}),
  });
  return {
    keys,
    issuer,
    authenticator: jwtAuthenticator(verifier),
    revocations,
    refresh,
    keyStore,
    close: async () => {
      const closable = revocations as RevocationStore & { close?: () => Promise<void> };
      await closable.close?.();
    },
  };
}
