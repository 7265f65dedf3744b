import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, type OAuthDemo, REDIRECT_URI, startOAuthDemo } from './demo.js';
import { authorizationRequest, client, discover } from './oauth-client.js';

/** Requests the authorization endpoint cannot send back to the client (RFC 6749 §4.1.2.1: never a redirect). */
const UNREDIRECTABLE: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['an unknown client', { client_id: 'not-a-client' }],
  ['a redirect URI with a trailing slash', { redirect_uri: `${REDIRECT_URI}/` }],
  ['a redirect URI with another host', { redirect_uri: 'http://127.0.0.1:5173/callback' }],
  ['a redirect URI with another scheme', { redirect_uri: 'https://localhost:5173/callback' }],
  ['a redirect URI with another port', { redirect_uri: 'http://localhost:5174/callback' }],
  ['a redirect URI with a query added', { redirect_uri: `${REDIRECT_URI}?next=/` }],
  ['a redirect URI with another case', { redirect_uri: 'http://localhost:5173/Callback' }],
  ['a foreign redirect URI', { redirect_uri: 'https://attacker.example/callback' }],
];

/** Request errors that go back to the registered redirect URI with `error` and `state`. */
const REDIRECTED: ReadonlyArray<readonly [string, string, Record<string, string | undefined>]> = [
  ['code_challenge_method=plain', 'invalid_request', { code_challenge_method: 'plain' }],
  ['no code_challenge', 'invalid_request', { code_challenge: undefined, code_challenge_method: undefined }],
  ['an unknown scope', 'invalid_scope', { scope: 'notes:read no-such:scope' }],
];

describe.each(FRAMEWORKS)('the authorization endpoint of the demo on %s', (framework) => {
  let demo: OAuthDemo;
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    demo = await startOAuthDemo(framework);
    as = await discover(demo.issuer);
  });
  afterAll(() => demo?.close());

  it.each(UNREDIRECTABLE)('answers %s with a 400 HTML error page, never a redirect', async (_, change) => {
    const { url } = await authorizationRequest(as, change);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    await res.body?.cancel();
  });

  it.each(REDIRECTED)('answers %s with a 303 to the client: %s and the state', async (_, error, change) => {
    const request = await authorizationRequest(as, change);
    const res = await fetch(request.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    await res.body?.cancel();
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(`${REDIRECT_URI}?`), location).toBe(true);
    const failure = (() => {
      try {
        oauth.validateAuthResponse(as, client, new URL(location), request.state);
      } catch (reason) {
        return reason;
      }
      return new Error('the redirect carried no error');
    })();
    expect(failure).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((failure as oauth.AuthorizationResponseError).error).toBe(error);
    expect(new URL(location).searchParams.has('code')).toBe(false);
  });
});
