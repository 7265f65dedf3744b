import * as oauth from 'oauth4webapi';
import { expect } from 'vitest';
import { ALICE, REDIRECT_URI } from './demo.js';
import { expectSignInPageHeaders } from './headers.js';
import { authorizationRequest, client, exchangeCode } from './oauth-client.js';
import { openSignIn, submitSignIn } from './sign-in.js';

/**
 * Signs alice in on the demo's form for a fresh authorization request: the request and the
 * callback parameters, validated by oauth4webapi (state, issuer, no error).
 */
export async function authorizeAlice(as: oauth.AuthorizationServer) {
  const request = await authorizationRequest(as);
  const page = await openSignIn(request.url);
  expectSignInPageHeaders((name) => page.response.headers.get(name));
  const answer = await submitSignIn(page, ALICE.email, ALICE.password);
  // RFC 9700 §4.12: a 303 after the form post, to exactly the registered redirect URI.
  expect(answer.status).toBe(303);
  const location = answer.headers.get('location') ?? '';
  expect(location.startsWith(`${REDIRECT_URI}?`), location).toBe(true);
  return { request, callback: oauth.validateAuthResponse(as, client, new URL(location), request.state) };
}

/** The whole front channel and the code exchange: alice's first tokens. */
export async function tokensOfAlice(as: oauth.AuthorizationServer): Promise<oauth.TokenEndpointResponse> {
  const { request, callback } = await authorizeAlice(as);
  return (await exchangeCode(as, callback, request.verifier)).tokens;
}
