import { BulwarkError, ConfigError, checkOptions } from '@bulwark/core';
import {
  type AuthorizationCodeRecord,
  type AuthorizationCodeStore,
  checkAuthorizationCode,
  type RedeemResult,
} from '@bulwark/tokens';
import type { Cluster, Redis } from 'ioredis';
import { script } from '../redis-call.js';
import { CODE_REDEEM_SCRIPT, CODE_REUSED_SCRIPT, CODE_SAVE_SCRIPT } from './lua.js';

export interface RedisAuthorizationCodeStoreOptions {
  /** The ioredis `Redis` or `Cluster` client (you create and own it; its `commandTimeout` bounds each call). */
  readonly client: Redis | Cluster;
  /** Key prefix. Default `bulwark:oauth-code`. */
  readonly keyPrefix?: string | undefined;
}

const SAVE_COMMAND = 'bulwarkCodeSave';
const REDEEM_COMMAND = 'bulwarkCodeRedeem';
const REUSED_COMMAND = 'bulwarkCodeReused';

function unavailable(what: string, cause: unknown): BulwarkError {
  return new BulwarkError('store_unavailable', `the authorization code could not be ${what} in Redis`, { cause });
}

/** The record from its stored JSON, checked field by field: a malformed one is a store failure, never a grant. */
function recordOf(json: unknown): AuthorizationCodeRecord {
  let value: unknown;
  try {
    value = JSON.parse(String(json));
  } catch (error) {
    throw unavailable('read', error);
  }
  const r = value as Record<string, unknown>;
  const record = {
    clientId: r?.clientId,
    redirectUri: r?.redirectUri,
    codeChallenge: r?.codeChallenge,
    scopes: r?.scopes,
    subject: r?.subject,
    familyId: r?.familyId,
  } as AuthorizationCodeRecord;
  try {
    checkAuthorizationCode('A'.repeat(43), record, 1);
  } catch (error) {
    throw unavailable('read', error);
  }
  return Object.freeze({ ...record, scopes: Object.freeze([...record.scopes]) });
}

/**
 * An authorization-code store on Redis (an ioredis `Redis` or `Cluster` client), shared by
 * every process. A code is one hash under `<prefix>:<code hash>` (the code itself is never
 * stored), with a TTL; each operation is one Lua script, one round trip (`EVALSHA`, falling
 * back to `EVAL` on `NOSCRIPT`), timed by Redis `TIME`, so of any number of concurrent
 * redemptions from any number of processes exactly one is `redeemed`. A failed call
 * rejects with `store_unavailable` (a code is never granted on a guess).
 *
 * @example
 * ```ts
 * import { AuthorizationServerOptions, authorizationServer } from '@bulwark/tokens';
 * import Redis from 'ioredis';
 *
 * declare const options: AuthorizationServerOptions; // issuer, clients, accessTokens, refreshTokens...
 * const codes = redisAuthorizationCodeStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
 * const oauth = authorizationServer({ ...options, codes });
 * ```
 */
export function redisAuthorizationCodeStore(options: RedisAuthorizationCodeStoreOptions): AuthorizationCodeStore {
  checkOptions(options, ['client', 'keyPrefix']);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof (client as Redis).defineCommand !== 'function') {
    throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  }
  const keyPrefix = options.keyPrefix ?? 'bulwark:oauth-code';
  if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(keyPrefix)) {
    throw new ConfigError('keyPrefix', 'expected 1 to 100 of [A-Za-z0-9._:-]');
  }
  const save = script(client, SAVE_COMMAND, CODE_SAVE_SCRIPT);
  const redeem = script(client, REDEEM_COMMAND, CODE_REDEEM_SCRIPT);
  const reused = script(client, REUSED_COMMAND, CODE_REUSED_SCRIPT);
  const keyOf = (hash: string) => `${keyPrefix}:${hash}`;
  const HASH = /^[A-Za-z0-9_-]{43}$/;

  return Object.freeze({
    async save(hash: string, record: AuthorizationCodeRecord, ttlMs: number): Promise<void> {
      checkAuthorizationCode(hash, record, ttlMs);
      const json = JSON.stringify({
        clientId: record.clientId,
        redirectUri: record.redirectUri,
        codeChallenge: record.codeChallenge,
        scopes: record.scopes,
        subject: record.subject,
        familyId: record.familyId,
      });
      let reply: [unknown, unknown];
      try {
        reply = (await save(1, keyOf(hash), json, ttlMs)) as [unknown, unknown];
      } catch (error) {
        throw unavailable('saved', error);
      }
      if (Number(reply[1]) !== 1) {
        throw new BulwarkError('store_conflict', 'authorization code store: a code with this hash exists');
      }
    },
    async redeem(hash: string): Promise<RedeemResult> {
      if (typeof hash !== 'string' || !HASH.test(hash)) return { outcome: 'unknown' };
      let reply: [unknown, unknown, unknown?];
      try {
        reply = (await redeem(1, keyOf(hash))) as [unknown, unknown, unknown?];
      } catch (error) {
        throw unavailable('redeemed', error);
      }
      const outcome = String(reply[1]);
      if (outcome === 'redeemed' || outcome === 'reused') return { outcome, record: recordOf(reply[2]) };
      return { outcome: 'unknown' };
    },
    async wasReused(hash: string): Promise<boolean> {
      if (typeof hash !== 'string' || !HASH.test(hash)) return false;
      try {
        const reply = (await reused(1, keyOf(hash))) as [unknown, unknown];
        return Number(reply[1]) === 1;
      } catch (error) {
        throw unavailable('read', error);
      }
    },
  });
}
