import { apiKeys, memoryApiKeyStore } from '@bulwark/api-keys';
import { ConfigError, parseDuration } from '@bulwark/core';

export interface KeysCreateFlags {
  readonly owner: string;
  readonly scopes: string[];
  readonly name: string;
  readonly expiresIn?: string;
  readonly prefix?: string;
  readonly environment?: string;
  /** base64url, at least 32 bytes: the HMAC pepper the API hashes its keys with. */
  readonly pepper?: string;
}

/**
 * `bulwark keys create`: a new API key and the record to seed a store with (the hash, never
 * the key), made by @bulwark/api-keys itself, so the format, checksum and hash are the ones
 * the API verifies.
 */
export async function keysCreate(flags: KeysCreateFlags): Promise<string> {
  if (flags.environment !== undefined && flags.environment !== 'live' && flags.environment !== 'test') {
    throw new ConfigError('--environment', 'expected live or test');
  }
  const pepper = flags.pepper === undefined ? undefined : new Uint8Array(Buffer.from(flags.pepper, 'base64url'));
  const store = memoryApiKeyStore();
  const keys = apiKeys({
    store,
    ...(flags.prefix ? { prefix: flags.prefix } : {}),
    ...(flags.environment ? { environment: flags.environment as 'live' | 'test' } : {}),
    ...(pepper ? { pepper } : {}),
  });
  const created = await keys.create({
    ownerId: flags.owner,
    ownerScopes: flags.scopes,
    name: flags.name,
    scopes: flags.scopes,
    ...(flags.expiresIn
      ? { expiresIn: flags.expiresIn === 'never' ? 'never' : parseDuration(flags.expiresIn, '--expires-in') }
      : {}),
  });
  const record = await store.get(created.id);
  return `${JSON.stringify({ key: created.key, record }, null, 2)}\n`;
}
