import type { AuthFailureReason } from '@bulwark/core';
import { base64url } from 'jose';
import { type Signer, signCompact, type TestKey, testKey } from './token-sign.js';

/**
 * The forged and broken access tokens of THREATS.md's Tokens section, built for an issuer
 * whose keys the test owns. Every attack is one `Authorization` field value; what a
 * verifier must answer is DEMO.md's authentication table: 401 `invalid_token` (the
 * verifier claimed the token and refused it), or 400 `invalid_request` when the value is
 * not even RFC 6750 `b64token` (whitespace or `=` inside the token).
 */

/** The keys of a token world: two the verifier trusts, one an attacker holds. */
export interface TokenKeys {
  /** ES256, the first key of the set: it signs the valid tokens. */
  readonly signing: TestKey;
  /** RS256, also trusted: the target of the RS256 -> HS256 confusion. */
  readonly rsa: TestKey;
  /** ES256, not in the set: the attacker's own key. */
  readonly attacker: TestKey;
}

/** What the attack builders need to know of the issuer under test. */
export interface TokenWorld {
  readonly issuer: string;
  readonly audience: string;
  /** The verifier's clock, epoch ms. */
  readonly now: number;
  readonly keys: TokenKeys;
  /** A `jti` the test revokes before the attacks run. */
  readonly revokedJti: string;
  /** A `sid` (a whole session) the test revokes before the attacks run. */
  readonly revokedSid: string;
}

/** One attack: the field sent and what must be answered. */
export interface TokenAttack {
  readonly name: string;
  /** The `Authorization` field value, exactly as sent. */
  readonly authorization: string;
  readonly answer: 'invalid_token' | 'invalid_request';
  /**
   * The `auth.failed` reasons that name this attack's class (any one will do: verifiers
   * may classify, say, a duplicate `alg` as a header or an encoding failure). A token
   * refused for a reason outside the list was refused for the wrong reason: the attack is
   * then broken, not the verifier proven.
   */
  readonly reasons: readonly AuthFailureReason[];
}

/** A token the verifier must accept: the suite's proof that it can fail. */
export interface TokenControl {
  readonly name: string;
  readonly authorization: string;
  readonly subject: string;
  readonly scopes: readonly string[];
}

export const ATTACK_SUBJECT = 'alice';
export const ATTACK_SCOPES: readonly string[] = Object.freeze(['notes:read', 'notes:write']);

/** Key generation for a world: two trusted keys and the attacker's. */
export async function tokenKeys(): Promise<TokenKeys> {
  const [signing, rsa, attacker] = await Promise.all([testKey('ES256'), testKey('RS256'), testKey('ES256')]);
  return Object.freeze({ signing, rsa, attacker });
}

export const seconds = (ms: number) => Math.floor(ms / 1000);

let serial = 0;
/** A distinct `jti` per token (128 bits would do; a counter keeps the tokens reproducible in size). */
export function nextJti(): string {
  serial += 1;
  return `jti-${serial.toString(36).padStart(6, '0')}-${base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(12)))}`;
}

/** RFC 9068 claims of a valid access token at the world's `now`, with overrides (`undefined` drops a claim). */
export function accessClaims(world: TokenWorld, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = seconds(world.now);
  const claims: Record<string, unknown> = {
    iss: world.issuer,
    sub: ATTACK_SUBJECT,
    aud: world.audience,
    exp: iat + 900,
    iat,
    jti: nextJti(),
    scope: ATTACK_SCOPES.join(' '),
    client_id: 'notes-api',
    sid: 'sess-alice',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

/** The protected header of a valid token signed with `key`, with overrides (`undefined` drops a member). */
export function accessHeader(key: TestKey, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const header: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  return header;
}

export const signer = (key: TestKey): Signer => ({ alg: key.alg, key: key.privateKey }) as Signer;

/** A valid access token of the world, signed by its ES256 key (or `key`). */
export function validToken(
  world: TokenWorld,
  claims: Record<string, unknown> = {},
  key: TestKey = world.keys.signing,
): Promise<string> {
  return signCompact(accessHeader(key), accessClaims(world, claims), signer(key));
}

export const bearer = (token: string) => `Bearer ${token}`;

/** The `Authorization` of an attack claimed and refused by the verifier. */
export function refused(name: string, token: string, reasons: readonly AuthFailureReason[]): TokenAttack {
  return { name, authorization: bearer(token), answer: 'invalid_token', reasons };
}

/** An `Authorization` that is not RFC 6750 b64token: refused before any verifier. */
export function malformed(name: string, authorization: string): TokenAttack {
  return { name, authorization, answer: 'invalid_request', reasons: ['malformed'] };
}

/**
 * Structural failures: a verifier may refuse the token, or decline to claim what is not a
 * compact JWS at all (core then answers the same 401 invalid_token, `unknown_credential`).
 */
export const STRUCTURE: readonly AuthFailureReason[] = [
  'malformed',
  'encoding',
  'header',
  'claims',
  'unknown_credential',
];
export const DUPLICATE: readonly AuthFailureReason[] = ['malformed', 'encoding', 'header', 'claims'];
export const ALGORITHM: readonly AuthFailureReason[] = ['algorithm', 'header'];
