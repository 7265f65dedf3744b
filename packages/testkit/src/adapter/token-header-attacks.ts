import type { AuthFailureReason } from '@bulwark/core';
import { base64url } from 'jose';
import { withSegment } from './token-encoding.js';
import { b64, pssKey, publicKeySecrets, signCompact } from './token-sign.js';
import {
  ALGORITHM,
  accessClaims,
  accessHeader,
  refused,
  signer,
  type TokenAttack,
  type TokenWorld,
  validToken,
} from './token-world.js';

/** Attacks on the JOSE header: the algorithm, the key it names or carries, and crit/b64. */
export async function algorithmAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing, rsa, attacker } = world.keys;
  const claims = () => accessClaims(world);
  const attacks: TokenAttack[] = [];
  const none = (alg: string) => ({ alg, typ: 'at+jwt', kid: signing.kid });
  const empty = new Uint8Array(0);
  attacks.push(
    refused('alg none, no signature', await signCompact(none('none'), claims(), { alg: 'fixed', signature: empty }), [
      ...ALGORITHM,
      'signature',
    ]),
    refused(
      'alg None (capitalised), no signature',
      await signCompact(none('None'), claims(), { alg: 'fixed', signature: empty }),
      [...ALGORITHM, 'signature'],
    ),
    refused('alg NONE, no signature', await signCompact(none('NONE'), claims(), { alg: 'fixed', signature: empty }), [
      ...ALGORITHM,
      'signature',
    ]),
    refused(
      'alg none with a real signature segment',
      withSegment(await validToken(world), 0, b64(JSON.stringify(none('none')))),
      [...ALGORITHM, 'signature'],
    ),
    refused(
      'alg none without kid',
      await signCompact({ alg: 'none', typ: 'at+jwt' }, claims(), { alg: 'fixed', signature: empty }),
      [...ALGORITHM, 'unknown_key', 'signature'],
    ),
    refused('no alg member', await signCompact(accessHeader(signing, { alg: undefined }), claims(), signer(signing)), [
      ...ALGORITHM,
    ]),
    refused('alg as a number', await signCompact(accessHeader(signing, { alg: 256 }), claims(), signer(signing)), [
      ...ALGORITHM,
    ]),
    // An alg other than the key's: each key is bound to one algorithm.
    refused(
      'alg PS256 on the RS256 key (signed with RSA-PSS by that key)',
      await signCompact(accessHeader(rsa, { alg: 'PS256' }), claims(), { alg: 'PS256', key: await pssKey(rsa) }),
      ALGORITHM,
    ),
    refused(
      'alg RS256 with the ES256 key id (signed by the trusted RSA key)',
      await signCompact(accessHeader(signing, { alg: 'RS256' }), claims(), signer(rsa)),
      [...ALGORITHM, 'signature'],
    ),
    refused(
      'alg ES256 with the RS256 key id (signed by the trusted EC key)',
      await signCompact(accessHeader(rsa, { alg: 'ES256' }), claims(), signer(signing)),
      [...ALGORITHM, 'signature'],
    ),
  );
  // RS256 -> HS256 confusion: the public key, in each form it is published, as the HMAC secret.
  for (const [form, secret] of publicKeySecrets(rsa)) {
    attacks.push(
      refused(
        `RS256 -> HS256 confusion: HMAC keyed with the RSA public key (${form})`,
        await signCompact(accessHeader(rsa, { alg: 'HS256' }), claims(), { alg: 'HS256', secret }),
        [...ALGORITHM, 'signature'],
      ),
    );
  }
  // HS256 against a set of asymmetric keys.
  for (const [form, secret] of publicKeySecrets(signing)) {
    attacks.push(
      refused(
        `HS256 against the asymmetric set: HMAC keyed with the EC public key (${form})`,
        await signCompact(accessHeader(signing, { alg: 'HS256' }), claims(), { alg: 'HS256', secret }),
        [...ALGORITHM, 'signature'],
      ),
    );
  }
  attacks.push(
    refused(
      'HS256 with an unknown kid and a secret of the attacker',
      await signCompact(accessHeader(attacker, { alg: 'HS256' }), claims(), {
        alg: 'HS256',
        secret: new Uint8Array(32).fill(7),
      }),
      [...ALGORITHM, 'unknown_key', 'signature'],
    ),
  );
  return attacks;
}

