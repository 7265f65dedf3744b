/**
 * INTERIM: the four @bulwark/tokens factories of API-15 (accessTokens, accessTokenVerifier,
 * jwtAuthenticator, memoryRevocationStore), with the same names and shapes, so the demo runs
 * while the package's own are being written. Removed when they land: tokens.ts then
 * imports them from @bulwark/tokens and nothing else changes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Authenticator, AuthFailureReason, Principal } from '@bulwark/core';
import type {
  RevocationStore,
  RevocationTarget,
  SigningAlgorithm,
  SigningKeySource,
  VerificationKeySource,
} from '@bulwark/tokens';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly sid: string;
  readonly expiresAt: number;
  readonly expiresIn: number;
}

export interface AccessTokenIssuer {
  issue(input: {
    subject: string;
    scopes: readonly string[];
    clientId: string;
    sessionId?: string;
  }): Promise<IssuedAccessToken>;
}

export function accessTokens(options: {
  keys: SigningKeySource;
  issuer: string;
  audience: string;
  ttl: number;
}): AccessTokenIssuer {
  return {
    async issue(input) {
      const key = await options.keys.signingKey();
      const jti = randomBytes(16).toString('base64url');
      const sid = input.sessionId ?? randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const exp = now + Math.floor(options.ttl / 1000);
      const token = await new SignJWT({ scope: input.scopes.join(' '), sid, client_id: input.clientId })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(input.subject)
        .setJti(jti)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key.key);
      return { token, jti, sid, expiresAt: exp * 1000, expiresIn: exp - now };
    },
  };
}

type VerifyOutcome = { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason };

export interface AccessTokenVerifier {
  verify(token: string): Promise<VerifyOutcome>;
}

export function accessTokenVerifier(options: {
  keys: VerificationKeySource;
  issuer: string;
  audience: string;
  algorithms: readonly SigningAlgorithm[];
  clockTolerance: number;
  revocations: RevocationStore;
}): AccessTokenVerifier {
  return {
    async verify(token) {
      if (token.length > 8192) return { ok: false, reason: 'too_large' };
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        return { ok: false, reason: 'encoding' };
      }
      const key = kid === undefined || !/^[A-Za-z0-9._-]{1,128}$/.test(kid) ? undefined : await options.keys.key(kid);
      if (key === undefined) return { ok: false, reason: 'unknown_key' };
      try {
        const { payload } = await jwtVerify(token, key.key, {
          algorithms: [key.alg],
          issuer: options.issuer,
          audience: options.audience,
          typ: 'at+jwt',
          clockTolerance: options.clockTolerance / 1000,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        });
        const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
        if (await options.revocations.isRevoked(payload.jti as string, sid, Date.now()))
          return { ok: false, reason: 'revoked' };
        const scope = typeof payload.scope === 'string' ? payload.scope : '';
        return {
          ok: true,
          principal: {
            subject: payload.sub as string,
            kind: payload.sub === payload.client_id ? 'service' : 'user',
            scopes: scope === '' ? [] : scope.split(' '),
            source: { kind: 'jwt', issuer: options.issuer, tokenId: payload.jti },
            claims: payload,
          },
        };
      } catch (error) {
        return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'signature' };
      }
    },
  };
}

export function jwtAuthenticator(verifier: AccessTokenVerifier): Authenticator {
  return {
    name: 'jwt',
    claim: ({ bearer }) => bearer,
    verify: async (credential) => {
      const outcome = await verifier.verify(credential);
      return outcome.ok ? outcome : { ok: false, code: 'invalid_token', reason: outcome.reason };
    },
  };
}

export function memoryRevocationStore(): RevocationStore {
  const revoked = new Map<string, number>();
  return {
    async revoke(target: RevocationTarget) {
      revoked.set(`${target.kind}:${target.id}`, target.until);
    },
    isRevoked(jti, sid, now) {
      const hit = (key: string) => (revoked.get(key) ?? 0) > now;
      return hit(`jti:${jti}`) || (sid !== undefined && hit(`sid:${sid}`));
    },
  };
}
