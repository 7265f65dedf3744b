import { type OpenApiDocument, type OpenApiRoute, openApiDocument, type RouteResponse } from '@bulwark/openapi';
import { REALM } from './config.js';
import { CLIENT_TIERS, PRINCIPAL_TIERS, V1_DEPRECATION } from './policies.js';
import type { DemoRoute } from './routes.js';

/** What each scope grants (the OAuth scheme lists them; a route requiring another is a ConfigError). */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'notes:read': 'Read your own notes, and look users up (masked emails)',
  'notes:write': 'Create, change and delete your own notes',
  'reports:write': 'Request reports (the expensive tier)',
  'keys:manage': 'Create, list, rotate and revoke your API keys',
  'users:read': 'See the full records of the users you look up',
  admin: 'Every user and the security event log',
};

const json = (schema: Record<string, unknown> = { type: 'object' }) => ({ 'application/json': { schema } });
const html = { 'text/html': { schema: { type: 'string' } } };
const oauthError = { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } };
const noStore = { 'Cache-Control': { description: '`no-store` (RFC 6749 §5.1).', schema: { type: 'string' } } };

/**
 * What only a reader needs about each route: its summary and the answers its logic gives
 * (the validator, authentication and limits answers are generated from the route itself).
 * Keyed by `METHOD path`; a route missing here is documented with a plain 200.
 */
const DETAILS: Readonly<Record<string, Pick<OpenApiRoute, 'summary' | 'responses'>>> = {
  'GET /health': { summary: 'Liveness', responses: { 200: { description: 'Up', content: json() } } },
  'GET /openapi.json': {
    summary: 'This document',
    responses: { 200: { description: 'The OpenAPI 3.1 document', content: json() } },
  },
  'GET /.well-known/jwks.json': {
    summary: 'The public signing keys (RFC 7517)',
    responses: {
      200: {
        description: 'The public JWK Set',
        content: json({ type: 'object', required: ['keys'], properties: { keys: { type: 'array' } } }),
        headers: { 'Cache-Control': { description: '`public, max-age=300`', schema: { type: 'string' } } },
      },
    },
  },
  'GET /.well-known/oauth-authorization-server': {
    summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
    responses: { 200: { description: 'The metadata', content: json() } },
  },
  'GET /oauth/authorize': {
    summary: 'The authorization endpoint (code flow, PKCE S256): the sign-in page',
    responses: {
      200: { description: 'The sign-in form', content: html },
      303: { description: 'Back to the redirect URI with `error` and `state` (RFC 6749 §4.1.2.1)' },
      400: { description: 'An unknown client or redirect URI: an error page, never a redirect', content: html },
    },
  },
  'POST /oauth/authorize': {
    summary: 'The sign-in form post',
    responses: {
      303: { description: 'Back to the redirect URI with `code` and `state`, or with `error`' },
      400: { description: 'Wrong email or password: the form again, one message for both', content: html },
      403: { description: 'An expired or forged form (CSRF)', content: html },
      429: { description: 'Locked (AC-7): the form again, with `Retry-After`', content: html },
    },
  },
  'POST /oauth/token': {
    summary: 'The token endpoint (RFC 6749 §3.2): authorization code with PKCE, or refresh token',
    responses: {
      200: { description: 'A token pair (RFC 6749 §5.1)', content: json(), headers: noStore },
      400: {
        description: 'An OAuth error (RFC 6749 §5.2), such as `invalid_grant`',
        content: oauthError,
        headers: noStore,
      },
      401: { description: 'An OAuth `invalid_client` error', content: oauthError, headers: noStore },
    },
  },
  'POST /auth/login': {
    summary: 'Sign in with email and password',
    responses: {
      200: 'A token pair',
      401: { description: 'Wrong password or unknown user (one answer for both)', codes: ['invalid_credentials'] },
      429: { description: 'Locked after failed sign-ins (AC-7)', codes: ['login_locked'] },
    },
  },
  'POST /auth/refresh': {
    summary: 'Rotate a refresh token',
    responses: {
      200: 'A new token pair',
      401: { description: 'An unknown, expired, revoked or spent refresh token', codes: ['invalid_grant'] },
    },
  },
  'POST /auth/logout': {
    summary: 'Revoke the session',
    responses: { 204: 'Signed out', 400: 'Presented with an API key: a key has no session (revoke it instead)' },
  },
  'GET /v1/notes': { summary: 'Your notes (v1, deprecated)' },
  'GET /v2/users/me': {
    summary: 'The caller',
    responses: { 200: 'The caller', 404: { description: 'The caller no longer exists', codes: ['not_found'] } },
  },
  'GET /v2/notes': { summary: 'Your notes, paginated' },
  'POST /v2/notes': { summary: 'Create a note', responses: { 201: 'The note' } },
  'GET /v2/notes/:id': { summary: 'One of your notes' },
  'PATCH /v2/notes/:id': { summary: 'Change one of your notes' },
  'DELETE /v2/notes/:id': { summary: 'Delete one of your notes', responses: { 204: 'Deleted' } },
  'POST /v2/reports': { summary: 'Request a report (5 per minute)', responses: { 202: 'Queued' } },
  'GET /v2/users': { summary: 'Look users up by email' },
  'POST /v2/api-keys': { summary: 'Create an API key (shown once)', responses: { 201: 'The key' } },
  'GET /v2/api-keys': { summary: 'Your API keys (never a secret)' },
  'DELETE /v2/api-keys/:id': { summary: 'Revoke an API key', responses: { 204: 'Revoked' } },
  'POST /v2/api-keys/:id/rotate': { summary: 'Rotate an API key, with overlap', responses: { 201: 'The new key' } },
  'GET /admin/users': { summary: 'Every user' },
  'GET /admin/events': { summary: 'The latest security events' },
};

