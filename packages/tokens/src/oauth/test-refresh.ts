// A small in-memory RefreshTokens for the server's unit tests (not exported): rotation,
// reuse revokes the family, and what was revoked is recorded for assertions. The real
// refreshTokens(...) runs in server.integration.test.ts.
import { base64url } from 'jose';
import { newRefreshFamilyId } from '../refresh/format.js';
import type { RefreshFamilyInfo } from '../refresh/port.js';
import type { IssuedRefreshToken, RefreshOutcome, RefreshTokens } from '../refresh/types.js';

interface Family {
  readonly info: RefreshFamilyInfo;
  live: string;
  revoked: boolean;
  readonly spent: Set<string>;
}

export interface FakeRefreshTokens extends RefreshTokens {
  readonly revoked: string[];
  readonly families: Map<string, Family>;
}

const random = () => base64url.encode(crypto.getRandomValues(new Uint8Array(16)));

export function fakeRefreshTokens(): FakeRefreshTokens {
  const families = new Map<string, Family>();
  const byToken = new Map<string, string>();
  const revoked: string[] = [];
  const issued = (token: string, familyId: string, generation: number): IssuedRefreshToken => ({
    token,
    familyId,
    generation,
    absoluteExpiresAt: Date.now() + 86_400_000,
    idleExpiresAt: Date.now() + 86_400_000,
  });
  return {
    revoked,
    families,
    newFamilyId: (subject) => newRefreshFamilyId(subject),
    async issue({ subject, clientId, scopes, familyId }) {
      const id = familyId ?? newRefreshFamilyId(subject);
      if (families.has(id)) throw new Error('store_conflict');
      const token = `bwrt_${random()}`;
      families.set(id, {
        info: { familyId: id, subject, clientId, scopes: [...scopes] },
        live: token,
        revoked: false,
        spent: new Set(),
      });
      byToken.set(token, id);
      return issued(token, id, 0);
    },
    async rotate(token): Promise<RefreshOutcome> {
      if (typeof token !== 'string' || !token.startsWith('bwrt_')) return { ok: false, reason: 'malformed' };
      const id = byToken.get(token);
      const family = id === undefined ? undefined : families.get(id);
      if (family === undefined) return { ok: false, reason: 'unknown' };
      if (family.revoked) return { ok: false, reason: 'revoked' };
      if (family.spent.has(token)) {
        family.revoked = true;
        revoked.push(family.info.familyId);
        return { ok: false, reason: 'reused' };
      }
      const child = `bwrt_${random()}`;
      family.spent.add(token);
      family.live = child;
      byToken.set(child, family.info.familyId);
      return {
        ok: true,
        kind: 'rotated',
        refreshToken: issued(child, family.info.familyId, family.spent.size),
        family: family.info,
      };
    },
    async revokeFamily(familyId) {
      revoked.push(familyId);
      const family = families.get(familyId);
      if (family !== undefined) family.revoked = true;
    },
    async revokeSubject() {
      return [];
    },
  };
}
