import { describe, expect, it } from 'vitest';
import { createPkcePair } from './pkce.js';
import { APP_REDIRECT, ISSUER, SPA_REDIRECT, setup, spaQuery } from './test-setup.js';
import type { AuthorizeVerdict } from './types.js';

const pkce = await createPkcePair();
const query = (extra: Record<string, string | string[] | undefined> = {}) => spaQuery(pkce.challenge, extra);

function redirectParams(verdict: AuthorizeVerdict) {
  if (verdict.kind !== 'redirect') throw new Error(`expected a redirect, got ${JSON.stringify(verdict)}`);
  const url = new URL(verdict.location);
  return { url, params: Object.fromEntries(url.searchParams), error: verdict.error };
}

describe('authorize: the client and its redirect URI first, never a redirect until both are verified', () => {
  it('accepts a well-formed request and gives it back checked', async () => {
    const { server } = await setup();
    expect(server.authorize(query({ scope: 'notes:read notes:write notes:read' }))).toEqual({
      kind: 'ok',
      request: {
        clientId: 'notes-spa',
        redirectUri: SPA_REDIRECT,
        state: 'st-1 /?&=#',
        scopes: ['notes:read', 'notes:write'],
        codeChallenge: pkce.challenge,
      },
    });
    expect(server.authorize(query({ response_mode: 'query' })).kind).toBe('ok');
    const bare = server.authorize(query({ scope: undefined, state: undefined }));
    expect(bare).toEqual({
      kind: 'ok',
      request: { clientId: 'notes-spa', redirectUri: SPA_REDIRECT, scopes: [], codeChallenge: pkce.challenge },
    });
  });

  it('an unknown, missing or repeated client_id is an error page', async () => {
    const { server } = await setup();
    expect(server.authorize(query({ client_id: 'evil' }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_client',
    });
    expect(server.authorize(query({ client_id: undefined }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_request',
    });
    expect(server.authorize(query({ client_id: '' }))).toMatchObject({ kind: 'error_page', error: 'invalid_request' });
    expect(server.authorize(query({ client_id: ['notes-spa', 'notes-spa'] }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_request',
    });
    // Case matters: client ids are compared exactly.
    expect(server.authorize(query({ client_id: 'Notes-Spa' }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_client',
    });
  });

  it('a redirect URI that is not exactly registered is an error page: every look-alike', async () => {
    const { server } = await setup();
    const lookAlikes = [
      `${SPA_REDIRECT}/`,
      'http://localhost:5173/callback/',
      'http://localhost:5173/Callback',
      'HTTP://localhost:5173/callback',
      'http://LOCALHOST:5173/callback',
      `${SPA_REDIRECT}?x=1`,
      `${SPA_REDIRECT}?`,
      `${SPA_REDIRECT}#frag`,
      `${SPA_REDIRECT}#`,
      'http://user@localhost:5173/callback',
      'http://localhost:5173@evil.example/callback',
      'http://localhost.evil:5173/callback',
      'http://localhost.evil.example/callback',
      'http://localhost:5174/callback',
      'http://localhost/callback',
      'https://localhost:5173/callback',
      'http://127.0.0.1:5173/callback',
      'http://localhost:5173/callback/../callback',
      'http://localhost:5173/%63allback',
      'http://localhost:5173/callbackx',
      'http://localhost:5173/callback%00',
      ` ${SPA_REDIRECT}`,
      `${SPA_REDIRECT} `,
      // Another client's registered URI is not this client's.
      APP_REDIRECT,
      'https://app.example.com/cb?x&tenant=a%20b',
      'https://app.example.com/cb?tenant=a+b&x',
    ];
    for (const redirect_uri of lookAlikes) {
      expect(server.authorize(query({ redirect_uri })), redirect_uri).toMatchObject({
        kind: 'error_page',
        error: 'invalid_redirect_uri',
      });
    }
    expect(server.authorize(query({ redirect_uri: undefined }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_redirect_uri',
    });
    expect(server.authorize(query({ redirect_uri: [SPA_REDIRECT, SPA_REDIRECT] }))).toMatchObject({
      kind: 'error_page',
      error: 'invalid_request',
    });
    // An error page names the problem without echoing the input.
    const page = server.authorize(query({ redirect_uri: 'https://evil.example/<script>' }));
    expect(JSON.stringify(page)).not.toContain('evil');
  });

  it('a bad client wins over every other error: still an error page', async () => {
    const { server } = await setup();
    const verdict = server.authorize({
      client_id: 'notes-spa',
      redirect_uri: 'https://evil.example/cb',
      response_type: 'token',
    });
    expect(verdict.kind).toBe('error_page');
  });
});

describe('authorize: every other error is a 303-able redirect with error, error_description, state and iss', () => {
  const cases: Array<[string, Record<string, string | string[] | undefined>, string]> = [
    ['a repeated parameter', { scope: ['notes:read', 'notes:write'] }, 'invalid_request'],
    ['missing response_type', { response_type: undefined }, 'invalid_request'],
    ['response_type token (implicit)', { response_type: 'token' }, 'unsupported_response_type'],
    ['response_type "code id_token"', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ['a missing challenge', { code_challenge: undefined }, 'invalid_request'],
    ['a missing challenge method', { code_challenge_method: undefined }, 'invalid_request'],
    ['the plain method', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['s256 in lower case', { code_challenge_method: 's256' }, 'invalid_request'],
    ['a challenge of 42 characters', { code_challenge: 'A'.repeat(42) }, 'invalid_request'],
    ['a challenge that is a verifier (plain in disguise)', { code_challenge: 'a'.repeat(64) }, 'invalid_request'],
    ['a padded challenge', { code_challenge: `${'A'.repeat(43)}=` }, 'invalid_request'],
    ['an unknown scope', { scope: 'notes:read unknown' }, 'invalid_scope'],
    ['a scope of the server but not of the client', { scope: 'admin' }, 'invalid_scope'],
    ['a malformed scope list', { scope: 'notes:read  notes:write' }, 'invalid_scope'],
    ['a scope with a quote', { scope: 'a"b' }, 'invalid_scope'],
    ['response_mode fragment', { response_mode: 'fragment' }, 'invalid_request'],
    ['response_mode form_post', { response_mode: 'form_post' }, 'invalid_request'],
    ['a request object', { request: 'eyJ.x.y' }, 'request_not_supported'],
    ['a request_uri', { request_uri: 'urn:x' }, 'request_uri_not_supported'],
  ];
  it.each(cases)('%s', async (_, extra, error) => {
    const { server } = await setup();
    const { url, params } = redirectParams(server.authorize(query(extra)));
    expect(`${url.origin}${url.pathname}`).toBe(SPA_REDIRECT);
    expect(params).toEqual({
      error,
      error_description: expect.stringMatching(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/),
      state: 'st-1 /?&=#',
      iss: ISSUER,
    });
  });

  it('a client not allowed the code grant is unauthorized_client', async () => {
    const { server } = await setup();
    const verdict = server.authorize(
      query({ client_id: 'refresh-only', redirect_uri: 'https://refreshonly.example.com/cb', scope: undefined }),
    );
    expect(redirectParams(verdict).params.error).toBe('unauthorized_client');
  });

  it('keeps the registered query of the redirect URI as it is, and state exactly as sent', async () => {
    const { server } = await setup();
    const state = 'a+b %2F ü&x=y#z';
    const verdict = server.authorize({
      response_type: 'code',
      client_id: 'reports-job',
      redirect_uri: APP_REDIRECT,
      state,
      code_challenge_method: 'plain',
      code_challenge: pkce.challenge,
    });
    if (verdict.kind !== 'redirect') throw new Error('expected a redirect');
    expect(verdict.location.startsWith(`${APP_REDIRECT}&error=invalid_request&`)).toBe(true);
    const { params } = redirectParams(verdict);
    expect(params.tenant).toBe('a b');
    expect(params.x).toBe('');
    expect(params.state).toBe(state);
  });

  it('omits state when none (or an empty one) was sent, or when it was repeated', async () => {
    const { server } = await setup();
    for (const state of [undefined, '', ['a', 'b']]) {
      const { params } = redirectParams(server.authorize(query({ state, response_type: 'token' })));
      expect(Object.keys(params)).toEqual(['error', 'error_description', 'iss']);
    }
  });

  it('never echoes the input in error_description', async () => {
    const { server } = await setup();
    const { params } = redirectParams(server.authorize(query({ scope: 'EVIL-SCOPE', response_type: 'code' })));
    expect(params.error_description).not.toContain('EVIL');
  });
});
