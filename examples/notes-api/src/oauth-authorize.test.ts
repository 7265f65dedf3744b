import { expectProfile, type ProbeResponse } from '@bulwark/testkit';
import { createPkcePair } from '@bulwark/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import {
  authorizeQuery,
  CALLBACK,
  cookieOf,
  expectPage,
  flip,
  formFields,
  ISSUER,
  oauthClient,
  SPA,
  spareBits,
} from './oauth-test-helpers.js';
import type { RunningDemo } from './server.js';
import { startTestDemo } from './test-helpers.js';

describe.each(FRAMEWORKS)(
  'notes-api demo on %s: OAuth metadata, authorization endpoint and sign-in form',
  (framework) => {
    let server: RunningDemo;
    let o: ReturnType<typeof oauthClient>;
    let n = 0;
    const from = () => ({ 'x-forwarded-for': `203.0.113.${++n}` });
    beforeAll(async () => {
      server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
      o = oauthClient(server);
    });
    afterAll(() => server?.close());

    it('publishes RFC 8414 metadata with ISSUER as the issuer', async () => {
      const res = await o.send('GET', '/.well-known/oauth-authorization-server');
      expect(res.status).toBe(200);
      expect(res.header('ratelimit')).toBeUndefined();
      expect(res.json()).toMatchObject({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/oauth/authorize`,
        token_endpoint: `${ISSUER}/oauth/token`,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['notes:read', 'notes:write', 'reports:write', 'keys:manage', 'users:read', 'admin'],
      });
    });

    it('shows an accessible sign-in page for notes-spa: labels, lang, the request in hidden fields, escaped', async () => {
      const pkce = await createPkcePair();
      const state = '"><img src=x onerror=alert(1)>&';
      const page = expectPage(await o.page(authorizeQuery(pkce.challenge, { state }), from()), 200);
      expect(page.text).toContain('<label for="email">Email</label>');
      expect(page.text).toContain('<input id="email" name="email" type="email" autocomplete="username"');
      expect(page.text).toContain('<label for="password">Password</label>');
      expect(page.text).toContain('name="password" type="password" autocomplete="current-password"');
      expect(page.text).toContain('<form method="post" action="authorize">');
      // The state is carried escaped: never markup.
      expect(page.text).not.toContain(state);
      expect(page.text).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;"');
      expect(formFields(page)).toMatchObject({
        client_id: SPA,
        redirect_uri: CALLBACK,
        response_type: 'code',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        state,
        csrf: expect.stringMatching(/^\d+\.[A-Za-z0-9_-]{43}$/),
      });
      expect(page.header('set-cookie')).toMatch(
        /^notes_signin=[A-Za-z0-9_-]{43}; Max-Age=600; HttpOnly; SameSite=Strict$/,
      );
    });

    it('an unknown client or a redirect URI not exactly registered: a 400 HTML page, never a redirect', async () => {
      const { challenge } = await createPkcePair();
      for (const extra of [
        { client_id: 'evil-app' },
        { client_id: undefined },
        { redirect_uri: 'http://localhost:5173/callback/' },
        { redirect_uri: 'http://localhost:5173/callback?x=1' },
        { redirect_uri: 'https://evil.example/callback' },
        { redirect_uri: undefined },
      ]) {
        const res = expectPage(await o.page(authorizeQuery(challenge, extra), from()), 400);
        expect(res.header('location'), JSON.stringify(extra)).toBeUndefined();
        expect(res.text).toContain('<h1>This sign-in request is not valid</h1>');
        // The library's phrase as a sentence; a parameter name keeps its spelling.
        expect(res.text).toMatch(
          /The client is not registered\.|The client_id parameter is required\.|The redirect_uri parameter is (not registered for this client|required)\./,
        );
        expect(res.text).not.toMatch(/Redirect_uri|Client_id/);
        expect(res.text).not.toContain('evil');
        expect(res.text).not.toContain('<form');
      }
    });

    it('other request errors: a 303 back to the client with error and state (RFC 6749 §4.1.2.1)', async () => {
      const { challenge } = await createPkcePair();
      for (const [extra, error] of [
        [{ code_challenge_method: 'plain' }, 'invalid_request'],
        [{ code_challenge: undefined }, 'invalid_request'],
        [{ code_challenge_method: undefined }, 'invalid_request'],
        [{ scope: 'notes:read root' }, 'invalid_scope'],
      ] as const) {
        const res = await o.page(authorizeQuery(challenge, extra), from());
        expect(res.status, JSON.stringify(extra)).toBe(303);
        const location = new URL(res.header('location') ?? '');
        expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
        expect(location.searchParams.get('error')).toBe(error);
        expect(location.searchParams.get('state')).toBe('st-123');
        expect(location.searchParams.get('iss')).toBe(ISSUER);
        expect(location.searchParams.get('code')).toBeNull();
        expectProfile(res);
      }
    });

    it('the sign-in form post: a 303 to the exact redirect URI with code, state and iss', async () => {
      const { redirect, signedIn } = await o.authorize('alice', from());
      expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
      expect(redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{22,}/);
      expect(redirect.searchParams.get('state')).toBe('st-123');
      expect(redirect.searchParams.get('iss')).toBe(ISSUER);
      expect(signedIn.header('cache-control')).toBe('no-store');
      expectProfile(signedIn);
    });

    it('refuses a form post without the cookie, with a tampered token or with swapped parameters: 403 page', async () => {
      const pkce = await createPkcePair();
      const page = await o.page(authorizeQuery(pkce.challenge), from());
      const fields: Record<string, string> = {
        ...formFields(page),
        email: 'alice@example.com',
        password: 'alice-demo-password',
      };
      const cookie = cookieOf(page);
      const other = await createPkcePair();
      const csrf = fields.csrf as string;
      for (const [what, sent, sentCookie] of [
        ['no cookie', fields, ''],
        ['another browser', fields, 'notes_signin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
        ['no token', { ...fields, csrf: '' }, cookie],
        ['a tampered token', { ...fields, csrf: flip(csrf, csrf.length - 10) }, cookie],
        ['a non-canonical spelling', { ...fields, csrf: spareBits(csrf) }, cookie],
        ['a later expiry', { ...fields, csrf: `9${csrf}` }, cookie],
        ['another challenge', { ...fields, code_challenge: other.challenge }, cookie],
        ['another state', { ...fields, state: 'attacker' }, cookie],
      ] as const) {
        const res = expectPage(await o.post(sent, sentCookie, from()), 403);
        expect(res.header('location'), what).toBeUndefined();
        expect(res.text).toContain('<h1>This sign-in form has expired</h1>');
      }
      // The genuine post still works.
      expect((await o.post(fields, cookie, from())).status).toBe(303);
    });

    it('a wrong password and an unknown email: the same page again, 400, one generic message', async () => {
      const pkce = await createPkcePair();
      const page = await o.page(authorizeQuery(pkce.challenge), from());
      const ip = from();
      const wrong = expectPage(
        await o.post({ ...formFields(page), email: 'alice@example.com', password: 'nope' }, cookieOf(page), ip),
        400,
      );
      const unknown = expectPage(
        await o.post({ ...formFields(page), email: 'mallory@example.com', password: 'nope' }, cookieOf(page), ip),
        400,
      );
      for (const res of [wrong, unknown]) {
        expect(res.text).toContain(
          '<p id="signin-error" class="error" role="alert">The email or password is incorrect.</p>',
        );
        expect(res.header('location')).toBeUndefined();
        expect(res.text).not.toContain('nope');
      }
      // The same page but for the email typed and the fresh token.
      const blank = (res: ProbeResponse) =>
        res.text.replace(/value="[^"]*@example\.com"/, '').replace(/name="csrf" value="[^"]*"/, '');
      expect(blank(unknown)).toBe(blank(wrong));
      // The re-rendered form works.
      const retry = await o.post(
        { ...formFields(wrong), email: 'alice@example.com', password: 'alice-demo-password' },
        cookieOf(wrong),
        ip,
      );
      expect(retry.status).toBe(303);
    });
  },
);
