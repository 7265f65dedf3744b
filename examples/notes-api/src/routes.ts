import {
  BulwarkError,
  type DenyDecision,
  deny,
  type Principal,
  type RequestValidator,
  type RespondDecision,
  respond,
  type ValidatedRequest,
} from '@bulwark/core';
import type { OAuthParams } from '@bulwark/tokens';
import type { AuthHandlers } from './auth/handlers.js';
import type { ApiKeyHandlers, CreateKeyBody } from './domain/api-keys.js';
import type { directoryHandlers } from './domain/directory.js';
import type { Answer, NoteHandlers } from './domain/notes.js';
import { SIGNIN_COOKIE } from './oauth/csrf.js';
import type { OAuthHandlers, SigninForm } from './oauth/handlers.js';
import { withOpenApi } from './openapi.js';
import type { DemoValidators } from './validators.js';

type Valid = ValidatedRequest<unknown, unknown, unknown, unknown>;

/** What a route's logic receives, whichever framework serves it. */
export interface RouteInput {
  readonly valid: Valid | undefined;
  /**
   * The query string as sent (without `?`), for a route whose parameters a library checks
   * itself (the OAuth authorization endpoint: its errors are an HTML page or a redirect,
   * never a validator's problem).
   */
  readonly rawQuery: string;
  readonly apiVersion: string | undefined;
  /** The client IP as trust-proxy resolved it, on the password routes (see `signInClient`). */
  readonly clientIp: string | undefined;
  /** The authenticated caller on a protected route (`undefined` on public ones). */
  readonly principal: Principal | undefined;
}

/** One route of the demo: what each framework app mounts, the same way. */
export interface DemoRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly validator?: RequestValidator;
  /**
   * Set on a protected route: the app authenticates it, applies the per-principal rate
   * limits and requires these scopes (none: any authenticated caller), in that order.
   */
  readonly auth?: { readonly scopes: readonly string[] };
  run(input: RouteInput): Answer | Promise<Answer>;
}

type DirectoryHandlers = ReturnType<typeof directoryHandlers>;

export interface RouteHandlers {
  readonly notes: NoteHandlers;
  readonly auth: AuthHandlers;
  readonly directory: DirectoryHandlers;
  readonly oauth: OAuthHandlers;
  readonly keys: ApiKeyHandlers;
}

/** The caller of a protected route: the apps only run it after authentication. */
function caller(input: RouteInput): Principal {
  if (input.principal === undefined) throw new BulwarkError('adapter_misuse', 'a protected route ran unauthenticated');
  return input.principal;
}

