import * as oauth from 'oauth4webapi';
import { expect } from 'vitest';
import { ALICE, CLIENT_ID, REDIRECT_URI } from './demo.js';

/** The demo is served over http on loopback only: oauth4webapi refuses http unless told. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The registered public client: no secret, `token_endpoint_auth_method: none`. */
export const client: oauth.Client = { client_id: CLIENT_ID, token_endpoint_auth_method: 'none' };

/** RFC 8414 discovery: `/.well-known/oauth-authorization-server`, the issuer compared exactly. */
export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const identifier = new URL(issuer);
  const response = await oauth.discoveryRequest(identifier, { algorithm: 'oauth2', ...insecure });
  return oauth.processDiscoveryResponse(identifier, response);
}

export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly verifier: string;
}

/**
 * An authorization request of `notes-spa` for alice's scopes, PKCE S256 and a random state.
 * `change` sets a parameter, or removes it when given `undefined`.
 */
export async function authorizationRequest(
  as: oauth.AuthorizationServer,
  change: Readonly<Record<string, string | undefined>> = {},
): Promise<AuthorizationRequest> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint ?? 'missing:authorization_endpoint');
  const parameters: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: ALICE.scopes.join(' '),
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...change,
  };
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return { url, state, verifier };
}

/** Redeems the code of `callback` with `verifier` (oauth4webapi validates the answer). */
export async function exchangeCode(
  as: oauth.AuthorizationServer,
  callback: URLSearchParams,
  verifier: string,
): Promise<{ readonly response: Response; readonly tokens: oauth.TokenEndpointResponse }> {
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    callback,
    REDIRECT_URI,
    verifier,
    insecure,
  );
  // The headers stay readable once oauth4webapi has consumed the body.
  return { response, tokens: await oauth.processAuthorizationCodeResponse(as, client, response) };
}

/** A refresh-token grant at the token endpoint (oauth4webapi validates the answer). */
export async function refresh(
  as: oauth.AuthorizationServer,
  refreshToken: string,
): Promise<{ readonly response: Response; readonly tokens: oauth.TokenEndpointResponse }> {
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, insecure);
  return { response, tokens: await oauth.processRefreshTokenResponse(as, client, response) };
}

/** Expects the token endpoint's RFC 6749 §5.2 error `error`: 400, JSON, `Cache-Control: no-store`. */
export async function expectTokenError(attempt: Promise<unknown>, error: string): Promise<void> {
  const failure = await attempt.then(
    () => new Error(`the token endpoint accepted what it must refuse with ${error}`),
    (reason: unknown) => reason,
  );
  if (!(failure instanceof oauth.ResponseBodyError)) throw failure;
  expect(failure.error).toBe(error);
  expect(failure.status).toBe(400);
  expect(failure.response.headers.get('cache-control')).toBe('no-store');
}
