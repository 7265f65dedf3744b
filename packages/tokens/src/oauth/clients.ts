import { ConfigError, checkOptions } from '@bulwark/core';
import { base64url } from 'jose';
import { SCOPE_TOKEN } from './params.js';
import { constantTimeEqual } from './pkce.js';
import { checkRedirectUri } from './redirect-uri.js';
import type { OAuthClientConfig, OAuthGrantType } from './types.js';

/** A registered client, checked once at the factory. */
export interface RegisteredClient {
  readonly id: string;
  readonly type: 'public' | 'confidential';
  readonly redirectUris: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;
  readonly grantTypes: ReadonlySet<OAuthGrantType>;
  readonly secretHash?: string;
}

const CLIENT_KEYS = ['id', 'type', 'redirectUris', 'scopes', 'grantTypes', 'secretHash'];
const GRANTS: readonly OAuthGrantType[] = ['authorization_code', 'refresh_token'];
/** RFC 6749 appendix A.1 VSCHAR without space: a client id also goes into a Basic credential. */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;
const SHA256_B64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * What a confidential client's `secretHash` is: base64url(SHA-256(secret)). Give clients
 * secrets of at least 128 random bits (an unsalted fast hash is sound for random secrets,
 * never for passwords).
 *
 * @example
 * ```ts
 * import { clientSecretHash } from '@bulwark/tokens';
 *
 * import { OAuthClientConfig } from '@bulwark/tokens';
 *
 * // Once, when the client is registered: show the secret to its owner, keep only the hash.
 * const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
 * const client: OAuthClientConfig = {
 *   id: 'reports-job',
 *   type: 'confidential',
 *   redirectUris: ['https://reports.example.com/callback'],
 *   scopes: ['notes:read'],
 *   secretHash: await clientSecretHash(secret),
 * };
 * ```
 */
export async function clientSecretHash(secret: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return base64url.encode(new Uint8Array(digest));
}

/** True when `secret` hashes to `secretHash`, compared in constant time. */
export async function secretMatches(secret: string, secretHash: string): Promise<boolean> {
  return constantTimeEqual(await clientSecretHash(secret), secretHash);
}

function stringList(value: unknown, option: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(option, 'expected a non-empty array');
  return value as readonly string[];
}

function registeredClient(config: OAuthClientConfig, at: string, known: ReadonlySet<string>): RegisteredClient {
  checkOptions(config, CLIENT_KEYS, at);
  const { id, type } = config;
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    throw new ConfigError(`${at}.id`, 'expected 1 to 128 visible ASCII characters');
  }
  if (type !== 'public' && type !== 'confidential') {
    throw new ConfigError(`${at}.type`, 'expected "public" or "confidential"');
  }
  const redirectUris = stringList(config.redirectUris, `${at}.redirectUris`).map((uri, i) =>
    checkRedirectUri(uri, `${at}.redirectUris[${i}]`),
  );
  const scopes = stringList(config.scopes, `${at}.scopes`);
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new ConfigError(`${at}.scopes[${i}]`, 'expected an RFC 6749 scope token');
    }
    if (!known.has(scope)) throw new ConfigError(`${at}.scopes[${i}]`, 'not one of the server scopes');
  });
  const grantTypes = config.grantTypes === undefined ? GRANTS : stringList(config.grantTypes, `${at}.grantTypes`);
  grantTypes.forEach((grant, i) => {
    if (!GRANTS.includes(grant as OAuthGrantType)) {
      throw new ConfigError(`${at}.grantTypes[${i}]`, 'expected "authorization_code" or "refresh_token"');
    }
  });
  const secretHash = (config as { secretHash?: unknown }).secretHash;
  if (type === 'public' && secretHash !== undefined) {
    throw new ConfigError(`${at}.secretHash`, 'a public client has no secret (make it confidential)');
  }
  if (type === 'confidential' && (typeof secretHash !== 'string' || !SHA256_B64URL.test(secretHash))) {
    throw new ConfigError(
      `${at}.secretHash`,
      'expected base64url SHA-256 of the secret (clientSecretHash), never the secret',
    );
  }
  return Object.freeze({
    id,
    type,
    redirectUris: new Set(redirectUris),
    scopes: new Set(scopes),
    grantTypes: new Set(grantTypes as readonly OAuthGrantType[]),
    ...(type === 'confidential' ? { secretHash: secretHash as string } : {}),
  });
}

/** The client registry: every client checked, ids unique. */
export function clientRegistry(
  clients: readonly OAuthClientConfig[],
  known: ReadonlySet<string>,
): ReadonlyMap<string, RegisteredClient> {
  const list = stringList(clients, 'clients') as unknown as readonly OAuthClientConfig[];
  const registry = new Map<string, RegisteredClient>();
  list.forEach((config, i) => {
    const client = registeredClient(config, `clients[${i}]`, known);
    if (registry.has(client.id)) throw new ConfigError(`clients[${i}].id`, 'two clients have this id');
    registry.set(client.id, client);
  });
  return registry;
}