/** The paths the demo's rate limits never count (see `unlimitedPath`). */
const UNLIMITED = ['/health', '/.well-known'];

/** The demo's OpenAPI document, from its routes and the same policy settings the apps run. */
export function demoOpenApi(routes: readonly DemoRoute[]): OpenApiDocument {
  return openApiDocument({
    info: {
      title: 'Bulwark notes API',
      version: '2.0.0',
      description:
        'The Bulwark demo, the same API on Express, Fastify, Koa and Hono. A method a documented path does not answer gets 405 with `Allow`.',
    },
    routes: routes.map((route) => {
      const details = DETAILS[`${route.method} ${route.path}`] as Partial<Pick<OpenApiRoute, 'summary' | 'responses'>>;
      return {
        method: route.method,
        path: route.path,
        validator: route.validator,
        auth: route.auth,
        summary: details?.summary,
        responses: details?.responses as Readonly<Record<string, string | RouteResponse>> | undefined,
      };
    }),
    security: {
      bearer: { description: 'An access token (`typ: at+jwt`, RFC 9068) from `/auth/login` or `/oauth/token`.' },
      apiKey: { header: 'X-API-Key', description: 'An API key from `POST /v2/api-keys`.' },
      oauth2: { authorizationUrl: '/oauth/authorize', tokenUrl: '/oauth/token', scopes: SCOPE_DESCRIPTIONS },
      realm: REALM,
    },
    rateLimits: [
      { name: 'notes-api', limits: CLIENT_TIERS, skipPaths: UNLIMITED },
      { name: 'notes-api-user', limits: PRINCIPAL_TIERS },
    ],
    deprecations: [V1_DEPRECATION],
  });
}

/**
 * The routes and, after them, `GET /openapi.json`, whose document (every route, itself
 * included) is generated here, once, when the routes are built: a ConfigError stops the
 * start. `Cache-Control: no-store`, the profile's default, unlike the JWKS: the document
 * says what this process enforces now, and a cached copy would go on describing routes and
 * limits a deploy has changed; tools fetch it rarely, so caching would save nothing.
 */
export function withOpenApi(routes: readonly DemoRoute[]): readonly DemoRoute[] {
  let body: OpenApiDocument | undefined;
  const all = [...routes, { method: 'GET', path: '/openapi.json', run: () => ({ status: 200, body }) } as const];
  body = demoOpenApi(all);
  return all;
}