/** The demo's routes, as data: the framework apps only translate them. */
export function demoRoutes(h: RouteHandlers, v: DemoValidators): readonly DemoRoute[] {
  const data = <T>(input: RouteInput) => input.valid as unknown as ValidatedRequest<T, T, T, T>;
  const list = (input: RouteInput) =>
    h.notes.list(caller(input).subject, data<{ limit: number; cursor?: string }>(input).query, input.apiVersion);
  /** The `:id` of a note or key route. */
  const idParam = (input: RouteInput) => data<{ id: string }>(input).params.id;
  const validator = (x: unknown) => x as RequestValidator;
  const signinCookie = (input: RouteInput) =>
    (input.valid?.cookies as Record<string, string | undefined> | undefined)?.[SIGNIN_COOKIE];
  const scopes = (...list: string[]) => ({ scopes: list });
  // Plus GET /openapi.json, the document of them all.
  return withOpenApi([
    { method: 'GET', path: '/health', run: () => ({ status: 200, body: { status: 'ok' } }) },
    { method: 'GET', path: '/.well-known/jwks.json', run: () => h.auth.jwks() },
    { method: 'GET', path: '/.well-known/oauth-authorization-server', run: () => h.oauth.metadata() },
    {
      method: 'GET',
      path: '/oauth/authorize',
      validator: validator(v.authorizePage),
      run: (input) => h.oauth.authorize(input.rawQuery, signinCookie(input)),
    },
    {
      method: 'POST',
      path: '/oauth/authorize',
      validator: validator(v.authorizeForm),
      run: (input) =>
        h.oauth.signIn(data<SigninForm>(input).body, signinCookie(input), {
          ip: input.clientIp,
          method: 'POST',
          path: '/oauth/authorize',
        }),
    },
    {
      method: 'POST',
      path: '/oauth/token',
      validator: validator(v.oauthToken),
      run: (input) => {
        const { body, headers } = data<OAuthParams & { authorization?: string }>(input);
        return h.oauth.token(body, headers.authorization);
      },
    },
    {
      method: 'POST',
      path: '/auth/login',
      validator: validator(v.login),
      run: (input) =>
        h.auth.login(data<{ email: string; password: string }>(input).body, {
          ip: input.clientIp,
          method: 'POST',
          path: '/auth/login',
        }),
    },
    {
      method: 'POST',
      path: '/auth/refresh',
      validator: validator(v.refresh),
      run: (input) => h.auth.refresh(data<{ refresh_token: string }>(input).body),
    },
    { method: 'POST', path: '/auth/logout', auth: scopes(), run: (input) => h.auth.logout(caller(input)) },
    { method: 'GET', path: '/v1/notes', validator: validator(v.listNotes), auth: scopes('notes:read'), run: list },
    {
      method: 'GET',
      path: '/v2/users/me',
      validator: validator(v.me),
      auth: scopes(),
      run: (input) => h.auth.me(caller(input)),
    },
    { method: 'GET', path: '/v2/notes', validator: validator(v.listNotes), auth: scopes('notes:read'), run: list },
    {
      method: 'POST',
      path: '/v2/notes',
      validator: validator(v.createNote),
      auth: scopes('notes:write'),
      run: (input) =>
        h.notes.create(caller(input).subject, data<{ title: string; body?: string; tags?: string[] }>(input).body),
    },
    {
      method: 'GET',
      path: '/v2/notes/:id',
      validator: validator(v.noteById),
      auth: scopes('notes:read'),
      run: (input) => h.notes.get(caller(input), idParam(input)),
    },
    {
      method: 'PATCH',
      path: '/v2/notes/:id',
      validator: validator(v.updateNote),
      auth: scopes('notes:write'),
      run: (input) =>
        h.notes.update(
          caller(input),
          idParam(input),
          data<{ title?: string; body?: string; tags?: string[] }>(input).body,
        ),
    },
    {
      method: 'DELETE',
      path: '/v2/notes/:id',
      validator: validator(v.noteById),
      auth: scopes('notes:write'),
      run: (input) => h.notes.remove(caller(input), idParam(input)),
    },
    {
      method: 'POST',
      path: '/v2/reports',
      validator: validator(v.createReport),
      auth: scopes('reports:write'),
      run: (input) => h.notes.createReport(data<{ kind: string }>(input).body),
    },
    {
      method: 'GET',
      path: '/v2/users',
      validator: validator(v.findUsers),
      auth: scopes('notes:read'),
      run: (input) => h.directory.find(caller(input), data<{ email: string }>(input).query.email),
    },
    {
      method: 'POST',
      path: '/v2/api-keys',
      validator: validator(v.createKey),
      auth: scopes('keys:manage'),
      run: (input) => h.keys.create(caller(input), data<CreateKeyBody>(input).body),
    },
    {
      method: 'GET',
      path: '/v2/api-keys',
      validator: validator(v.listKeys),
      auth: scopes('keys:manage'),
      run: (input) => h.keys.list(caller(input)),
    },
    {
      method: 'DELETE',
      path: '/v2/api-keys/:id',
      validator: validator(v.keyById),
      auth: scopes('keys:manage'),
      run: (input) => h.keys.revoke(caller(input), idParam(input)),
    },
    {
      method: 'POST',
      path: '/v2/api-keys/:id/rotate',
      validator: validator(v.rotateKey),
      auth: scopes('keys:manage'),
      run: (input) => h.keys.rotate(caller(input), idParam(input), data<{ overlap_seconds?: number }>(input).body),
    },
    {
      method: 'GET',
      path: '/admin/users',
      validator: validator(v.adminUsers),
      auth: scopes('admin'),
      run: (input) => h.directory.listAll(data<{ limit: number; cursor?: string }>(input).query),
    },
    {
      method: 'GET',
      path: '/admin/events',
      validator: validator(v.adminEvents),
      auth: scopes('admin'),
      run: (input) => h.directory.events(data<{ limit: number; cursor?: string }>(input).query),
    },
  ]);
}

/** A path the demo serves, with every method it answers there (for `Allow`). */
export interface DemoPath {
  readonly path: string;
  /** The routes' methods, `HEAD` wherever `GET` is, and `OPTIONS`. */
  readonly allowed: readonly string[];
}

/**
 * The demo's paths and the methods each answers. The apps mount, after the routes, one
 * catch-all per path: a method the path does not serve gets 405 with `Allow` (RFC 9110
 * 15.5.5 and 15.5.6), not the 404 of a path that does not exist.
 */
export function demoPaths(routes: readonly DemoRoute[]): readonly DemoPath[] {
  const methods = new Map<string, Set<string>>();
  for (const route of routes) {
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === 'GET') set.add('HEAD');
    methods.set(route.path, set);
  }
  return [...methods].map(([path, set]) => ({ path, allowed: [...set, 'OPTIONS'] }));
}

/**
 * The answer for a method a known path does not serve. A plain `OPTIONS` (a CORS
 * preflight is answered earlier, by the CORS policy) gets 204 with `Allow`; anything else
 * 405 with `Allow`. The method is not echoed: it is the client's text.
 */
export function otherMethodAnswer(path: DemoPath, method: string): DenyDecision | RespondDecision {
  const headers = [['allow', path.allowed.join(', ')]] as const;
  return method === 'OPTIONS'
    ? respond(204, headers)
    : deny('method_not_allowed', 'This path does not answer this method; Allow lists those it does.', { headers });
}
