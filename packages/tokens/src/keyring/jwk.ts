import { base64url, type JWK } from 'jose';
import type { SigningAlgorithm } from '../keys.js';
import { ALGORITHM_SPECS, isSigningAlgorithm, KID_PATTERN, MIN_RSA_BITS } from './algorithms.js';

/** The public members of each key type: a public JWK is built from these only, never by deleting private ones. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
};

/** The public JWK of an asymmetric key (public or private JWK in), with its kid, alg and `use: "sig"`. */
export function publicJwk(jwk: JWK, kid: string, alg: SigningAlgorithm): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty as string];
  if (members === undefined) throw new TypeError(`no public form for kty ${String(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const name of members) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value === 'string') out[name] = value;
  }
  return { ...out, kid, alg, use: 'sig' } as JWK;
}

function decodedLength(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return base64url.decode(value).byteLength;
  } catch {
    return undefined;
  }
}

/**
 * Why a JWK cannot be a key bound to its `alg` here, or undefined when it can. `need`:
 * 'private' for a key that signs (initialKeys), 'public' for one that only verifies (a
 * remote JWK Set). Structural only: jose's import decides the rest.
 */
export function jwkProblem(jwk: unknown, need: 'private' | 'public'): string | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'not a JSON object';
  const k = jwk as Record<string, unknown>;
  if (typeof k.kid !== 'string') return 'no "kid"';
  if (!KID_PATTERN.test(k.kid)) return '"kid" must be 1 to 128 characters of [A-Za-z0-9._-]';
  if (k.alg === undefined) return 'no "alg" (each key is bound to one algorithm)';
  if (!isSigningAlgorithm(k.alg)) return `"alg" ${JSON.stringify(String(k.alg).slice(0, 20))} is not supported`;
  const spec = ALGORITHM_SPECS[k.alg];
  if (k.kty !== spec.kty) return `"kty" must be "${spec.kty}" for ${k.alg}`;
  if (spec.crv !== undefined && k.crv !== spec.crv) return `"crv" must be "${spec.crv}" for ${k.alg}`;
  if (k.use !== undefined && k.use !== 'sig') return '"use" must be "sig"';
  if (spec.kty === 'oct') {
    if (need === 'public') return 'a symmetric key';
    const bytes = decodedLength(k.k);
    if (bytes === undefined) return 'no valid "k"';
    if (bytes < (spec.hmacBytes as number))
      return `an HMAC secret for ${k.alg} must be at least ${spec.hmacBytes} bytes, got ${bytes}`;
    return undefined;
  }
  if (spec.kty === 'RSA') {
    const bytes = decodedLength(k.n);
    if (bytes === undefined) return 'no valid "n"';
    if (bytes * 8 < MIN_RSA_BITS) return `RSA keys must be at least ${MIN_RSA_BITS} bits`;
  }
  const hasPrivate = k.d !== undefined;
  if (need === 'private' && !hasPrivate) return 'a public key only (no "d"): a keyring signs with it';
  if (need === 'public' && hasPrivate) return 'a private key published in a JWK Set';
  return undefined;
}
