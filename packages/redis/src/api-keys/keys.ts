import { ConfigError } from '@bulwark/core';

/** The key and channel names of one API-key store (see lua.ts for the layout). */
export interface ApiKeyKeys {
  readonly seq: string;
  readonly events: string;
  record(id: string): string;
  owner(ownerId: string): string;
  heartbeats(instance: string): string;
}

/**
 * Every name under one hash tag, the prefix in braces: on a Cluster every key of the store
 * is in one slot, so one script sees a record, its owner's index and the invalidation
 * counter together (create, rotate and revoke are each one atomic step). Verifies of hot
 * keys are answered by each process's cache, so the slot sees cache misses, credit spends
 * and at most one `lastUsedAt` write per key and minute.
 */
export function apiKeyKeys(keyPrefix: string): ApiKeyKeys {
  if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(keyPrefix)) {
    throw new ConfigError('keyPrefix', 'expected 1 to 100 of [A-Za-z0-9._:-] (no braces: the prefix is the hash tag)');
  }
  const tag = `{${keyPrefix}}`;
  return {
    seq: `${tag}:seq`,
    events: `${tag}:events`,
    record: (id) => `${tag}:k:${id}`,
    owner: (ownerId) => `${tag}:o:${ownerId}`,
    heartbeats: (instance) => `${tag}:hb:${instance}`,
  };
}
