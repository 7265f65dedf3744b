import { hkdfSync, randomBytes } from 'node:crypto';

/**
 * A 32-byte secret for one purpose (`info`): derived from KEY_ENCRYPTION_KEY with HKDF when
 * it is set, so every process sharing it derives the same one; else random for this process
 * (nothing is shared, so nothing needs to agree).
 */
export function purposeKey(keyEncryptionKey: Uint8Array | undefined, info: string): Uint8Array {
  return keyEncryptionKey === undefined
    ? new Uint8Array(randomBytes(32))
    : new Uint8Array(hkdfSync('sha256', keyEncryptionKey, new Uint8Array(0), info, 32));
}
