import { utf8Text } from '../access/base64url.js';
import { type RegisteredClient, secretMatches } from './clients.js';
import type { ReadParams } from './params.js';

export type ClientAuthentication =
  | { readonly ok: true; readonly client: RegisteredClient }
  | { readonly ok: false; readonly error: 'invalid_client' | 'invalid_request'; readonly description: string };

const FAILED = Object.freeze({
  ok: false as const,
  error: 'invalid_client' as const,
  description: 'client authentication failed',
});
/** Hashed against when the client is unknown or public, so every failure costs one hash. */
const NO_SECRET_HASH = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** application/x-www-form-urlencoded decoding of one Basic credential part (RFC 6749 §2.3.1). */
function formDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The client id and secret of a `Basic` Authorization field, or `undefined` when it is no such credential. */
export function parseBasic(authorization: string): { id: string; secret: string } | undefined {
  const match = BASIC.exec(authorization);
  if (match === null) return undefined;
  let binary: string;
  try {
    binary = atob(match[1] as string);
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const text = utf8Text(bytes);
  const colon = text?.indexOf(':') ?? -1;
  if (text === undefined || colon < 0) return undefined;
  const id = formDecoded(text.slice(0, colon));
  const secret = formDecoded(text.slice(colon + 1));
  if (id === undefined || secret === undefined || id === '') return undefined;
  return { id, secret };
}

async function confidential(client: RegisteredClient | undefined, secret: string): Promise<ClientAuthentication> {
  const hash = client?.type === 'confidential' ? (client.secretHash as string) : NO_SECRET_HASH;
  const matches = await secretMatches(secret, hash);
  // A public client presenting a secret fails too: it has none to prove (RFC 6749 §2.1).
  return matches && client?.type === 'confidential' ? { ok: true, client } : FAILED;
}

/**
 * Authenticates the client of a token request (RFC 6749 §2.3): `client_secret_basic`
 * (the Authorization field), `client_secret_post` (`client_id` and `client_secret` in the
 * form) or, for a public client, `client_id` alone. One method per request; a confidential
 * client without its secret and a public client with a secret both fail. Secrets are
 * compared by hash in constant time, and an unknown client costs the same hash.
 */
export async function authenticateClient(
  registry: ReadonlyMap<string, RegisteredClient>,
  params: ReadParams,
  authorization: string | undefined,
): Promise<ClientAuthentication> {
  const formId = params.get('client_id');
  const formSecret = params.get('client_secret');
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    if (formSecret !== undefined) {
      return { ok: false, error: 'invalid_request', description: 'use one client authentication method, not two' };
    }
    const basic = parseBasic(authorization);
    if (basic === undefined) return FAILED;
    if (formId !== undefined && formId !== basic.id) return FAILED;
    return confidential(registry.get(basic.id), basic.secret);
  }
  if (formId === undefined) return FAILED;
  const client = registry.get(formId);
  if (formSecret !== undefined) return confidential(client, formSecret);
  if (client === undefined || client.type !== 'public') {
    // The same hash as a wrong secret, so "no secret" and "unknown client" take the same time.
    await secretMatches('', NO_SECRET_HASH);
    return FAILED;
  }
  return { ok: true, client };
}
