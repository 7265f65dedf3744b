import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, FRAMEWORKS, type OAuthDemo, startOAuthDemo } from './demo.js';
import { authorizeAlice } from './flow.js';
import { discover, exchangeCode, expectTokenError, insecure, refresh } from './oauth-client.js';
import { usersMe } from './users-me.js';

/** A scope value as the set it stands for (RFC 6749 §3.3: the order carries no meaning). */
const scopeSet = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ').sort() : scope);
const INVALID_TOKEN = 'Bearer realm="notes-api", error="invalid_token"';

describe.each(FRAMEWORKS)('oauth4webapi runs the code flow with PKCE against the demo on %s', (framework) => {
  let demo: OAuthDemo;
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    demo = await startOAuthDemo(framework);
    as = await discover(demo.issuer);
  });
  afterAll(() => demo?.close());

  const authorize = () => authorizeAlice(as);

  it('discovers the RFC 8414 metadata at /.well-known/oauth-authorization-server', () => {
    expect(as).toMatchObject({
      issuer: demo.issuer,
      authorization_endpoint: `${demo.issuer}/oauth/authorize`,
      token_endpoint: `${demo.issuer}/oauth/token`,
      jwks_uri: `${demo.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    });
    expect([...(as.grant_types_supported ?? [])].sort()).toEqual(['authorization_code', 'refresh_token']);
    expect(as.scopes_supported).toEqual(expect.arrayContaining([...ALICE.scopes]));
  });

  it('signs in, redeems the code, calls the API, refreshes, and a replayed code revokes what it gave', async () => {
    const { request, callback } = await authorize();
    const first = await exchangeCode(as, callback, request.verifier);
    expect(first.response.headers.get('cache-control')).toBe('no-store');
    expect(first.tokens).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(scopeSet(first.tokens.scope)).toEqual(scopeSet(ALICE.scopes.join(' ')));
    expect(first.tokens.refresh_token).toEqual(expect.any(String));
    // An RFC 9068 access token for the OAuth client, checked by oauth4webapi's resource-server validator.
    const bearer = (token: string) =>
      new Request(`${demo.issuer}/v2/users/me`, { headers: { authorization: `Bearer ${token}` } });
    const claims = await oauth.validateJwtAccessToken(as, bearer(first.tokens.access_token), 'notes-api', insecure);
    expect(claims).toMatchObject({
      iss: demo.issuer,
      aud: 'notes-api',
      client_id: 'notes-spa',
      sid: expect.any(String),
    });
    expect(scopeSet(claims.scope)).toEqual(scopeSet(ALICE.scopes.join(' ')));

    const me = await usersMe(demo.issuer, first.tokens.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: claims.sub, email: ALICE.email, role: ALICE.role });
    expect(Object.keys(me.body as object).sort()).toEqual(['email', 'id', 'role', 'scopes']);

    const second = await refresh(as, first.tokens.refresh_token ?? '');
    expect(second.response.headers.get('cache-control')).toBe('no-store');
    expect(second.tokens.access_token).not.toBe(first.tokens.access_token);
    expect(second.tokens.refresh_token).toEqual(expect.any(String));
    expect(second.tokens.refresh_token).not.toBe(first.tokens.refresh_token);
    const renewed = await oauth.validateJwtAccessToken(as, bearer(second.tokens.access_token), 'notes-api', insecure);
    expect(renewed).toMatchObject({ sub: claims.sub, client_id: 'notes-spa', sid: claims.sid });
    expect((await usersMe(demo.issuer, second.tokens.access_token)).status).toBe(200);

    // RFC 6749 §4.1.2: a code used twice fails, and the tokens issued from it are revoked.
    await expectTokenError(exchangeCode(as, callback, request.verifier), 'invalid_grant');
    for (const token of [first.tokens.access_token, second.tokens.access_token]) {
      const refused = await usersMe(demo.issuer, token);
      expect(refused.status).toBe(401);
      expect(refused.challenge).toBe(INVALID_TOKEN);
    }
    // The live refresh token (refused only because its family is revoked), then the spent one,
    // which inside the grace window would otherwise get its child again.
    await expectTokenError(refresh(as, second.tokens.refresh_token ?? ''), 'invalid_grant');
    await expectTokenError(refresh(as, first.tokens.refresh_token ?? ''), 'invalid_grant');
  });

  it('refuses a code redeemed with another code_verifier (invalid_grant)', async () => {
    const { callback } = await authorize();
    await expectTokenError(exchangeCode(as, callback, oauth.generateRandomCodeVerifier()), 'invalid_grant');
  });
});
