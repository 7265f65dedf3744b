import type { AuthFailureReason } from '@bulwark/core';
import { base64url } from 'jose';
import {
  hasUrlSafeCharacter,
  padding,
  segments,
  standardAlphabet,
  withSegment,
  withSpareBit,
} from './token-encoding.js';
import { algorithmAttacks, criticalAttacks, keyHeaderAttacks } from './token-header-attacks.js';
import { b64, signCompact } from './token-sign.js';
import {
  ATTACK_SCOPES,
  ATTACK_SUBJECT,
  accessClaims,
  accessHeader,
  bearer,
  DUPLICATE,
  malformed,
  refused,
  STRUCTURE,
  seconds,
  signer,
  type TokenAttack,
  type TokenControl,
  type TokenWorld,
  validToken,
} from './token-world.js';

export {
  ATTACK_SCOPES,
  ATTACK_SUBJECT,
  accessClaims,
  accessHeader,
  type TokenAttack,
  type TokenControl,
  type TokenKeys,
  type TokenWorld,
  tokenKeys,
  validToken,
} from './token-world.js';

/** P-256's group order n: an ECDSA signature with r or s outside [1, n - 1] is invalid (FIPS 186-5). */
const P256_ORDER = Uint8Array.from(
  'FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'.match(/../g) as string[],
  (h) => Number.parseInt(h, 16),
);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

async function claimAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const now = seconds(world.now);
  const token = (claims: Record<string, unknown>) => validToken(world, claims);
  const attacks: TokenAttack[] = [];
  const missing: ReadonlyArray<readonly [string, readonly AuthFailureReason[]]> = [
    ['exp', ['claims', 'expired']],
    ['iat', ['claims', 'issued_in_future']],
    ['iss', ['claims', 'issuer']],
    ['aud', ['claims', 'audience']],
    ['sub', ['claims']],
    ['jti', ['claims']],
  ];
  for (const [claim, reasons] of missing)
    attacks.push(refused(`missing ${claim}`, await token({ [claim]: undefined }), reasons));
  const IN_FUTURE: readonly AuthFailureReason[] = ['issued_in_future', 'claims'];
  const TYPE: readonly AuthFailureReason[] = [
    'claims',
    'issuer',
    'audience',
    'expired',
    'issued_in_future',
    'not_yet_valid',
  ];
  attacks.push(
    refused(
      'iat 10 s in the future (beyond the 5 s tolerance)',
      await token({ iat: now + 10, exp: now + 910 }),
      IN_FUTURE,
    ),
    refused('iat an hour in the future', await token({ iat: now + 3600, exp: now + 4500 }), IN_FUTURE),
    refused('nbf a minute in the future', await token({ nbf: now + 60 }), ['not_yet_valid', 'claims']),
    refused('expired 10 s ago (beyond the 5 s tolerance)', await token({ iat: now - 910, exp: now - 10 }), ['expired']),
    refused('expired a day ago', await token({ iat: now - 86_400 - 900, exp: now - 86_400 }), ['expired']),
    refused('wrong iss', await token({ iss: 'https://attacker.test' }), ['issuer']),
    refused('iss with a trailing slash', await token({ iss: `${world.issuer}/` }), ['issuer']),
    refused('array iss (holding the right issuer)', await token({ iss: [world.issuer] }), ['issuer', 'claims']),
    refused('wrong aud', await token({ aud: 'other-api' }), ['audience']),
    refused('aud array without ours', await token({ aud: ['other-api', 'billing-api'] }), ['audience']),
    refused('aud empty array', await token({ aud: [] }), ['audience', 'claims']),
    refused('aud in another case', await token({ aud: world.audience.toUpperCase() }), ['audience']),
    refused('exp as a string', await token({ exp: String(now + 900) }), TYPE),
    refused('iat as a string', await token({ iat: String(now) }), TYPE),
    refused('nbf as a string', await token({ nbf: String(now - 10) }), TYPE),
    refused('exp as a boolean', await token({ exp: true }), TYPE),
    refused('sub as a number', await token({ sub: 42 }), TYPE),
    refused('sub as an object', await token({ sub: { id: ATTACK_SUBJECT } }), TYPE),
    refused('jti as a number', await token({ jti: 1 }), TYPE),
    refused('scope as an array', await token({ scope: [...ATTACK_SCOPES, 'admin'] }), TYPE),
    refused('client_id as a number', await token({ client_id: 7 }), TYPE),
    refused('sid as a number', await token({ sid: 7 }), TYPE),
    refused('iss as an object', await token({ iss: { url: world.issuer } }), TYPE),
    refused('revoked jti', await token({ jti: world.revokedJti }), ['revoked']),
    refused('revoked sid (the whole session)', await token({ sid: world.revokedSid }), ['revoked']),
  );
  return attacks;
}

