import type { ServerContext } from './context.js';
import { parseScope, readParams } from './params.js';
import { parseCodeChallenge } from './pkce.js';
import { redirectTo } from './redirect-uri.js';
import type { AuthorizationRequest, AuthorizeVerdict, OAuthParams } from './types.js';

type PageError = Extract<AuthorizeVerdict, { kind: 'error_page' }>;

const page = (error: PageError['error'], description: string): AuthorizeVerdict =>
  Object.freeze({ kind: 'error_page', error, description });

/**
 * Checks an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). The client and its
 * redirect URI come first: until both are known to be registered (the URI exactly), an
 * error is a page, never a redirect (§4.1.2.1: an unverified redirect URI makes the server
 * an open redirector). After that, every error goes back to the client as a redirect with
 * `error`, `error_description`, `state` (as sent) and `iss` (RFC 9207).
 */
export function checkAuthorizationRequest(context: ServerContext, query: OAuthParams): AuthorizeVerdict {
  const params = readParams(query);
  if (params.repeated('client_id')) return page('invalid_request', 'client_id was sent more than once');
  const clientId = params.get('client_id');
  if (clientId === undefined) return page('invalid_request', 'client_id is required');
  const client = context.clients.get(clientId);
  if (client === undefined) return page('invalid_client', 'the client is not registered');
  if (params.repeated('redirect_uri')) return page('invalid_request', 'redirect_uri was sent more than once');
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === undefined) return page('invalid_redirect_uri', 'redirect_uri is required');
  if (!client.redirectUris.has(redirectUri)) {
    return page('invalid_redirect_uri', 'redirect_uri is not registered for this client');
  }

  const state = params.repeated('state') ? undefined : params.get('state');
  const fail = (error: string, description: string): AuthorizeVerdict => {
    const answer: Array<[string, string]> = [
      ['error', error],
      ['error_description', description],
    ];
    if (state !== undefined) answer.push(['state', state]);
    answer.push(['iss', context.issuer]);
    return Object.freeze({ kind: 'redirect', location: redirectTo(redirectUri, answer), error });
  };

  if (params.malformed) return fail('invalid_request', 'a parameter was sent more than once');
  if (params.get('request') !== undefined) return fail('request_not_supported', 'request objects are not supported');
  if (params.get('request_uri') !== undefined) {
    return fail('request_uri_not_supported', 'request_uri is not supported');
  }
  const responseType = params.get('response_type');
  if (responseType === undefined) return fail('invalid_request', 'response_type is required');
  if (responseType !== 'code') return fail('unsupported_response_type', 'only response_type code is supported');
  const responseMode = params.get('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    return fail('invalid_request', 'only response_mode query is supported');
  }
  if (!client.grantTypes.has('authorization_code')) {
    return fail('unauthorized_client', 'this client may not use the authorization code grant');
  }
  const challenge = params.get('code_challenge');
  if (challenge === undefined) return fail('invalid_request', 'code_challenge is required (PKCE)');
  const method = params.get('code_challenge_method');
  if (method === undefined) return fail('invalid_request', 'code_challenge_method S256 is required');
  if (method !== 'S256') return fail('invalid_request', 'only code_challenge_method S256 is supported');
  const codeChallenge = parseCodeChallenge(challenge);
  if (codeChallenge === undefined) {
    return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256)');
  }
  const scopeText = params.get('scope');
  const scopes = scopeText === undefined ? [] : parseScope(scopeText);
  if (scopes === undefined) return fail('invalid_scope', 'scope is malformed');
  if (scopes.some((s) => !context.scopes.has(s) || !client.scopes.has(s))) {
    return fail('invalid_scope', 'a requested scope is unknown or not allowed for this client');
  }
  const request: AuthorizationRequest = Object.freeze({
    clientId,
    redirectUri,
    ...(state === undefined ? {} : { state }),
    scopes: Object.freeze(scopes),
    codeChallenge,
  });
  return Object.freeze({ kind: 'ok', request });
}
