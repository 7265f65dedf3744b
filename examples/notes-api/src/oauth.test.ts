import { expectProfile, type ProbeResponse } from '@bulwark/testkit';
import { createPkcePair } from '@bulwark/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import {
  authorizeQuery,
  CALLBACK,
  cookieOf,
  formBody,
  formFields,
  formType,
  oauthClient,
  SPA,
} from './oauth-test-helpers.js';
import type { RunningDemo } from './server.js';
import { decodeJws, json, startTestDemo, UI } from './test-helpers.js';

const ISSUER = 'http://127.0.0.1:3000';
const CSP =
  /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self' http:\/\/localhost:5173; frame-ancestors 'none'; base-uri 'none'$/;

/** An HTML page of the sign-in flow: the header profile, its own CSP, never stored. */
const expectPage = (res: ProbeResponse, status: number) => {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toBe('text/html; charset=utf-8');
  expect(res.header('cache-control')).toBe('no-store');
  expect(res.header('content-security-policy')).toMatch(CSP);
  // The rest of the header profile, as on every answer.
  expect(res.header('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(res.header('x-frame-options')).toBe('DENY');
  expect(res.header('x-content-type-options')).toBe('nosniff');
  expect(res.header('referrer-policy')).toBe('no-referrer');
  expect(res.header('cross-origin-resource-policy')).toBe('same-origin');
  expect(res.header('x-powered-by')).toBeUndefined();
  expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/);
  // No script of any kind: nothing for the CSP to have to trust.
  expect(res.text).not.toMatch(/<script|javascript:/i);
  // No event handler attribute (attribute values blanked: an escaped value is text, not markup).
  expect(res.text.replace(/"[^"]*"/g, '""')).not.toMatch(/\son[a-z]+=/i);
  return res;
};

/** `text` with the base64url character at `at` replaced by another. */
const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
/** The same bytes spelled differently: a 43-character base64url string's last character has 2 spare bits. */
const spareBits = (text: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(text.at(-1) as string);
  return `${text.slice(0, -1)}${alphabet[last ^ 1]}`;
};

/** An RFC 6749 §5.2 error answer. */
const expectTokenError = (res: ProbeResponse, status: number, error: string) => {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/json/);
  expect(res.header('cache-control')).toBe('no-store');
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(body.error).toBe(error);
  return body;
};

describe.each(FRAMEWORKS)('notes-api demo on %s: OAuth 2.0 code flow with PKCE', (framework) => {
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

  it('exchanges the code with PKCE: RFC 6749 §5.1, no-store, a notes-spa session; CORS for the SPA', async () => {
    const { pkce, redirect } = await o.authorize('bob', from());
    const res = await o.token(
      {
        grant_type: 'authorization_code',
        code: redirect.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        client_id: SPA,
        code_verifier: pkce.verifier,
      },
      { origin: UI, ...from() },
    );
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('access-control-allow-origin')).toBe(UI);
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'notes:read' });
    const claims = decodeJws(body.access_token as string).payload;
    expect(claims).toMatchObject({ client_id: SPA, iss: ISSUER, aud: 'notes-api', scope: 'notes:read' });
    expect(claims.sid).toBe((body.refresh_token as string).slice(5).split('.')[0]);
    // The SPA calls the API with it from the browser: a preflight, then the Bearer GET.
    const preflight = await o.send('OPTIONS', '/v2/users/me', {
      origin: UI,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.header('access-control-allow-origin')).toBe(UI);
    const me = await o.send('GET', '/v2/users/me', { origin: UI, ...o.bearer(body.access_token as string) });
    expect(me.status).toBe(200);
    expect(me.header('access-control-allow-origin')).toBe(UI);
    expect(me.json()).toMatchObject({ email: 'bob@example.com' });
  });

  it('a wrong or missing code_verifier: invalid_grant, and the code is spent', async () => {
    const { pkce, redirect } = await o.authorize('dave', from());
    const code = redirect.searchParams.get('code') ?? '';
    const exchange = (verifier?: string) =>
      o.token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: SPA,
        ...(verifier === undefined ? {} : { code_verifier: verifier }),
      });
    expectTokenError(await exchange(), 400, 'invalid_grant');
    const other = await createPkcePair();
    expectTokenError(await exchange(other.verifier), 400, 'invalid_grant');
    expectTokenError(await exchange(pkce.verifier), 400, 'invalid_grant');
  });

  it('a code used twice: invalid_grant, and the tokens issued from it are revoked', async () => {
    const { pkce, redirect } = await o.authorize('alice', from());
    const form = {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      client_id: SPA,
      code_verifier: pkce.verifier,
    };
    const first = await o.token(form);
    expect(first.status).toBe(200);
    const issued = first.json() as { access_token: string; refresh_token: string };
    expect((await o.send('GET', '/v2/users/me', o.bearer(issued.access_token))).status).toBe(200);
    expectTokenError(await o.token(form), 400, 'invalid_grant');
    expect((await o.send('GET', '/v2/users/me', o.bearer(issued.access_token))).status).toBe(401);
    expectTokenError(
      await o.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: SPA }),
      400,
      'invalid_grant',
    );
  });

  it('the refresh_token grant rotates the SPA session', async () => {
    const issued = await o.tokens('carol', from());
    const res = await o.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: SPA });
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    const next = res.json() as { access_token: string; refresh_token: string; scope: string };
    expect(next.refresh_token).not.toBe(issued.refresh_token);
    expect(next.scope).toBe(issued.scope);
    expect(decodeJws(next.access_token).payload).toMatchObject({
      client_id: SPA,
      sid: decodeJws(issued.access_token).payload.sid,
    });
    expect((await o.send('GET', '/admin/users', o.bearer(next.access_token))).status).toBe(200);
    // Another client's token is not the SPA's: a login session's refresh token is refused here.
    const login = await o.pairOf('carol', from());
    expectTokenError(
      await o.token({ grant_type: 'refresh_token', refresh_token: login.refresh_token, client_id: SPA }),
      400,
      'invalid_grant',
    );
  });

  it('every refusal of the token endpoint is in RFC 6749 §5.2 form, even before the library', async () => {
    const send = (body: string, headers: Record<string, string>) =>
      o.send('POST', '/oauth/token', { ...headers, ...from() }, body);
    const grant = formBody({ grant_type: 'refresh_token', refresh_token: 'x', client_id: SPA });
    expectTokenError(await send(JSON.stringify({ grant_type: 'refresh_token' }), json), 415, 'invalid_request');
    expectTokenError(await send(grant, {}), 415, 'invalid_request');
    expectTokenError(await send(`${grant}&x=${'a'.repeat(20_000)}`, formType), 413, 'invalid_request');
    expectTokenError(await send(`${grant}&grant_type=refresh_token`, formType), 400, 'invalid_request');
    expectTokenError(await send('grant_type=%zz', formType), 400, 'invalid_request');
    expectTokenError(
      await send(formBody({ grant_type: 'password', client_id: SPA }), formType),
      400,
      'unsupported_grant_type',
    );
    expectTokenError(
      await send(formBody({ grant_type: 'refresh_token', refresh_token: 'x' }), formType),
      401,
      'invalid_client',
    );
    expectTokenError(await send(grant, formType), 400, 'invalid_grant');
  });
});
