import { BulwarkError, type RespondDecision, respond } from '@bulwark/core';
import { authorizationCodeHash, newAuthorizationCode } from './code.js';
import type { ServerContext } from './context.js';
import { parseCodeChallenge } from './pkce.js';
import { redirectTo } from './redirect-uri.js';
import type { AuthorizationRequest } from './types.js';

const refused = (what: string) =>
  new BulwarkError('invalid_request', `approve: ${what} (pass the request authorize() answered ok)`);

/**
 * Issues a code for a signed-in user and answers the 303 (RFC 9700 §4.12: never 307 after
 * a form post) to the redirect URI with `code`, `state` and `iss`. The request is checked
 * again, because it may have travelled through the sign-in form: a client, redirect URI,
 * challenge or scope that authorize() would not have accepted is a
 * `BulwarkError('invalid_request')` and no code is made. The granted scopes are the
 * requested ones the user holds (the client's scopes the user holds when none were
 * requested); when that is none, the redirect carries `access_denied` instead of a code.
 */
export async function approveRequest(
  context: ServerContext,
  request: AuthorizationRequest,
  subject: string,
  userScopes: readonly string[],
): Promise<RespondDecision> {
  if (typeof request !== 'object' || request === null) throw refused('request must be an object');
  const client = context.clients.get(request.clientId);
  if (client === undefined) throw refused('unknown client');
  if (!client.redirectUris.has(request.redirectUri)) throw refused('redirect URI not registered for the client');
  if (parseCodeChallenge(request.codeChallenge) === undefined) throw refused('no S256 code challenge');
  if (request.state !== undefined && typeof request.state !== 'string') throw refused('state must be a string');
  if (!Array.isArray(request.scopes) || request.scopes.some((s) => !client.scopes.has(s) || !context.scopes.has(s))) {
    throw refused('scopes outside the client scopes');
  }
  if (typeof subject !== 'string' || subject.length === 0) throw refused('subject must be a non-empty string');
  if (!Array.isArray(userScopes) || userScopes.some((s) => typeof s !== 'string')) {
    throw refused('userScopes must be an array of strings');
  }
  const held = new Set(userScopes);
  const wanted = request.scopes.length > 0 ? request.scopes : [...client.scopes];
  const scopes = wanted.filter((s) => held.has(s));
  const state: Array<[string, string]> = request.state === undefined ? [] : [['state', request.state]];
  if (scopes.length === 0) {
    const location = redirectTo(request.redirectUri, [
      ['error', 'access_denied'],
      ['error_description', 'none of the requested scopes can be granted to this user'],
      ...state,
      ['iss', context.issuer],
    ]);
    return respond(303, [['location', location]]);
  }
  const code = newAuthorizationCode();
  await context.codes.save(
    await authorizationCodeHash(code),
    {
      clientId: client.id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scopes,
      subject,
      familyId: context.refreshTokens.newFamilyId(subject),
    },
    context.codeTtlMs,
  );
  const location = redirectTo(request.redirectUri, [['code', code], ...state, ['iss', context.issuer]]);
  return respond(303, [['location', location]]);
}