export async function keyHeaderAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing, attacker } = world.keys;
  const claims = () => accessClaims(world);
  const bySigning = (header: Record<string, unknown>) => signCompact(header, claims(), signer(signing));
  const byAttacker = (header: Record<string, unknown>) => signCompact(header, claims(), signer(attacker));
  const KID: readonly AuthFailureReason[] = ['header', 'unknown_key'];
  const EMBEDDED: readonly AuthFailureReason[] = ['header', 'unknown_key', 'signature'];
  const { kid: _kid, alg: _alg, ...attackerJwk } = attacker.publicJwk;
  const attackerDer = publicKeySecrets(attacker)[1]?.[1] as Uint8Array;
  const x5c = [base64url.encode(attackerDer).replace(/-/g, '+').replace(/_/g, '/')];
  return [
    refused('kid of 129 characters', await bySigning(accessHeader(signing, { kid: 'k'.repeat(129) })), KID),
    refused(
      'kid with a path (../../dev/null)',
      await bySigning(accessHeader(signing, { kid: '../../../../dev/null' })),
      KID,
    ),
    refused(
      "kid with SQL (x' UNION SELECT 'secret)",
      await bySigning(accessHeader(signing, { kid: "x' UNION SELECT 'secret" })),
      KID,
    ),
    refused('kid that is a URL', await bySigning(accessHeader(signing, { kid: 'https://attacker.test/key.pem' })), KID),
    refused(
      'kid of the right key plus a suffix',
      await bySigning(accessHeader(signing, { kid: `${signing.kid}x` })),
      KID,
    ),
    refused('kid as a number', await bySigning(accessHeader(signing, { kid: 1 })), KID),
    refused('kid empty', await bySigning(accessHeader(signing, { kid: '' })), KID),
    refused('no kid', await bySigning(accessHeader(signing, { kid: undefined })), KID),
    refused('unknown kid, signed by the attacker', await byAttacker(accessHeader(attacker)), KID),
    // Embedded or referenced keys must be ignored: the attacker's key never verifies.
    refused(
      'jwk header with the attacker key (attacker kid), signed by it',
      await byAttacker(accessHeader(attacker, { jwk: attackerJwk })),
      EMBEDDED,
    ),
    refused(
      'jwk header with the attacker key under the trusted kid, signed by it',
      await byAttacker(accessHeader(signing, { jwk: attackerJwk })),
      EMBEDDED,
    ),
    refused(
      'jku header pointing at the attacker set, signed by the attacker',
      await byAttacker(accessHeader(attacker, { jku: 'https://attacker.test/.well-known/jwks.json' })),
      EMBEDDED,
    ),
    refused(
      'jku header with the trusted kid, signed by the attacker',
      await byAttacker(accessHeader(signing, { jku: 'https://attacker.test/.well-known/jwks.json' })),
      EMBEDDED,
    ),
    refused(
      'x5u header pointing at the attacker certificate, signed by the attacker',
      await byAttacker(accessHeader(signing, { x5u: 'https://attacker.test/cert.pem' })),
      EMBEDDED,
    ),
    refused(
      'x5c header with the attacker key, signed by the attacker',
      await byAttacker(accessHeader(signing, { x5c })),
      EMBEDDED,
    ),
  ];
}

export async function criticalAttacks(world: TokenWorld): Promise<TokenAttack[]> {
  const { signing } = world.keys;
  const claims = accessClaims(world);
  const sign = (header: Record<string, unknown>, options: { payloadSegment?: string } = {}) =>
    signCompact(header, claims, signer(signing), options);
  const HEADER: readonly AuthFailureReason[] = ['header'];
  return [
    refused(
      'unknown crit member',
      await sign(accessHeader(signing, { crit: ['urn:example:bind'], 'urn:example:bind': true })),
      HEADER,
    ),
    refused(
      'crit naming a member that is absent',
      await sign(accessHeader(signing, { crit: ['urn:example:absent'] })),
      HEADER,
    ),
    refused('crit empty', await sign(accessHeader(signing, { crit: [] })), HEADER),
    refused('crit not an array', await sign(accessHeader(signing, { crit: 'b64' })), HEADER),
    // RFC 7797: the payload segment is taken verbatim; a verifier ignoring b64 would read the
    // same claims from it with the same signature as a normal token.
    refused(
      'b64: false with crit ["b64"] (RFC 7797), claims readable by a verifier ignoring it',
      await sign(accessHeader(signing, { b64: false, crit: ['b64'] }), { payloadSegment: b64(JSON.stringify(claims)) }),
      [...HEADER, 'claims', 'encoding'],
    ),
    refused(
      'b64: false without crit',
      await sign(accessHeader(signing, { b64: false }), { payloadSegment: b64(JSON.stringify(claims)) }),
      [...HEADER, 'claims', 'encoding'],
    ),
  ];
}
