import { describe, expect, it } from 'vitest';
import { isFamilyId, subjectTag } from '../refresh/format.js';
import { SUBJECT_TAG_LENGTH } from '../refresh/port.js';
import { authorizationCodeHash } from './code.js';
import { createPkcePair } from './pkce.js';
import { APP_REDIRECT, codeFor, header, ISSUER, SPA_REDIRECT, setup, spaQuery } from './test-setup.js';
import type { AuthorizationRequest } from './types.js';

describe('approve', () => {
  it('answers a 303 to the exact redirect URI with code, state and iss, and stores the code by hash only', async () => {
    const s = await setup();
    const { code, location, decision } = await codeFor(s);
    expect(decision.status).toBe(303);
    expect(decision.headers.map(([n]) => n)).toEqual(['location']);
    expect(`${location.origin}${location.pathname}`).toBe(SPA_REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(['code', 'state', 'iss']);
    expect(location.searchParams.get('state')).toBe('st-1 /?&=#');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await s.codes.redeem(await authorizationCodeHash(code));
    expect(stored).toMatchObject({
      outcome: 'redeemed',
      record: { clientId: 'notes-spa', redirectUri: SPA_REDIRECT, scopes: ['notes:read'], subject: 'user-42' },
    });
    // Nothing is stored under the code itself.
    expect(await s.codes.redeem(code)).toEqual({ outcome: 'unknown' });
  });

  it('binds a fresh session id from refreshTokens.newFamilyId(subject) to each code', async () => {
    const s = await setup();
    const a = await codeFor(s);
    const b = await codeFor(s);
    const ra = await s.codes.redeem(await authorizationCodeHash(a.code));
    const rb = await s.codes.redeem(await authorizationCodeHash(b.code));
    if (ra.outcome !== 'redeemed' || rb.outcome !== 'redeemed') throw new Error('not redeemed');
    expect(isFamilyId(ra.record.familyId)).toBe(true);
    expect(ra.record.familyId.slice(0, SUBJECT_TAG_LENGTH)).toBe(subjectTag('user-42'));
    expect(ra.record.familyId).not.toBe(rb.record.familyId);
  });

  it('keeps the query of the registered redirect URI byte for byte', async () => {
    const s = await setup();
    const { decision } = await codeFor(
      s,
      (c) => ({
        response_type: 'code',
        client_id: 'reports-job',
        redirect_uri: APP_REDIRECT,
        code_challenge: c,
        code_challenge_method: 'S256',
      }),
      ['notes:read'],
    );
    const location = header(decision, 'location') as string;
    expect(location.startsWith(`${APP_REDIRECT}&code=`)).toBe(true);
    expect([...new URL(location).searchParams.keys()]).toEqual(['tenant', 'x', 'code', 'iss']);
  });

  it('grants the requested scopes the user holds; with none requested, the client scopes the user holds', async () => {
    const s = await setup();
    const scopesOf = async (code: string) => {
      const r = await s.codes.redeem(await authorizationCodeHash(code));
      return r.outcome === 'unknown' ? undefined : r.record.scopes;
    };
    const wide = await codeFor(s, (c) => spaQuery(c, { scope: 'notes:read notes:write' }), ['notes:read', 'admin']);
    expect(await scopesOf(wide.code)).toEqual(['notes:read']);
    const none = await codeFor(s, (c) => spaQuery(c, { scope: undefined }), ['notes:write', 'admin', 'notes:read']);
    expect(await scopesOf(none.code)).toEqual(['notes:read', 'notes:write']);
  });

  it('grants nothing: access_denied to the redirect URI, no code', async () => {
    const s = await setup();
    const pkce = await createPkcePair();
    const verdict = s.server.authorize(spaQuery(pkce.challenge, { scope: 'notes:write' }));
    if (verdict.kind !== 'ok') throw new Error('not ok');
    const decision = await s.server.approve(verdict.request, 'bob', ['notes:read']);
    const location = new URL(header(decision, 'location') as string);
    expect(decision.status).toBe(303);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-1 /?&=#');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('checks the request again (it may have come back through a form): a tampered one makes no code', async () => {
    const s = await setup();
    const pkce = await createPkcePair();
    const verdict = s.server.authorize(spaQuery(pkce.challenge));
    if (verdict.kind !== 'ok') throw new Error('not ok');
    const good = verdict.request;
    const tampered: Array<Partial<AuthorizationRequest> | null> = [
      { redirectUri: 'https://evil.example/cb' },
      { redirectUri: `${SPA_REDIRECT}/` },
      { clientId: 'evil' },
      { codeChallenge: '' },
      { codeChallenge: pkce.verifier.repeat(2) },
      { scopes: ['admin'] },
      { state: 5 as unknown as string },
    ];
    for (const change of tampered) {
      await expect(
        s.server.approve({ ...good, ...change } as AuthorizationRequest, 'u', ['notes:read']),
      ).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
    await expect(s.server.approve(null as never, 'u', [])).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(s.server.approve(good, '', ['notes:read'])).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(s.server.approve(good, 'u', 'notes:read' as never)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('codes expire after codeTtl (60 s by default) on the store clock', async () => {
    const s = await setup();
    const { code } = await codeFor(s);
    s.clock.advance(60_000);
    expect(await s.codes.redeem(await authorizationCodeHash(code))).toEqual({ outcome: 'unknown' });
  });
});
