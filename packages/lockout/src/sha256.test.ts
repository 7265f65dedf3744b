import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from './sha256.js';

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');

describe('sync SHA-256 and HMAC', () => {
  it('agree with Web Crypto on generated inputs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 1, maxLength: 150 }),
        async (data, key) => {
          expect(hex(sha256(data))).toBe(hex(await crypto.subtle.digest('SHA-256', data)));
          const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
          expect(hex(hmacSha256(key, data))).toBe(hex(await crypto.subtle.sign('HMAC', k, data)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
