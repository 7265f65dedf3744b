import { base64url } from 'jose';

/**
 * The child token kept for a grace retry, sealed so that the store holds nothing usable:
 * AES-256-GCM under a key derived by HKDF-SHA-256 from the parent token (which only the
 * client holds, and which the store knows only by its hash), a random 96-bit IV, and the
 * family id as additional data (a sealed child moved to another family does not open).
 * The parent token's 256 random bits are the key material, hence no salt.
 * Format: base64url(IV ‖ ciphertext ‖ tag).
 */
const INFO = new TextEncoder().encode('bulwark/refresh-token/grace-seal/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

async function keyFrom(parentToken: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', encoder.encode(parentToken), 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: INFO },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

/** Seals `childToken` under `parentToken` for family `familyId`. */
export async function sealChild(parentToken: string, childToken: string, familyId: string): Promise<string> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(familyId) },
    await keyFrom(parentToken, 'encrypt'),
    encoder.encode(childToken),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return base64url.encode(out);
}

/** The child sealed under `parentToken` for `familyId`, or `undefined` for anything that does not open (never throws). */
export async function unsealChild(parentToken: string, sealed: string, familyId: string): Promise<string | undefined> {
  try {
    const bytes = base64url.decode(sealed);
    if (bytes.byteLength < IV_BYTES + TAG_BYTES) return undefined;
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES), additionalData: encoder.encode(familyId) },
      await keyFrom(parentToken, 'decrypt'),
      bytes.slice(IV_BYTES),
    );
    return decoder.decode(plain);
  } catch {
    return undefined;
  }
}
