import { ConfigError } from '@bulwark/core';
import { base64url } from 'jose';

/**
 * Private keys at rest: AES-256-GCM (WebCrypto) with a random 96-bit IV per key and the
 * `kid` as additional data, so a sealed key moved to another record (another kid) fails
 * to open instead of signing under a name that is not its own. The AES key is derived from
 * the user's key-encryption key with HKDF-SHA-256 (a fixed `info`), which keeps this one
 * use of the secret apart from any other the user may make of it and accepts any KEK of at
 * least 32 bytes.
 */
const VERSION = 'v1';
const INFO = new TextEncoder().encode('bulwark/keyring/kek/v1');
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The minimum length of a key-encryption key: the 256 bits of AES-256. */
export const MIN_KEK_BYTES = 32;

export function checkKeyEncryptionKey(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ConfigError('keyEncryptionKey', 'expected a Uint8Array of at least 32 random bytes');
  }
  if (value.byteLength < MIN_KEK_BYTES) {
    throw new ConfigError(
      'keyEncryptionKey',
      `must be at least ${MIN_KEK_BYTES} bytes (AES-256), got ${value.byteLength}`,
    );
  }
  return value;
}

/** The AES-256-GCM key sealing private keys, derived once per keyring. */
export async function sealingKey(kek: Uint8Array): Promise<CryptoKey> {
  const base = await globalThis.crypto.subtle.importKey('raw', kek.slice(), 'HKDF', false, ['deriveKey']);
  return globalThis.crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: INFO },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function seal(key: CryptoKey, kid: string, plaintext: string): Promise<string> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(kid) },
    key,
    encoder.encode(plaintext),
  );
  return `${VERSION}.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/**
 * Opens a sealed key, or throws a ConfigError naming `keyEncryptionKey`: a record that does
 * not open was sealed under another key-encryption key (or altered in the store).
 */
export async function open(key: CryptoKey, kid: string, sealed: string): Promise<string> {
  const parts = sealed.split('.');
  try {
    if (parts.length !== 3 || parts[0] !== VERSION) throw new Error('unknown format');
    const iv = base64url.decode(parts[1] as string).slice();
    if (iv.byteLength !== 12) throw new Error('bad IV');
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(kid) },
      key,
      base64url.decode(parts[2] as string).slice(),
    );
    return decoder.decode(plain);
  } catch {
    throw new ConfigError(
      'keyEncryptionKey',
      `the stored key "${kid}" does not open: it was sealed under another key-encryption key, or altered`,
    );
  }
}
