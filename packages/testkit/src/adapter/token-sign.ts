import { base64url, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';

/**
 * Raw JWS signing for the attack tokens: the header and payload are given as the exact
 * JSON text to encode (so a token can carry a member twice, or a header jose would refuse
 * to build), and the signature is WebCrypto's over `header.payload`. This is test-only
 * code that forges tokens; the product signs through jose only.
 */

const encoder = new TextEncoder();

export type AttackAlgorithm = 'ES256' | 'RS256' | 'PS256' | 'HS256';

/** A key pair of the test world, with its JWKs and its kid (the RFC 7638 thumbprint). */
export interface TestKey {
  readonly kid: string;
  readonly alg: 'ES256' | 'RS256';
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK, with `kid` and `alg`. */
  readonly publicJwk: JWK;
  /** The private JWK, with `kid` and `alg` (what `keyring({ initialKeys })` takes). */
  readonly privateJwk: JWK;
  /** The public key as PEM SPKI text: what an RS256 -> HS256 confusion attack uses as the HMAC secret. */
  readonly spki: string;
}

/** A fresh key pair (extractable: its public forms become attack material). */
export async function testKey(alg: 'ES256' | 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return Object.freeze({
    kid,
    alg,
    privateKey,
    publicKey,
    publicJwk: Object.freeze({ ...publicJwk, kid, alg }),
    privateJwk: Object.freeze({ ...(await exportJWK(privateKey)), kid, alg }),
    spki: await exportSPKI(publicKey),
  });
}

/** How to sign: an algorithm and the key material WebCrypto signs with for it. */
export type Signer =
  | { readonly alg: 'ES256'; readonly key: CryptoKey }
  | { readonly alg: 'RS256'; readonly key: CryptoKey }
  /** PS256 with an RSA private key: re-imported for RSA-PSS (the alg-mismatch attack). */
  | { readonly alg: 'PS256'; readonly key: CryptoKey }
  /** HMAC with these secret bytes (any length: attackers pick public-key bytes). */
  | { readonly alg: 'HS256'; readonly secret: Uint8Array }
  /** A fixed signature segment (alg none, r = 0 / s = 0 signatures). */
  | { readonly alg: 'fixed'; readonly signature: Uint8Array };

/** The unpadded base64url of a JSON text (or of bytes), canonical. */
export function b64(input: string | Uint8Array): string {
  return base64url.encode(typeof input === 'string' ? encoder.encode(input) : input);
}

async function signature(signer: Signer, bytes: Uint8Array): Promise<Uint8Array> {
  const { subtle } = globalThis.crypto;
  // WebCrypto wants ArrayBuffer-backed views: copies.
  const input = new Uint8Array(bytes);
  switch (signer.alg) {
    case 'fixed':
      return signer.signature;
    case 'ES256':
      // WebCrypto's ECDSA output is r || s (IEEE P1363), the JWS form (RFC 7518 §3.4).
      return new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.key, input));
    case 'RS256':
      return new Uint8Array(await subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, signer.key, input));
    case 'PS256':
      return new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, signer.key, input));
    case 'HS256': {
      const key = await subtle.importKey(
        'raw',
        new Uint8Array(signer.secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return new Uint8Array(await subtle.sign('HMAC', key, input));
    }
  }
}

/**
 * A compact JWS: `b64(header).b64(payload).b64(signature)`. `header` and `payload` are JSON
 * text as given (objects are stringified); `payloadSegment` replaces the encoded payload
 * when an attack needs it verbatim (`b64: false`).
 */
export async function signCompact(
  header: string | object,
  payload: string | object,
  signer: Signer,
  options: { payloadSegment?: string } = {},
): Promise<string> {
  const h = b64(typeof header === 'string' ? header : JSON.stringify(header));
  const p = options.payloadSegment ?? b64(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const sig = await signature(signer, encoder.encode(`${h}.${p}`));
  return `${h}.${p}.${b64(sig)}`;
}

/** An RSA private key (of `key`) re-imported for RSA-PSS, to sign PS256 with an RS256 key. */
export async function pssKey(key: TestKey): Promise<CryptoKey> {
  const { alg: _alg, kid: _kid, ...jwk } = key.privateJwk;
  return globalThis.crypto.subtle.importKey('jwk', jwk, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
}

/** The encoded bytes of a public key's forms an attacker might try as an HMAC secret. */
export function publicKeySecrets(key: TestKey): ReadonlyArray<readonly [string, Uint8Array]> {
  const der = base64url.decode(
    key.spki
      .replace(/-----[A-Z ]+-----/g, '')
      .replace(/\s+/g, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, ''),
  );
  return [
    ['PEM SPKI', encoder.encode(key.spki)],
    ['DER SPKI', der],
    ['JWK JSON', encoder.encode(JSON.stringify(key.publicJwk))],
  ];
}
