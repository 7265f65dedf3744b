/**
 * The synchronous SHA-256 of the subject tag: `newFamilyId(subject)` must compute it
 * synchronously, and Web Crypto's `digest` is only asynchronous. From `@noble/hashes`
 * (audited, no dependencies, any runtime); not used for anything secret (token hashes, HMAC
 * and sealing all go through Web Crypto). A test checks it against `crypto.subtle.digest`.
 */
export { sha256 } from '@noble/hashes/sha2';
