/**
 * Synchronous SHA-256 and HMAC-SHA-256 for the account tags, from `@noble/hashes` (audited,
 * no dependencies, any runtime): Web Crypto's `digest` is asynchronous and costs about 60 us
 * a call in Node (a thread-pool hop), which was most of a sign-in attempt's accounting. A
 * test checks both against Web Crypto on generated inputs.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';

export { sha256 };

/** HMAC-SHA-256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}