async function typeAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing } = world.keys;
  const sign = (header: Record<string, unknown>, claims: Record<string, unknown> = {}) =>
    signCompact(header, accessClaims(world, claims), signer(signing));
  const TYPE: readonly AuthFailureReason[] = ['type', 'header'];
  return [
    refused('typ JWT', await sign(accessHeader(signing, { typ: 'JWT' })), TYPE),
    refused('no typ', await sign(accessHeader(signing, { typ: undefined })), TYPE),
    refused('typ of an ID token (id_token+jwt)', await sign(accessHeader(signing, { typ: 'id_token+jwt' })), TYPE),
    refused(
      'an ID token (typ JWT, aud the client, nonce)',
      await sign(accessHeader(signing, { typ: 'JWT' }), { aud: 'notes-spa', nonce: 'n-0S6_WzA2Mj', scope: undefined }),
      [...TYPE, 'audience'],
    ),
    refused('typ of a refresh token (rt+jwt)', await sign(accessHeader(signing, { typ: 'rt+jwt' })), TYPE),
    refused('typ of a refresh token (refresh+jwt)', await sign(accessHeader(signing, { typ: 'refresh+jwt' })), TYPE),
    refused('typ as a number', await sign(accessHeader(signing, { typ: 1 })), TYPE),
  ];
}

/** Raw JSON text with a member twice: JSON.parse keeps the last, so the first is what a reviewer would read. */
async function duplicateAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing } = world.keys;
  const claims = accessClaims(world);
  const claimsText = JSON.stringify(claims);
  const headerText = JSON.stringify(accessHeader(signing));
  const sign = (header: string, payload: string) => signCompact(header, payload, signer(signing));
  // `{...,"name":value}` + a second member placed first.
  const first = (json: string, member: string) => `{${member},${json.slice(1)}`;
  return [
    refused(
      'header with alg twice (none, then ES256)',
      await sign(first(headerText, '"alg":"none"'), claimsText),
      DUPLICATE,
    ),
    refused(
      'header with kid twice (the attacker kid, then the trusted one)',
      await sign(first(headerText, `"kid":"${world.keys.attacker.kid}"`), claimsText),
      DUPLICATE,
    ),
    refused(
      'header with typ twice (JWT, then at+jwt)',
      await sign(first(headerText, '"typ":"JWT"'), claimsText),
      DUPLICATE,
    ),
    refused(
      'header with alg twice, one spelled with an escape (\\u0061lg)',
      await sign(first(headerText, '"\\u0061lg":"none"'), claimsText),
      DUPLICATE,
    ),
    // A decoder that drops a leading byte order mark would read two byte strings as one JSON text.
    refused('header starting with a UTF-8 byte order mark', await sign(`\uFEFF${headerText}`, claimsText), DUPLICATE),
    refused('payload starting with a UTF-8 byte order mark', await sign(headerText, `\uFEFF${claimsText}`), DUPLICATE),
    refused(
      'payload with sub twice (admin, then alice)',
      await sign(headerText, first(claimsText, '"sub":"admin"')),
      DUPLICATE,
    ),
    refused(
      'payload with scope twice (admin, then the real scopes)',
      await sign(headerText, first(claimsText, '"scope":"admin"')),
      DUPLICATE,
    ),
    refused(
      'payload with exp twice',
      await sign(headerText, first(claimsText, `"exp":${seconds(world.now) + 86_400}`)),
      DUPLICATE,
    ),
    refused(
      'payload with iss twice, one spelled with an escape (\\u0069ss)',
      await sign(headerText, first(claimsText, '"\\u0069ss":"https://attacker.test"')),
      DUPLICATE,
    ),
  ];
}

