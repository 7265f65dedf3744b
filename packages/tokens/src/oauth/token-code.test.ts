import { describe, expect, it } from 'vitest';
import { authorizationCodeHash } from './code.js';
import { memoryAuthorizationCodeStore } from './memory-store.js';
import { createPkcePair } from './pkce.js';
import type { AuthorizationCodeStore, RedeemResult } from './port.js';
import { bodyOf, codeFor, header, type Setup, SPA_REDIRECT, setup } from './test-setup.js';

const exchange = (
  s: Setup,
  code: string,
  verifier: string | undefined,
  extra: Record<string, string | undefined> = {},
) =>
  s.server.token(
    {
      grant_type: 'authorization_code',
      client_id: 'notes-spa',
      code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: verifier,
      ...extra,
    },
    undefined,
  );

const expectJsonNoStore = (decision: { headers: ReadonlyArray<readonly [string, string]> }) => {
  expect(header(decision, 'content-type')).toBe('application/json');
  expect(header(decision, 'cache-control')).toBe('no-store');
  expect(header(decision, 'pragma')).toBe('no-cache');
};

describe('token: the authorization_code grant', () => {
  it('exchanges a code with its verifier for an access token (sid = the session, client_id) and a refresh token', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    const answer = await exchange(s, code, verifier);
    expect(answer.status).toBe(200);
    expectJsonNoStore(answer);
    const body = bodyOf(answer);
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'notes:read' });
    const verified = await s.verifier.verify(body.access_token as string);
    if (!verified.ok) throw new Error(`not verified: ${verified.reason}`);
    const [familyId, family] = [...s.refresh.families.entries()][0] ?? [];
    expect(verified.claims).toMatchObject({
      sub: 'user-42',
      client_id: 'notes-spa',
      scope: 'notes:read',
      sid: familyId,
    });
    expect(family?.live).toBe(body.refresh_token);
    expect(family?.info).toEqual({ familyId, subject: 'user-42', clientId: 'notes-spa', scopes: ['notes:read'] });
  });

  it('a second use is invalid_grant, revokes the session issued from the code, and emits token.reuse_detected', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    const first = await exchange(s, code, verifier);
    expect(first.status).toBe(200);
    const second = await exchange(s, code, verifier);
    expect(second.status).toBe(400);
    expectJsonNoStore(second);
    expect(bodyOf(second).error).toBe('invalid_grant');
    const familyId = [...s.refresh.families.keys()][0] as string;
    expect(s.refresh.revoked).toEqual([familyId]);
    expect(s.refresh.families.get(familyId)?.revoked).toBe(true);
    expect(s.events).toEqual([
      { type: 'token.reuse_detected', at: s.clock.now(), credential: 'authorization_code', familyId },
    ]);
    expect(JSON.stringify(s.events)).not.toContain(code);
  });

  it('of concurrent exchanges of one code at most one gets tokens, and the session ends up revoked', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await setup();
      const { code, verifier } = await codeFor(s);
      const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(s, code, verifier)));
      expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
      expect(answers.filter((a) => a.status === 400)).toHaveLength(
        answers.length - answers.filter((a) => a.status === 200).length,
      );
      const families = [...s.refresh.families.values()];
      expect(families.every((f) => f.revoked)).toBe(true);
      expect(s.events.filter((e) => e.type === 'token.reuse_detected').length).toBeGreaterThanOrEqual(1);
    }
  });

  it('a reuse racing the issuance: the first redemption sees it and hands nothing out', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    // The second use lands between the first one's redemption and its tokens.
    const issue = s.refresh.issue.bind(s.refresh);
    s.refresh.issue = async (input) => {
      const replay = await exchange(s, code, verifier);
      expect(bodyOf(replay).error).toBe('invalid_grant');
      return issue(input);
    };
    const first = await exchange(s, code, verifier);
    expect(bodyOf(first).error).toBe('invalid_grant');
    const families = [...s.refresh.families.values()];
    expect(families).toHaveLength(1);
    expect(families[0]?.revoked).toBe(true);
  });

  it('refuses a wrong, missing or malformed verifier (invalid_grant), and a wrong verifier spends the code', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    expect(bodyOf(await exchange(s, code, undefined)).error).toBe('invalid_grant');
    expect(bodyOf(await exchange(s, code, 'short')).error).toBe('invalid_grant');
    expect(bodyOf(await exchange(s, code, `${verifier} `)).error).toBe('invalid_grant');
    // Those were refused before the store: the code still works... once. A wrong verifier spends it.
    const other = await createPkcePair();
    expect(bodyOf(await exchange(s, code, other.verifier)).error).toBe('invalid_grant');
    expect(bodyOf(await exchange(s, code, verifier)).error).toBe('invalid_grant');
    expect(s.refresh.families.size).toBe(0);
  });

  it('a missing verifier does not touch the code', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    expect(bodyOf(await exchange(s, code, undefined)).error).toBe('invalid_grant');
    expect((await exchange(s, code, verifier)).status).toBe(200);
  });

  it('refuses the plain method at the token endpoint too: the challenge itself as verifier fails', async () => {
    const s = await setup();
    const pkce = await createPkcePair();
    const { code } = await codeFor(s, () => ({
      response_type: 'code',
      client_id: 'notes-spa',
      redirect_uri: SPA_REDIRECT,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    }));
    expect(bodyOf(await exchange(s, code, pkce.challenge)).error).toBe('invalid_grant');
  });

  it('binds the code to its redirect URI exactly and to its client', async () => {
    const s = await setup();
    for (const redirect_uri of [`${SPA_REDIRECT}/`, 'http://localhost:5173/Callback', `${SPA_REDIRECT}?a=1`]) {
      const { code, verifier } = await codeFor(s);
      expect(bodyOf(await exchange(s, code, verifier, { redirect_uri })).error, redirect_uri).toBe('invalid_grant');
    }
    const { code, verifier } = await codeFor(s);
    const stolen = await exchange(s, code, verifier, {
      client_id: 'no-refresh',
      redirect_uri: 'https://norefresh.example.com/cb',
    });
    expect(bodyOf(stolen).error).toBe('invalid_grant');
    expect(s.refresh.families.size).toBe(0);
  });

  it('answers invalid_request for a missing code or redirect_uri, invalid_grant for an unknown or expired code', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    expect(bodyOf(await exchange(s, '', verifier)).error).toBe('invalid_request');
    expect(bodyOf(await exchange(s, code, verifier, { redirect_uri: undefined })).error).toBe('invalid_request');
    expect(bodyOf(await exchange(s, 'not-a-code', verifier)).error).toBe('invalid_grant');
    const sibling = `${code.slice(0, -1)}${code.endsWith('A') ? 'E' : 'A'}`;
    expect(bodyOf(await exchange(s, sibling, verifier)).error).toBe('invalid_grant');
    s.clock.advance(60_000);
    expect(bodyOf(await exchange(s, code, verifier)).error).toBe('invalid_grant');
  });

  it('refuses a verifier for a record without a challenge (a store that let one through): no PKCE downgrade', async () => {
    const inner = memoryAuthorizationCodeStore();
    const challengeless: AuthorizationCodeStore = {
      save: (hash, record, ttl) => inner.save(hash, record, ttl),
      wasReused: (hash) => inner.wasReused(hash),
      async redeem(hash): Promise<RedeemResult> {
        const result = await inner.redeem(hash);
        return result.outcome === 'unknown' ? result : { ...result, record: { ...result.record, codeChallenge: '' } };
      },
    };
    const s = await setup({ codes: challengeless });
    const { code, verifier } = await codeFor(s);
    const answer = await exchange(s, code, verifier);
    expect(bodyOf(answer).error).toBe('invalid_grant');
    expect(s.refresh.families.size).toBe(0);
  });

  it('a client without the refresh grant gets an access token and no refresh token', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s, (c) => ({
      response_type: 'code',
      client_id: 'no-refresh',
      redirect_uri: 'https://norefresh.example.com/cb',
      code_challenge: c,
      code_challenge_method: 'S256',
    }));
    const answer = await exchange(s, code, verifier, {
      client_id: 'no-refresh',
      redirect_uri: 'https://norefresh.example.com/cb',
    });
    expect(answer.status).toBe(200);
    expect(Object.keys(bodyOf(answer))).toEqual(['access_token', 'token_type', 'expires_in', 'scope']);
  });

  it('the code hash, not the code, is what the store holds', async () => {
    const s = await setup();
    const { code } = await codeFor(s);
    expect(await s.codes.wasReused(await authorizationCodeHash(code))).toBe(false);
    expect((await s.codes.redeem(code)).outcome).toBe('unknown');
  });
});
