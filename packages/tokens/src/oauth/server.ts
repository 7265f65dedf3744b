import { ConfigError, challenge, checkOptions, parseDuration } from '@bulwark/core';
import { clockOption } from '../access/options.js';
import { approveRequest } from './approve.js';
import { checkAuthorizationRequest } from './authorize.js';
import { clientRegistry } from './clients.js';
import { MAX_CODE_TTL_MS } from './code.js';
import type { ServerContext } from './context.js';
import { memoryAuthorizationCodeStore } from './memory-store.js';
import { SCOPE_TOKEN } from './params.js';
import { isLoopbackHost } from './redirect-uri.js';
import { tokenRequest } from './token-endpoint.js';
import type { AuthorizationServer, AuthorizationServerOptions } from './types.js';

const OPTION_KEYS = [
  'issuer',
  'authorizationEndpoint',
  'tokenEndpoint',
  'jwksUri',
  'clients',
  'scopes',
  'codes',
  'codeTtl',
  'accessTokens',
  'refreshTokens',
  'onEvent',
  'realm',
  'clock',
];

/** An https URL (http for a loopback host: a developer's machine) with no fragment; `issuer` has no query either (RFC 8414 §2). */
function endpointUrl(value: unknown, option: string, isIssuer = false): string {
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new ConfigError(option, 'expected an absolute https URL');
  }
  if (typeof value !== 'string' || url.href.replace(/\/$/, '') !== value.replace(/\/$/, '')) {
    throw new ConfigError(option, 'expected an absolute URL in canonical form');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError(option, 'expected https (http only on a loopback host)');
  }
  if (url.hash !== '' || value.includes('#')) throw new ConfigError(option, 'a fragment is not allowed');
  if (url.username !== '' || url.password !== '') throw new ConfigError(option, 'userinfo is not allowed');
  if (isIssuer && url.search !== '') throw new ConfigError(option, 'the issuer has no query (RFC 8414 §2)');
  return value;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}

/**
 * An OAuth 2.0 authorization server for the authorization code grant with PKCE (RFC 6749,
 * RFC 7636, RFC 9700): `authorize` checks the authorization request, `approve` issues a
 * one-use code after sign-in, `token` is the token endpoint (`authorization_code` and
 * `refresh_token` grants, access tokens from `accessTokens`, refresh tokens and their
 * rotation from `refreshTokens`), `metadata` is the RFC 8414 document. Framework-free:
 * the adapter turns its answers into HTTP. Options are checked once, here: issuer and
 * endpoints https (http on loopback only), redirect URIs exact and canonical, scopes
 * known, client secrets given as hashes only.
 *
 * @example
 * ```ts
 * import { accessTokens, authorizationServer, keyring, memoryRevocationStore, refreshTokens } from '@bulwark/tokens';
 *
 * declare const query: Record<string, string | string[] | undefined>; // GET /oauth/authorize's query
 * declare const form: Record<string, string | string[] | undefined>; // POST /oauth/token's form
 * declare const authorization: string | undefined; // its Authorization field
 * declare const user: { id: string; scopes: string[] }; // once signed in
 * const keys = keyring({ algorithm: 'ES256' });
 * const issuer = 'https://auth.example.com';
 * const oauth = authorizationServer({
 *   issuer,
 *   authorizationEndpoint: `${issuer}/oauth/authorize`,
 *   tokenEndpoint: `${issuer}/oauth/token`,
 *   jwksUri: `${issuer}/.well-known/jwks.json`,
 *   scopes: ['notes:read', 'notes:write'],
 *   clients: [
 *     { id: 'notes-spa', type: 'public', redirectUris: ['https://app.example.com/callback'], scopes: ['notes:read', 'notes:write'] },
 *   ],
 *   accessTokens: accessTokens({ keys, issuer, audience: 'notes-api' }),
 *   // The session of each code: a reused code revokes it, with its access tokens (by sid).
 *   refreshTokens: refreshTokens({ revocations: { store: memoryRevocationStore(), accessTokenTtl: '15m' } }),
 * });
 *
 * // GET /oauth/authorize
 * const verdict = oauth.authorize(query);
 * if (verdict.kind === 'ok') {
 *   // ...show the sign-in form; once the user signed in:
 *   const signedIn = await oauth.approve(verdict.request, user.id, user.scopes); // 303 with code, state, iss
 * }
 * // POST /oauth/token (application/x-www-form-urlencoded)
 * const answer = await oauth.token(form, authorization); // a RespondDecision: JSON, no-store
 * ```
 */