async function signatureAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing } = world.keys;
  const good = await validToken(world);
  const [header, payload, sig] = segments(good);
  const raw = base64url.decode(sig);
  const zero = new Uint8Array(32);
  const r = raw.slice(0, 32);
  const s = raw.slice(32);
  const withSignature = (bytes: Uint8Array) => `${header}.${payload}.${base64url.encode(bytes)}`;
  const other = await validToken(world, { sub: 'mallory' });
  const escalated = b64(JSON.stringify({ ...accessClaims(world), scope: 'notes:read notes:write admin' }));
  const SIGNATURE: readonly AuthFailureReason[] = ['signature'];
  return [
    refused('ECDSA signature r = 0, s = 0', withSignature(new Uint8Array(64)), SIGNATURE),
    refused('ECDSA signature r = 0 (real s)', withSignature(concat(zero, s)), SIGNATURE),
    refused('ECDSA signature s = 0 (real r)', withSignature(concat(r, zero)), SIGNATURE),
    refused('ECDSA signature r = n, s = n (the group order)', withSignature(concat(P256_ORDER, P256_ORDER)), SIGNATURE),
    refused(
      'ECDSA signature of the wrong length (DER-sized, 70 bytes)',
      withSignature(concat(raw, new Uint8Array(6))),
      ['signature', 'encoding'],
    ),
    refused('empty signature', `${header}.${payload}.`, ['signature', 'encoding', 'malformed']),
    refused('payload altered (admin scope) under the original signature', `${header}.${escalated}.${sig}`, SIGNATURE),
    refused('signature of another token', `${header}.${payload}.${segments(other)[2]}`, SIGNATURE),
    refused(
      'signed by the attacker key under the trusted kid',
      await signCompact(accessHeader(signing), accessClaims(world), signer(world.keys.attacker)),
      SIGNATURE,
    ),
  ];
}

async function structureAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const good = await validToken(world);
  const [header, payload, sig] = segments(good);
  const { signing } = world.keys;
  const signed = (h: string, p: string) => signCompact(h, p, signer(signing));
  const oversize = await validToken(world, { pad: 'x'.repeat(6200) });
  if (oversize.length <= 8192) throw new Error('the oversize token is not over 8 KiB');
  return [
    refused('two segments', `${header}.${payload}`, STRUCTURE),
    refused('four segments', `${good}.${sig}`, STRUCTURE),
    refused('five segments (JWE-shaped)', `${header}.${payload}.${sig}.${sig}.${sig}`, STRUCTURE),
    refused('empty header segment', `.${payload}.${sig}`, STRUCTURE),
    refused('header not JSON', await signed('not json', JSON.stringify(accessClaims(world))), STRUCTURE),
    refused('header a JSON array', await signed('[]', JSON.stringify(accessClaims(world))), STRUCTURE),
    refused('payload not JSON', await signed(JSON.stringify(accessHeader(signing)), 'not json'), STRUCTURE),
    refused('payload a JSON array', await signed(JSON.stringify(accessHeader(signing)), '[1]'), STRUCTURE),
    refused('payload a JSON string', await signed(JSON.stringify(accessHeader(signing)), '"alice"'), STRUCTURE),
    refused(`a validly signed token over 8 KiB (${oversize.length} characters)`, oversize, ['too_large']),
    refused('a token of 12,000 dots', '.'.repeat(12_000), ['too_large', 'malformed', 'encoding', 'unknown_credential']),
  ];
}

/**
 * The non-canonical spellings of a valid token (from {@link canonicalBase}): every one
 * decodes, leniently, to the same bytes. Those still inside RFC 6750 b64token reach the
 * verifier (401); those with `=`, a space or a tab inside are 400 before it.
 */
