import { BulwarkError, type Clock, type DenyDecision, type EventSink } from '@bulwark/core';
import { type Lockout, lockout, memoryLockoutStore } from '@bulwark/lockout';
import type { PasswordHasher } from '@bulwark/passwords';
import { postgresLockoutStore } from '@bulwark/postgres';
import { redisLockoutStore } from '@bulwark/redis';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { User, UserDirectory } from '../domain/users.js';
import { purposeKey } from './secrets.js';

/** Where a sign-in comes from: the client IP as trust-proxy resolved it, and the route (for events). */
export interface SignInClient {
  readonly ip: string | undefined;
  readonly method: string;
  readonly path: string;
}

/** The outcome of one password sign-in, shared by `/auth/login` and the OAuth sign-in form. */
export type SignInOutcome =
  | { readonly kind: 'ok'; readonly user: User }
  | { readonly kind: 'failed' }
  | { readonly kind: 'locked'; readonly retryAfter: number; readonly decision: DenyDecision };

export interface SignInDeps {
  readonly users: UserDirectory;
  readonly hasher: PasswordHasher;
  readonly lockout: Lockout;
}

/**
 * The demo's lockout (DEMO.md, AC-7: the library's defaults are DEMO.md's rules). With
 * Redis, counts and locks are shared by every process, and the account tags are keyed by a
 * secret derived from KEY_ENCRYPTION_KEY (the same in every process, and no address list
 * can be matched against them); in memory, by a random key of this process.
 */
export function demoLockout(options: {
  readonly redis: Redis | undefined;
  readonly database: pg.Pool | undefined;
  readonly keyEncryptionKey: Uint8Array | undefined;
  readonly clock: Clock | undefined;
  readonly onEvent: EventSink;
}): Lockout {
  const accountKey = purposeKey(options.keyEncryptionKey, 'notes-api lockout tags v1');
  // Counters belong in Redis when there is one; PostgreSQL keeps them for a demo without it.
  const store = options.redis
    ? redisLockoutStore({ client: options.redis, keyPrefix: 'notes-api:lockout' })
    : options.database
      ? postgresLockoutStore({ pool: options.database })
      : memoryLockoutStore(options.clock === undefined ? {} : { clock: options.clock });
  return lockout({ store, accountKey, onEvent: options.onEvent });
}

/**
 * One password sign-in under the lockout: the attempt is reserved (counted) before the
 * password is checked, so parallel guesses cannot pass the threshold; while locked no
 * password is checked at all. An unknown email is checked against a dummy Argon2id hash
 * and counted like a known one, so neither the answer, its timing nor the lock tells which
 * emails have accounts. A success gives the pair's count back; a refusal of the hasher at
 * capacity (503 `service_busy`, no password compared) gives the attempt back.
 */
export async function signIn(
  deps: SignInDeps,
  email: string,
  password: string,
  client: SignInClient,
): Promise<SignInOutcome> {
  // A request without a resolvable client IP counts as one client, `-` (the library's rule).
  const attempt = await deps.lockout.reserve({
    account: email,
    ip: client.ip ?? '-',
    method: client.method,
    path: client.path,
  });
  if (!attempt.allowed) return { kind: 'locked', retryAfter: attempt.retryAfter, decision: attempt.decision };
  const user = await deps.users.byEmail(email);
  let ok: boolean;
  try {
    ok =
      user === undefined
        ? await deps.hasher.verifyDummy(password)
        : await deps.hasher.verify(user.passwordHash, password);
  } catch (err) {
    // At capacity, the hasher refuses before it compares anything (503 service_busy): no
    // password was checked, so the attempt is given back. Counting it would let a sign-in
    // flood lock out a user whose right password was refused as busy five times.
    if (isServiceBusy(err)) await attempt.abandon();
    throw err;
  }
  const success = user !== undefined && ok;
  await attempt.settle(success);
  return success ? { kind: 'ok', user } : { kind: 'failed' };
}

/** The hasher's refusal at capacity (`ServiceBusyError`, code `service_busy`): thrown before any comparison. */
function isServiceBusy(err: unknown): boolean {
  return err instanceof BulwarkError && err.code === 'service_busy';
}
