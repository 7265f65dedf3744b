import { manualClock, type SecurityEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { memoryRevocationStore } from '../revocation/memory-store.js';
import { REFRESH_TOKEN_PATTERN, subjectTag } from './format.js';
import { memoryRefreshTokenStore } from './memory-store.js';
import type { RefreshTokenStore, RotateResult } from './port.js';
import { refreshTokens } from './refresh-tokens.js';
import type { RefreshTokensOptions } from './types.js';

const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const DAY = 86_400_000;
const who = { subject: 'user-42', clientId: 'notes-api', scopes: ['notes:read'] };

/** A store that counts every call made to it (and may rewrite rotate answers). */
function counting(inner: RefreshTokenStore, rewrite?: (r: RotateResult) => RotateResult) {
  const calls: string[] = [];
  const store: RefreshTokenStore = {
    createFamily(input) {
      calls.push('createFamily');
      return inner.createFamily(input);
    },
    async rotate(input) {
      calls.push('rotate');
      const result = await inner.rotate(input);
      return rewrite ? rewrite(result) : result;
    },
    revokeFamily(familyId) {
      calls.push('revokeFamily');
      return inner.revokeFamily(familyId);
    },
    revokeSubject(subject, tag) {
      calls.push('revokeSubject');
      return inner.revokeSubject(subject, tag);
    },
    getFamily(familyId) {
      calls.push('getFamily');
      return inner.getFamily(familyId);
    },
  };
  return { store, calls };
}

function setup(options: RefreshTokensOptions = {}) {
  const clock = manualClock(T0);
  const inner = memoryRefreshTokenStore({ clock });
  const { store, calls } = counting(inner);
  const revocations = memoryRevocationStore({ clock });
  const events: SecurityEvent[] = [];
  const refresh = refreshTokens({
    store,
    clock,
    revocations: { store: revocations, accessTokenTtl: '15m', clockTolerance: '5s' },
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { clock, inner, calls, revocations, events, refresh };
}

describe('refreshTokens', () => {
  it('issues a recognisable opaque token whose family is the session, with the default lifetimes', async () => {
    const { refresh, inner } = setup();
    const issued = await refresh.issue(who);
    expect(issued.token).toMatch(new RegExp(`^${REFRESH_TOKEN_PATTERN.source}$`));
    expect(issued.token.startsWith(`bwrt_${issued.familyId}.`)).toBe(true);
    expect(issued.familyId.startsWith(subjectTag(who.subject))).toBe(true);
    expect(issued).toMatchObject({ generation: 0, absoluteExpiresAt: T0 + 30 * DAY, idleExpiresAt: T0 + 7 * DAY });
    expect(await inner.getFamily(issued.familyId)).toMatchObject({ status: 'live', ...who });
    expect((await refresh.issue(who)).token).not.toBe(issued.token);
  });

  it('stores only the hash: SHA-256 of the token, or HMAC-SHA-256 with a pepper', async () => {
    for (const pepper of [undefined, crypto.getRandomValues(new Uint8Array(32))]) {
      const hashes: string[] = [];
      const inner = memoryRefreshTokenStore();
      const refresh = refreshTokens({
        pepper,
        store: {
          ...inner,
          createFamily(input) {
            hashes.push(input.tokenHash);
            return inner.createFamily(input);
          },
        },
      });
      const { token } = await refresh.issue(who);
      const bytes = new TextEncoder().encode(token);
      const expected = pepper
        ? await crypto.subtle.sign(
            'HMAC',
            await crypto.subtle.importKey('raw', pepper, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
            bytes,
          )
        : await crypto.subtle.digest('SHA-256', bytes);
      expect(hashes).toEqual([Buffer.from(expected).toString('base64url')]);
    }
  });

  it('rotates in exactly one store call; the child is of the same family, one generation up', async () => {
    const { refresh, calls } = setup({ idleLifetime: '1d' });
    const issued = await refresh.issue(who);
    calls.length = 0;
    const outcome = await refresh.rotate(issued.token);
    expect(calls).toEqual(['rotate']);
    expect(outcome).toMatchObject({ ok: true, kind: 'rotated', family: { familyId: issued.familyId, ...who } });
    if (!outcome.ok) return;
    expect(outcome.refreshToken).toMatchObject({ familyId: issued.familyId, generation: 1, idleExpiresAt: T0 + DAY });
    expect(outcome.refreshToken.token).not.toBe(issued.token);
    expect(outcome.refreshToken.token.startsWith(`bwrt_${issued.familyId}.`)).toBe(true);
  });

  it('a grace retry answers the identical child token string; after the window it is a reuse', async () => {
    const { refresh, clock } = setup({ grace: '10s' });
    const issued = await refresh.issue(who);
    const first = await refresh.rotate(issued.token);
    clock.advance(10_000);
    const retry = await refresh.rotate(issued.token);
    expect(retry).toMatchObject({ ok: true, kind: 'grace' });
    if (!first.ok || !retry.ok) throw new Error('expected both to succeed');
    expect(retry.refreshToken).toEqual(first.refreshToken);
    clock.advance(1);
    expect(await refresh.rotate(issued.token)).toEqual({ ok: false, reason: 'reused' });
    expect(await refresh.rotate(first.refreshToken.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a grace answer whose sealed child does not open with the token is unknown, never a crash', async () => {
    for (const sealedChild of ['garbage!', 'AAAA', '']) {
      const inner = memoryRefreshTokenStore();
      const { store } = counting(inner, (r) => (r.outcome === 'grace' ? { ...r, sealedChild } : r));
      const refresh = refreshTokens({ store, grace: '10s' });
      const issued = await refresh.issue(who);
      await refresh.rotate(issued.token);
      expect(await refresh.rotate(issued.token)).toEqual({ ok: false, reason: 'unknown' });
    }
  });

  it('on reuse: revokes the family and its access tokens (by sid), and emits token.reuse_detected', async () => {
    const { refresh, revocations, events, clock } = setup();
    const issued = await refresh.issue(who);
    const one = await refresh.rotate(issued.token);
    if (!one.ok) throw new Error('expected a rotation');
    const two = await refresh.rotate(one.refreshToken.token);
    clock.advance(MINUTE);
    expect(await refresh.rotate(one.refreshToken.token)).toEqual({ ok: false, reason: 'reused' });
    expect(events).toEqual([
      {
        type: 'token.reuse_detected',
        at: T0 + MINUTE,
        credential: 'refresh_token',
        familyId: issued.familyId,
        generation: 1,
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(one.refreshToken.token.split('.')[1]);
    // For the access-token TTL plus the clock tolerance from the revocation, no longer.
    const until = T0 + MINUTE + 15 * MINUTE + 5_000;
    expect(revocations.isRevoked('any-jti', issued.familyId, until - 1)).toBe(true);
    expect(revocations.isRevoked('any-jti', issued.familyId, until)).toBe(false);
    if (two.ok) expect(await refresh.rotate(two.refreshToken.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a malformed token never reaches the store', async () => {
    const { refresh, calls } = setup();
    const issued = await refresh.issue(who);
    calls.length = 0;
    const [, secret] = issued.token.split('.');
    for (const token of [
      '',
      'bwrt_',
      issued.token.slice(0, -1),
      `${issued.token}A`,
      issued.token.replace('bwrt_', 'acme_'),
      issued.token.replace('.', '_'),
      `${issued.token.slice(0, -1)}B`,
      `bwrt_${'*'.repeat(30)}.${secret}`,
      42 as unknown as string,
      undefined as unknown as string,
    ]) {
      expect(await refresh.rotate(token)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(calls).toEqual([]);
  });

  it('answers unknown, revoked and expired as the store says', async () => {
    const { refresh, clock } = setup({ absoluteLifetime: '1h' });
    const other = refreshTokens({ store: memoryRefreshTokenStore() });
    expect(await refresh.rotate((await other.issue(who)).token)).toEqual({ ok: false, reason: 'unknown' });
    const a = await refresh.issue(who);
    expect(a.idleExpiresAt).toBe(T0 + 3_600_000);
    await refresh.revokeFamily(a.familyId);
    expect(await refresh.rotate(a.token)).toEqual({ ok: false, reason: 'revoked' });
    const b = await refresh.issue(who);
    clock.advance(3_600_000);
    expect(await refresh.rotate(b.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('revokeFamily, revokeSubject and cap evictions revoke the sessions their access tokens belong to', async () => {
    const { refresh, revocations, inner } = setup({ maxFamiliesPerUser: 2 });
    const [a, b, c] = [await refresh.issue(who), await refresh.issue(who), await refresh.issue(who)];
    const revoked = (id: string) => revocations.isRevoked('jti', id, T0);
    expect([revoked(a.familyId), revoked(b.familyId), revoked(c.familyId)]).toEqual([true, false, false]);
    await refresh.revokeFamily(b.familyId);
    expect(revoked(b.familyId)).toBe(true);
    const d = await refresh.issue(who);
    const someoneElse = await refresh.issue({ ...who, subject: 'user-7' });
    expect(await refresh.revokeSubject(who.subject)).toEqual([c.familyId, d.familyId]);
    expect([revoked(c.familyId), revoked(d.familyId), revoked(someoneElse.familyId)]).toEqual([true, true, false]);
    expect((await inner.getFamily(someoneElse.familyId))?.status).toBe('live');
  });

  it('issues into a family id pre-allocated for its subject, and refuses one of another subject', async () => {
    const { refresh } = setup();
    const familyId = refresh.newFamilyId(who.subject);
    expect((await refresh.issue({ ...who, familyId })).familyId).toBe(familyId);
    await expect(refresh.issue({ ...who, familyId: refresh.newFamilyId('user-7') })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(refresh.issue({ ...who, familyId: 'sess-1' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(refresh.revokeFamily('sess-1')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(refresh.issue({ ...who, subject: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('a custom prefix makes and reads its own tokens only', async () => {
    const refresh = refreshTokens({ prefix: 'acme_' });
    const issued = await refresh.issue(who);
    expect(issued.token.startsWith('acme_')).toBe(true);
    expect((await refresh.rotate(issued.token)).ok).toBe(true);
    expect(await refresh.rotate(`bwrt_${issued.token.slice(5)}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses insecure or inconsistent options at the factory, naming the option', () => {
    const store = memoryRevocationStore();
    const bad: [RefreshTokensOptions, string][] = [
      [{ grace: '61s' }, 'grace'],
      [{ grace: -1 }, 'grace'],
      [{ idleLifetime: '31d' }, 'idleLifetime'],
      [{ absoluteLifetime: '1d', idleLifetime: '2d' }, 'idleLifetime'],
      [{ absoluteLifetime: 0 }, 'absoluteLifetime'],
      [{ maxFamiliesPerUser: 0 }, 'maxFamiliesPerUser'],
      [{ maxFamiliesPerUser: 1.5 }, 'maxFamiliesPerUser'],
      [{ pepper: new Uint8Array(16) }, 'pepper'],
      [{ prefix: 'BW_' }, 'prefix'],
      [{ revocations: { store } as never }, 'revocations.accessTokenTtl'],
      [{ revocations: { store, accessTokenTtl: 0 } }, 'revocations.accessTokenTtl'],
      [{ revocations: { store, accessTokenTtl: '15m', clockTolerance: '2m' } }, 'revocations.clockTolerance'],
      [{ revocations: { store: {} as never, accessTokenTtl: '15m' } }, 'revocations.store'],
      [{ revocations: { store, accessTokenTtl: '15m', ttl: 5 } as never }, 'revocations.ttl'],
      [{ store: {} as never }, 'store'],
      [{ clock: 5 as never }, 'clock'],
      [{ onEvent: 'log' as never }, 'onEvent'],
      [{ gracePeriod: '10s' } as never, 'gracePeriod'],
    ];
    for (const [options, option] of bad) {
      expect(() => refreshTokens(options), option).toThrow(expect.objectContaining({ code: 'config_invalid', option }));
    }
    // A shorter absolute lifetime alone shortens the default idle one.
    expect(() => refreshTokens({ absoluteLifetime: '1d' })).not.toThrow();
    expect(() => refreshTokens({ grace: '60s', idleLifetime: undefined })).not.toThrow();
  });
});