export function authorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  checkOptions(options, OPTION_KEYS);
  const issuer = endpointUrl(options.issuer, 'issuer', true);
  const authorizationEndpoint = endpointUrl(options.authorizationEndpoint, 'authorizationEndpoint');
  const tokenEndpoint = endpointUrl(options.tokenEndpoint, 'tokenEndpoint');
  const jwksUri = endpointUrl(options.jwksUri, 'jwksUri');
  if (!Array.isArray(options.scopes) || options.scopes.length === 0) {
    throw new ConfigError('scopes', 'expected a non-empty array of scope tokens');
  }
  options.scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new ConfigError(`scopes[${i}]`, 'expected an RFC 6749 scope token');
    }
  });
  const scopes = new Set(options.scopes);
  const clients = clientRegistry(options.clients, scopes);
  if (!hasMethods(options.accessTokens, ['issue'])) {
    throw new ConfigError('accessTokens', 'expected an access token issuer (accessTokens(...))');
  }
  if (!hasMethods(options.refreshTokens, ['issue', 'rotate', 'revokeFamily', 'newFamilyId'])) {
    throw new ConfigError('refreshTokens', 'expected refresh tokens (refreshTokens(...))');
  }
  if (options.codes !== undefined && !hasMethods(options.codes, ['save', 'redeem', 'wasReused'])) {
    throw new ConfigError('codes', 'expected an AuthorizationCodeStore');
  }
  const codeTtlMs = parseDuration(options.codeTtl ?? '60s', 'codeTtl');
  if (codeTtlMs < 1000 || codeTtlMs > MAX_CODE_TTL_MS) {
    throw new ConfigError('codeTtl', 'expected 1s to 10m (RFC 6749 §4.1.2: codes are short-lived)');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }
  const realm = options.realm ?? issuer;
  let basicChallenge: string;
  try {
    basicChallenge = challenge('Basic', { realm });
  } catch {
    throw new ConfigError('realm', 'expected tab, space and visible ASCII only');
  }
  if (typeof realm !== 'string' || realm.length === 0) throw new ConfigError('realm', 'expected a non-empty string');

  const context: ServerContext = Object.freeze({
    issuer,
    clients,
    scopes,
    codes: options.codes ?? memoryAuthorizationCodeStore(),
    codeTtlMs,
    accessTokens: options.accessTokens,
    refreshTokens: options.refreshTokens,
    onEvent: options.onEvent,
    basicChallenge,
    now: clockOption(options.clock),
  });
  const all = [...clients.values()];
  const authMethods = [
    ...(all.some((c) => c.type === 'public') ? ['none'] : []),
    ...(all.some((c) => c.type === 'confidential') ? ['client_secret_basic', 'client_secret_post'] : []),
  ];
  const metadata = Object.freeze({
    issuer,
    authorization_endpoint: authorizationEndpoint,
    token_endpoint: tokenEndpoint,
    jwks_uri: jwksUri,
    response_types_supported: Object.freeze(['code']),
    grant_types_supported: Object.freeze(['authorization_code', 'refresh_token']),
    code_challenge_methods_supported: Object.freeze(['S256']),
    token_endpoint_auth_methods_supported: Object.freeze(authMethods),
    scopes_supported: Object.freeze([...scopes]),
    authorization_response_iss_parameter_supported: true,
  });

  const server: AuthorizationServer = {
    authorize: (query) => checkAuthorizationRequest(context, query),
    approve: (request, subject, userScopes) => approveRequest(context, request, subject, userScopes),
    token: (form, authorization) => tokenRequest(context, form, authorization),
    metadata: () => metadata,
  };
  return Object.freeze(server);
}
