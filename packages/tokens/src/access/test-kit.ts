/**
 * Test fixtures of the access-token tests (not exported by the package): keys of each kind,
 * an in-memory key source, a token signer that signs exact header and payload texts (so a
 * test can build duplicate members or odd encodings that no JOSE library would produce),
 * and a tiny revocation store until `memoryRevocationStore` lands.
 */
import { base64url, exportJWK, generateKeyPair } from 'jose';
import type { SigningAlgorithm, VerificationKey, VerificationKeySource } from '../keys.js';
import type { RevocationStore, RevocationTarget } from '../revocation.js';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'notes-api';
export const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
export const NOW_S = T0 / 1000;

export interface TestKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly signKey: CryptoKey;
  readonly verification: VerificationKey;
}

const SIGN_PARAMS: Record<string, AlgorithmIdentifier | EcdsaParams | RsaPssParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  ES384: { name: 'ECDSA', hash: 'SHA-384' },
  EdDSA: { name: 'Ed25519' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams,
  HS256: { name: 'HMAC' },
};

export async function hmacKey(kid: string, bytes = 32): Promise<TestKey> {
  const key = await crypto.subtle.importKey(
    'raw',
    crypto.getRandomValues(new Uint8Array(bytes)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return { kid, alg: 'HS256', signKey: key, verification: Object.freeze({ kid, alg: 'HS256', key }) };
}

export async function asymmetricKey(
  kid: string,
  alg: 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256',
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, signKey: privateKey, verification: Object.freeze({ kid, alg, key: publicKey }) };
}

export async function publicJwkText(key: TestKey): Promise<string> {
  return JSON.stringify(await exportJWK(key.verification.key as CryptoKey));
}

/** A key source over a map, counting lookups. */
export function staticKeys(...keys: (TestKey | VerificationKey)[]): VerificationKeySource & { lookups: string[] } {
  const byKid = new Map<string, VerificationKey>();
  for (const k of keys) byKid.set(k.kid, 'verification' in k ? k.verification : k);
  const lookups: string[] = [];
  return {
    lookups,
    key(kid) {
      lookups.push(kid);
      return byKid.get(kid);
    },
  };
}

export const b64 = (text: string): string => base64url.encode(new TextEncoder().encode(text));

/** Signs `header.payload` given as exact JSON texts (or already-encoded parts) with WebCrypto. */
export async function signTexts(
  headerText: string,
  payloadText: string,
  key: CryptoKey,
  alg: SigningAlgorithm,
  encode: (text: string) => string = b64,
): Promise<string> {
  const input = `${encode(headerText)}.${encode(payloadText)}`;
  const signature = await crypto.subtle.sign(
    SIGN_PARAMS[alg] as AlgorithmIdentifier,
    key,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

/** Signs `input` (header.payload, already encoded) with a raw HMAC secret: the confusion attack's signer. */
export async function hmacSignRaw(input: string, secret: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret.slice(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    sub: 'user-42',
    aud: AUDIENCE,
    exp: NOW_S + 900,
    iat: NOW_S,
    jti: 'AAAAAAAAAAAAAAAAAAAAAA',
    sid: 'session-1',
    client_id: 'notes-api',
    scope: 'notes:read notes:write',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** A token of `key` with `header` members merged over `{ alg, typ: 'at+jwt', kid }` (undefined drops one). */
export function token(
  key: TestKey,
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  const h: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid };
  for (const [name, value] of Object.entries(header)) {
    if (value === undefined) delete h[name];
    else h[name] = value;
  }
  return signTexts(JSON.stringify(h), JSON.stringify(payload), key.signKey, key.alg);
}

/** A minimal, correct revocation store for the tests (a Map), with a switch to make it fail. */
export function testRevocations(mode: { async?: boolean } = {}): RevocationStore & {
  failing: boolean;
  calls: number;
} {
  const revoked = new Map<string, number>();
  const store = {
    failing: false,
    calls: 0,
    async revoke(target: RevocationTarget) {
      revoked.set(`${target.kind}:${target.id}`, target.until);
    },
    isRevoked(jti: string, sid: string | undefined, now: number): boolean | Promise<boolean> {
      store.calls++;
      if (store.failing) {
        if (mode.async) return Promise.reject(new Error('store down'));
        throw new Error('store down');
      }
      const live = (key: string) => (revoked.get(key) ?? -1) > now;
      const answer = live(`jti:${jti}`) || (sid !== undefined && live(`sid:${sid}`));
      return mode.async ? Promise.resolve(answer) : answer;
    },
  };
  return store;
}
