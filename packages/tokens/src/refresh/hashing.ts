import { ConfigError } from '@bulwark/core';
import { base64url } from 'jose';

/** The shortest pepper: the output size of SHA-256, as for an HS256 secret. */
export const MIN_PEPPER_BYTES = 32;
const encoder = new TextEncoder();

/** Checks the `pepper` option (ConfigError `pepper`). */
export function checkPepper(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array))
    throw new ConfigError('pepper', 'expected a Uint8Array of at least 32 random bytes');
  if (value.byteLength < MIN_PEPPER_BYTES) {
    throw new ConfigError('pepper', `must be at least ${MIN_PEPPER_BYTES} bytes, got ${value.byteLength}`);
  }
  return value.slice();
}

/**
 * What the store keeps of a token: base64url of SHA-256 of the whole token string, or of
 * HMAC-SHA-256 under `pepper` (then a copy of the store alone cannot even confirm a
 * guessed token). Web Crypto; the HMAC key is imported once, on first use.
 */
export function tokenHasher(pepper: Uint8Array<ArrayBuffer> | undefined): (token: string) => Promise<string> {
  if (pepper === undefined) {
    return async (token) =>
      base64url.encode(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(token))));
  }
  let key: Promise<CryptoKey> | undefined;
  return async (token) => {
    key ??= globalThis.crypto.subtle.importKey('raw', pepper, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return base64url.encode(
      new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', await key, encoder.encode(token))),
    );
  };
}
