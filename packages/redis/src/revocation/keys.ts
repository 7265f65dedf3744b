import { ConfigError } from '@bulwark/core';

/** The key and channel names of one revocation store (see lua.ts for the layout). */
export interface RevocationKeys {
  readonly seq: string;
  readonly index: string;
  readonly events: string;
  entry(kind: 'jti' | 'sid', id: string): string;
  heartbeats(instance: string): string;
}

/**
 * Every name under one hash tag, the prefix in braces: on a Cluster every key of the store
 * is in one slot, so one script sees the counter, the index and an entry together.
 * Revocations are rare writes (logouts) and reads are local, so one slot is no hot spot.
 */
export function revocationKeys(keyPrefix: string): RevocationKeys {
  if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(keyPrefix)) {
    throw new ConfigError('keyPrefix', 'expected 1 to 100 of [A-Za-z0-9._:-] (no braces: the prefix is the hash tag)');
  }
  const tag = `{${keyPrefix}}`;
  return {
    seq: `${tag}:seq`,
    index: `${tag}:index`,
    events: `${tag}:events`,
    entry: (kind, id) => `${tag}:${kind === 'jti' ? 'j' : 's'}:${id}`,
    heartbeats: (instance) => `${tag}:hb:${instance}`,
  };
}