export function nonCanonicalSpellings(base: string): TokenAttack[] {
  const [header, payload, sig] = segments(base);
  const ENCODING: readonly AuthFailureReason[] = ['encoding', 'malformed', 'signature'];
  const attacks: TokenAttack[] = [
    refused('the valid token with its signature padded (==)', `${base}${padding(sig)}`, ENCODING),
    refused('the valid token with one = after its signature', `${base}=`, ENCODING),
    refused(
      'the valid token with its signature in the standard alphabet (+/)',
      withSegment(base, 2, standardAlphabet(sig)),
      ENCODING,
    ),
    refused(
      'the valid token with a non-zero spare bit in its signature',
      withSegment(base, 2, withSpareBit(sig) as string),
      ENCODING,
    ),
    malformed(
      'the valid token with its payload padded (= inside the token)',
      `Bearer ${header}.${payload}${padding(payload)}.${sig}`,
    ),
    malformed(
      'the valid token with a space inside',
      `Bearer ${header}.${payload.slice(0, 10)} ${payload.slice(10)}.${sig}`,
    ),
    malformed('the valid token with a tab inside', `Bearer ${header}.${payload}.\t${sig}`),
    malformed('the valid token preceded by a tab as the separator', `Bearer\t${base}`),
  ];
  const spare = withSpareBit(payload);
  if (spare !== undefined) {
    attacks.push(
      refused('the valid token with a non-zero spare bit in its payload', withSegment(base, 1, spare), ENCODING),
    );
  }
  if (hasUrlSafeCharacter(payload)) {
    attacks.push(
      refused(
        'the valid token with its payload in the standard alphabet (+/)',
        withSegment(base, 1, standardAlphabet(payload)),
        ENCODING,
      ),
    );
  }
  return attacks;
}

/**
 * A valid token whose segments exercise every non-canonical spelling: a signature with a
 * `-` or `_` (so the standard alphabet changes it), spare bits and padding in the payload.
 * ECDSA signatures are random, so a few tries find one.
 */
export async function canonicalBase(world: TokenWorld): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const token = await validToken(world, { note: 'x'.repeat(i % 3) });
    const [, payload, sig] = segments(token);
    if (hasUrlSafeCharacter(sig) && payload.length % 4 >= 2 && withSpareBit(sig) !== undefined) return token;
  }
  throw new Error('no token with every non-canonical spelling available');
}

/**
 * Every attack of THREATS.md's Tokens section against `world`, with what DEMO.md requires
 * for it. Tokens are built once here; send them to as many servers as needed.
 *
 * @example
 * ```ts
 * const keys = await tokenKeys();
 * const world = { issuer: 'https://issuer.test', audience: 'notes-api', now: Date.now(), keys,
 *   revokedJti: 'jti-revoked', revokedSid: 'sess-revoked' };
 * for (const attack of await tokenAttacks(world)) {
 *   // send attack.authorization; expect 401 invalid_token (or 400 invalid_request)
 * }
 * ```
 */
export async function tokenAttacks(world: TokenWorld): Promise<readonly TokenAttack[]> {
  const groups = await Promise.all([
    algorithmAttacks(world),
    keyHeaderAttacks(world),
    criticalAttacks(world),
    claimAttacks(world),
    typeAttacks(world),
    duplicateAttacks(world),
    signatureAttacks(world),
    structureAttacks(world),
    canonicalBase(world).then(nonCanonicalSpellings),
  ]);
  const attacks = groups.flat();
  const names = new Set(attacks.map((a) => a.name));
  if (names.size !== attacks.length) throw new Error('two token attacks share a name');
  return Object.freeze(attacks.map((a) => Object.freeze(a)));
}

/**
 * The tokens that must pass, so the suite can fail: a valid token from the attack builder
 * itself (each attack is a mutation of it), one signed by the second (RS256) key, one with
 * `iat` inside the clock tolerance, and one just under the 8 KiB cap.
 */
export async function tokenControls(world: TokenWorld): Promise<readonly TokenControl[]> {
  const now = seconds(world.now);
  const control = (name: string, token: string): TokenControl => ({
    name,
    authorization: bearer(token),
    subject: ATTACK_SUBJECT,
    scopes: ATTACK_SCOPES,
  });
  // The largest padding claim that keeps the token within 8192 characters (a binary search).
  let low = 0;
  let high = 8192;
  let underCap = await validToken(world);
  while (low < high) {
    const pad = Math.ceil((low + high) / 2);
    const token = await validToken(world, { pad: 'x'.repeat(pad) });
    if (token.length <= 8192) {
      low = pad;
      underCap = token;
    } else high = pad - 1;
  }
  return Object.freeze([
    control('a valid token of the attack builder (ES256)', await validToken(world)),
    control('a valid token signed by the RS256 key of the set', await validToken(world, {}, world.keys.rsa)),
    control(
      'a valid token with iat 3 s in the future (inside the 5 s tolerance)',
      await validToken(world, { iat: now + 3 }),
    ),
    control(`a valid token just under 8 KiB (${underCap.length} characters)`, underCap),
  ]);
}
