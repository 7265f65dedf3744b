import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { newRefreshFamilyId, newRefreshToken } from './format.js';
import { checkPepper, tokenHasher } from './hashing.js';
import { sealChild, unsealChild } from './seal.js';

const familyId = newRefreshFamilyId('user-1');
const parent = newRefreshToken('bwrt_', familyId);
const child = newRefreshToken('bwrt_', familyId);

describe('grace sealing', () => {
  it('opens with the parent token and the family id, and with nothing else', async () => {
    const sealed = await sealChild(parent, child, familyId);
    expect(sealed).not.toContain(child.slice(5));
    expect(await unsealChild(parent, sealed, familyId)).toBe(child);
    expect(await unsealChild(child, sealed, familyId)).toBeUndefined();
    expect(await unsealChild(parent, sealed, newRefreshFamilyId('user-1'))).toBeUndefined();
    // Each seal has its own IV.
    expect(await sealChild(parent, child, familyId)).not.toBe(sealed);
  });

  it('anything altered or garbled is undefined, never a throw', async () => {
    const sealed = await sealChild(parent, child, familyId);
    const bytes = base64url.decode(sealed);
    for (let i = 0; i < bytes.length; i += 7) {
      const altered = bytes.slice();
      altered[i] = (altered[i] as number) ^ 1;
      expect(await unsealChild(parent, base64url.encode(altered), familyId)).toBeUndefined();
    }
    for (const garbage of ['', 'AAAA', '!!!', sealed.slice(0, 20), `${sealed}A`, 'x'.repeat(200)]) {
      expect(await unsealChild(parent, garbage, familyId)).toBeUndefined();
    }
  });
});

describe('token hashes', () => {
  const hex = (text: string) => Buffer.from(base64url.decode(text)).toString('hex');

  it('SHA-256 of the whole token, base64url, without a pepper', async () => {
    const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parent)));
    expect(await tokenHasher(undefined)(parent)).toBe(base64url.encode(expected));
  });

  it('HMAC-SHA-256 under the pepper with one', async () => {
    const pepper = crypto.getRandomValues(new Uint8Array(32));
    const key = await crypto.subtle.importKey('raw', pepper, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(parent)));
    const hash = tokenHasher(checkPepper(pepper));
    expect(hex(await hash(parent))).toBe(Buffer.from(expected).toString('hex'));
    expect(await hash(parent)).not.toBe(await tokenHasher(undefined)(parent));
  });

  it('refuses a pepper under 32 bytes or not bytes', () => {
    for (const bad of [new Uint8Array(31), 'a'.repeat(64), [1, 2, 3]]) {
      expect(() => checkPepper(bad)).toThrow(expect.objectContaining({ option: 'pepper' }));
    }
  });
});
