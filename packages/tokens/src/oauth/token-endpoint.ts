import { emitEvent, type RespondDecision } from '@bulwark/core';
import { tokenError, tokenSuccess } from './answers.js';
import { authenticateClient } from './client-auth.js';
import type { RegisteredClient } from './clients.js';
import { authorizationCodeHash, isAuthorizationCode } from './code.js';
import type { ServerContext } from './context.js';
import { parseScope, type ReadParams, readParams } from './params.js';
import { parseCodeVerifier, verifyPkce } from './pkce.js';
import type { OAuthParams } from './types.js';

/**
 * One phrase for every way a code fails once it reached the store (unknown, expired, used,
 * another client's, another redirect URI, a verifier that does not match): which one it
 * was would help whoever is trying codes, and tells the client nothing it can fix.
 */
const BAD_CODE = 'the authorization code is invalid, expired or used, or does not match this request';
const BAD_REFRESH = 'the refresh token is invalid, expired or revoked';

interface Issued {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly familyId: string;
  readonly refreshToken: string | undefined;
}

async function answerWithTokens(context: ServerContext, client: RegisteredClient, issued: Issued) {
  const access = await context.accessTokens.issue({
    subject: issued.subject,
    scopes: issued.scopes,
    clientId: client.id,
    sessionId: issued.familyId,
  });
  const body: Record<string, string | number> = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
  };
  if (issued.refreshToken !== undefined) body.refresh_token = issued.refreshToken;
  body.scope = issued.scopes.join(' ');
  return body;
}

async function codeGrant(context: ServerContext, client: RegisteredClient, params: ReadParams) {
  const fail = (error: 'invalid_request' | 'invalid_grant', description: string) =>
    tokenError(error, description, context.basicChallenge);
  const code = params.get('code');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');
  if (code === undefined) return fail('invalid_request', 'code is required');
  if (redirectUri === undefined) return fail('invalid_request', 'redirect_uri is required');
  if (verifier === undefined) return fail('invalid_grant', 'code_verifier is required (PKCE)');
  if (parseCodeVerifier(verifier) === undefined) {
    return fail('invalid_grant', 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
  if (!isAuthorizationCode(code)) return fail('invalid_grant', BAD_CODE);
  const hash = await authorizationCodeHash(code);
  const result = await context.codes.redeem(hash);
  if (result.outcome === 'unknown') return fail('invalid_grant', BAD_CODE);
  const { record } = result;
  if (result.outcome === 'reused') {
    // RFC 6749 §4.1.2: a code used twice revokes what was issued from it.
    await context.refreshTokens.revokeFamily(record.familyId);
    emitEvent(context.onEvent, {
      type: 'token.reuse_detected',
      at: context.now(),
      credential: 'authorization_code',
      familyId: record.familyId,
    });
    return fail('invalid_grant', BAD_CODE);
  }
  // The code is spent whatever follows: a stolen code tried with a wrong verifier is gone.
  const bound =
    record.clientId === client.id &&
    record.redirectUri === redirectUri &&
    // A record without a challenge fails here too (RFC 9700 §4.8.2), whatever the store let through.
    (await verifyPkce(verifier, record.codeChallenge));
  if (!bound) return fail('invalid_grant', BAD_CODE);
  const refresh = await context.refreshTokens.issue({
    subject: record.subject,
    clientId: client.id,
    scopes: record.scopes,
    familyId: record.familyId,
  });
  const body = await answerWithTokens(context, client, {
    subject: record.subject,
    scopes: record.scopes,
    familyId: refresh.familyId,
    refreshToken: client.grantTypes.has('refresh_token') ? refresh.token : undefined,
  });
  // A second use that raced this one revoked a session that did not exist yet: revoke it now.
  if (await context.codes.wasReused(hash)) {
    await context.refreshTokens.revokeFamily(record.familyId);
    return fail('invalid_grant', BAD_CODE);
  }
  return tokenSuccess(body);
}

async function refreshGrant(context: ServerContext, client: RegisteredClient, params: ReadParams) {
  const token = params.get('refresh_token');
  if (token === undefined) return tokenError('invalid_request', 'refresh_token is required', context.basicChallenge);
  const scopeText = params.get('scope');
  const requested = scopeText === undefined ? undefined : parseScope(scopeText);
  if (scopeText !== undefined && (requested === undefined || requested.some((s) => !client.scopes.has(s)))) {
    return tokenError(
      'invalid_scope',
      'a requested scope is malformed or not allowed for this client',
      context.basicChallenge,
    );
  }
  // The rotation comes first, whatever the request asks: it is what detects a spent token's
  // reuse, and a check answered before it (a scope beyond the session's) would let the
  // holder of a stolen, already rotated token probe the session without tripping it.
  const outcome = await context.refreshTokens.rotate(token);
  if (!outcome.ok) return tokenError('invalid_grant', BAD_REFRESH, context.basicChallenge);
  const { family, refreshToken } = outcome;
  if (family.clientId !== client.id) {
    // Another client holds this client's refresh token: it leaked, so the session ends.
    await context.refreshTokens.revokeFamily(family.familyId);
    return tokenError('invalid_grant', BAD_REFRESH, context.basicChallenge);
  }
  // RFC 6749 §6: no scope beyond what the session was granted. The token is spent like any
  // presented one; within the grace window (`refreshTokens({ grace })`) a retry of it
  // without the scope gets the same child.
  if (requested?.some((s) => !family.scopes.includes(s))) {
    return tokenError('invalid_scope', 'a requested scope was not granted to this session', context.basicChallenge);
  }
  // A narrower scope narrows the access token (RFC 6749 §6); the session keeps its own.
  const scopes = requested ?? family.scopes;
  const body = await answerWithTokens(context, client, {
    subject: family.subject,
    scopes,
    familyId: family.familyId,
    refreshToken: refreshToken.token,
  });
  return tokenSuccess(body);
}

/**
 * The token endpoint (RFC 6749 §3.2, §4.1.3, §6). The client is authenticated first, then
 * the grant is checked. Every answer is §5.1 or §5.2 JSON with `Cache-Control: no-store`;
 * a malformed request is an answer, never an exception. What rejects is the stores (a
 * `store_unavailable` error reaches the adapter's error handling as a 503).
 */
export async function tokenRequest(
  context: ServerContext,
  form: OAuthParams,
  authorization: string | undefined,
): Promise<RespondDecision> {
  const params = readParams(form);
  if (params.malformed) {
    return tokenError('invalid_request', 'a parameter was sent more than once', context.basicChallenge);
  }
  const authn = await authenticateClient(
    context.clients,
    params,
    typeof authorization === 'string' ? authorization : undefined,
  );
  if (!authn.ok) return tokenError(authn.error, authn.description, context.basicChallenge);
  const { client } = authn;
  const grantType = params.get('grant_type');
  if (grantType === undefined) return tokenError('invalid_request', 'grant_type is required', context.basicChallenge);
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return tokenError('unsupported_grant_type', 'the grant_type is not supported', context.basicChallenge);
  }
  if (!client.grantTypes.has(grantType)) {
    return tokenError('unauthorized_client', 'this client may not use this grant_type', context.basicChallenge);
  }
  return grantType === 'authorization_code'
    ? codeGrant(context, client, params)
    : refreshGrant(context, client, params);
}
