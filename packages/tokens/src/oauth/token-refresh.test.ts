import { describe, expect, it } from 'vitest';
import { basic, bodyOf, codeFor, SECRET, type Setup, setup } from './test-setup.js';

async function signedIn(s: Setup, scope = 'notes:read notes:write') {
  const { code, verifier } = await codeFor(s, (c) => ({
    response_type: 'code',
    client_id: 'notes-spa',
    redirect_uri: 'http://localhost:5173/callback',
    code_challenge: c,
    code_challenge_method: 'S256',
    scope,
  }));
  const answer = await s.server.token(
    {
      grant_type: 'authorization_code',
      client_id: 'notes-spa',
      code,
      redirect_uri: 'http://localhost:5173/callback',
      code_verifier: verifier,
    },
    undefined,
  );
  return bodyOf(answer);
}

const refresh = (s: Setup, token: string, extra: Record<string, string> = {}) =>
  s.server.token({ grant_type: 'refresh_token', client_id: 'notes-spa', refresh_token: token, ...extra }, undefined);

describe('token: the refresh_token grant', () => {
  it('rotates: a new refresh token and an access token of the same session', async () => {
    const s = await setup();
    const first = await signedIn(s);
    const answer = await refresh(s, first.refresh_token as string);
    expect(answer.status).toBe(200);
    const body = bodyOf(answer);
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope']);
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.scope).toBe('notes:read notes:write');
    const before = await s.verifier.verify(first.access_token as string);
    const after = await s.verifier.verify(body.access_token as string);
    if (!before.ok || !after.ok) throw new Error('not verified');
    expect(after.claims.sid).toBe(before.claims.sid);
    expect(after.claims).toMatchObject({ sub: 'user-42', client_id: 'notes-spa' });
  });

  it('a spent refresh token presented again is invalid_grant (the family is revoked by refreshTokens)', async () => {
    const s = await setup();
    const first = await signedIn(s);
    await refresh(s, first.refresh_token as string);
    const replay = await refresh(s, first.refresh_token as string);
    expect(replay.status).toBe(400);
    expect(bodyOf(replay)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect([...s.refresh.families.values()].every((f) => f.revoked)).toBe(true);
  });

  it('unknown and malformed refresh tokens are invalid_grant; a missing one invalid_request', async () => {
    const s = await setup();
    expect(bodyOf(await refresh(s, 'bwrt_unknown')).error).toBe('invalid_grant');
    expect(bodyOf(await refresh(s, 'garbage')).error).toBe('invalid_grant');
    expect(bodyOf(await s.server.token({ grant_type: 'refresh_token', client_id: 'notes-spa' }, undefined)).error).toBe(
      'invalid_request',
    );
  });

  it("another client's refresh token is invalid_grant and ends that session (it leaked)", async () => {
    const s = await setup();
    const first = await signedIn(s);
    const stolen = await s.server.token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      basic('reports-job', SECRET),
    );
    expect(bodyOf(stolen).error).toBe('invalid_grant');
    expect([...s.refresh.families.values()].every((f) => f.revoked)).toBe(true);
  });

  it('a narrower scope narrows the access token; a scope beyond the client is invalid_scope before any rotation', async () => {
    const s = await setup();
    const first = await signedIn(s);
    const narrowed = bodyOf(await refresh(s, first.refresh_token as string, { scope: 'notes:read' }));
    expect(narrowed.scope).toBe('notes:read');
    const verified = await s.verifier.verify(narrowed.access_token as string);
    expect(verified.ok && verified.claims.scope).toBe('notes:read');
    const beyond = await refresh(s, narrowed.refresh_token as string, { scope: 'admin' });
    expect(bodyOf(beyond).error).toBe('invalid_scope');
    const malformed = await refresh(s, narrowed.refresh_token as string, { scope: 'a  b' });
    expect(bodyOf(malformed).error).toBe('invalid_scope');
    // Not rotated by the refusals: the token still works, with the session's full scope.
    const again = bodyOf(await refresh(s, narrowed.refresh_token as string));
    expect(again.scope).toBe('notes:read notes:write');
  });

  it('a scope the session was not granted is invalid_scope after the rotation, which still detects reuse (RFC 6749 §6)', async () => {
    const s = await setup();
    const first = await signedIn(s, 'notes:read');
    const refused = bodyOf(await refresh(s, first.refresh_token as string, { scope: 'notes:read notes:write' }));
    expect(refused.error).toBe('invalid_scope');
    expect(refused).not.toHaveProperty('access_token');
    // The token was spent like any presented one: presented again, it is a reuse, and the session ends.
    const again = bodyOf(await refresh(s, first.refresh_token as string, { scope: 'notes:write' }));
    expect(again.error).toBe('invalid_grant');
    expect(s.refresh.revoked).toHaveLength(1);
  });

  it('a spent token asking for a scope beyond the session is a reuse, never an invalid_scope that skips the check', async () => {
    const s = await setup();
    const first = await signedIn(s, 'notes:read');
    const rotated = bodyOf(await refresh(s, first.refresh_token as string));
    expect(rotated.refresh_token).toEqual(expect.any(String));
    // The stolen, already rotated first token, with a scope the session lacks.
    const probe = bodyOf(await refresh(s, first.refresh_token as string, { scope: 'notes:write' }));
    expect(probe.error).toBe('invalid_grant');
    expect(s.refresh.revoked).toHaveLength(1);
    expect(bodyOf(await refresh(s, rotated.refresh_token as string)).error).toBe('invalid_grant');
  });
});

describe('token: grant types', () => {
  it('a missing grant_type is invalid_request, an unknown one unsupported_grant_type', async () => {
    const s = await setup();
    expect(bodyOf(await s.server.token({ client_id: 'notes-spa' }, undefined)).error).toBe('invalid_request');
    for (const grant_type of [
      'password',
      'client_credentials',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]) {
      const answer = await s.server.token({ grant_type, client_id: 'notes-spa' }, undefined);
      expect(answer.status).toBe(400);
      expect(bodyOf(answer).error).toBe('unsupported_grant_type');
    }
  });

  it('a grant the client may not use is unauthorized_client', async () => {
    const s = await setup();
    const answer = await s.server.token(
      { grant_type: 'refresh_token', client_id: 'no-refresh', refresh_token: 'bwrt_x' },
      undefined,
    );
    expect(bodyOf(answer).error).toBe('unauthorized_client');
    const code = await s.server.token(
      { grant_type: 'authorization_code', client_id: 'refresh-only', code: 'x' },
      undefined,
    );
    expect(bodyOf(code).error).toBe('unauthorized_client');
  });

  it('any repeated parameter is invalid_request', async () => {
    const s = await setup();
    const answer = await s.server.token(
      { grant_type: ['refresh_token', 'refresh_token'], client_id: 'notes-spa' },
      undefined,
    );
    expect(bodyOf(answer).error).toBe('invalid_request');
    const other = await s.server.token(
      { grant_type: 'refresh_token', client_id: 'notes-spa', extra: ['a', 'b'] },
      undefined,
    );
    expect(bodyOf(other).error).toBe('invalid_request');
  });
});
