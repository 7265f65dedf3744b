import { base64url } from 'jose';

/**
 * PKCE (RFC 7636), S256 only. The verifier is 43 to 128 characters of the unreserved set
 * `A-Z a-z 0-9 - . _ ~` (§4.1); the challenge is base64url(SHA-256(ASCII(verifier))), no
 * padding (§4.2): always 43 characters. `plain` is never accepted: a challenge equal to
 * its verifier protects nothing once the authorization request is seen.
 */

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** 32 bytes in base64url without padding: 42 free characters and a last one whose 2 spare bits are zero. */
const CHALLENGE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** The verifier when `value` is a well-formed RFC 7636 code_verifier; `undefined` otherwise. */
export function parseCodeVerifier(value: unknown): string | undefined {
  return typeof value === 'string' && VERIFIER.test(value) ? value : undefined;
}

/** The challenge when `value` is a canonical S256 code_challenge (43 base64url characters); `undefined` otherwise. */
export function parseCodeChallenge(value: unknown): string | undefined {
  return typeof value === 'string' && CHALLENGE.test(value) ? value : undefined;
}

/** The S256 challenge of a verifier: base64url(SHA-256(ASCII(verifier))). The verifier is not checked here. */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}

/**
 * Compares two strings in time that depends on their length only (never on where they
 * first differ), so a challenge or a secret hash cannot be found a character at a time.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * True when `verifier` is a well-formed code_verifier whose S256 challenge is `challenge`,
 * itself well-formed. A missing or malformed challenge is `false` whatever the verifier:
 * a verifier sent where no challenge was stored is a downgrade (RFC 9700 §4.8.2).
 */
export async function verifyPkce(verifier: unknown, challenge: unknown): Promise<boolean> {
  const stored = parseCodeChallenge(challenge);
  const presented = parseCodeVerifier(verifier);
  if (stored === undefined || presented === undefined) return false;
  return constantTimeEqual(await s256Challenge(presented), stored);
}

/** A fresh PKCE pair, for clients and tests. */
export interface PkcePair {
  /** 43 characters (256 random bits, base64url): keep it until the token request. */
  readonly verifier: string;
  /** Its S256 challenge: send it in the authorization request with `code_challenge_method=S256`. */
  readonly challenge: string;
  readonly method: 'S256';
}

/**
 * Makes a code_verifier of 256 random bits and its S256 challenge (RFC 7636 §4.1, §4.2).
 *
 * @example
 * ```ts
 * import { createPkcePair } from '@bulwark/tokens';
 *
 * const pkce = await createPkcePair();
 * const url = new URL('https://auth.example.com/oauth/authorize');
 * url.searchParams.set('code_challenge', pkce.challenge);
 * url.searchParams.set('code_challenge_method', pkce.method);
 * // ...later, in the token request: code_verifier=pkce.verifier
 * ```
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  return Object.freeze({ verifier, challenge: await s256Challenge(verifier), method: 'S256' as const });
}
