import { ConfigError } from '@bulwark/core';

/** One operation the probe knows of, from an OpenAPI document or the options. */
export interface ProbeRoute {
  /** Upper case. */
  readonly method: string;
  /** A template, OpenAPI style: `/v2/notes/{id}`. */
  readonly path: string;
  /** Needs a credential (a non-empty security requirement). */
  readonly protected: boolean;
  /** The scopes the first security requirement names. */
  readonly scopes: readonly string[];
  readonly deprecated: boolean;
  /** The names of its query parameters. */
  readonly query: readonly string[];
  /** Takes an `application/json` body. */
  readonly jsonBody: boolean;
}

/**
 * How to sign in: the probe POSTs `body` as JSON to `path` and reads the access token from
 * the answer's member `token` (default `access_token`). With `refresh`, the refresh token
 * is the member `refresh.field` (default `refresh_token`) of the answer, and is POSTed as
 * `{ [field]: token }` to `refresh.path`.
 */
export interface LoginRecipe {
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly token?: string;
  readonly refresh?: { readonly path: string; readonly field?: string };
}

/** What the probe knows about the API under test. */
export interface ProbeTarget {
  readonly baseUrl: string;
  readonly routes: readonly ProbeRoute[];
  /** An origin the API allows (CORS): look-alikes are derived from it. */
  readonly origin: string | undefined;
  readonly login: LoginRecipe | undefined;
  /** The header an API key goes in. Default `x-api-key`. */
  readonly apiKeyHeader: string;
  /** Where the public JWK Set is. Default `/.well-known/jwks.json`. */
  readonly jwksPath: string;
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The security requirement of an operation: its own, else the document's. */
function requirements(doc: Json, op: Json): Json[] {
  const list = Array.isArray(op.security) ? op.security : Array.isArray(doc.security) ? doc.security : [];
  return list.filter(isObject);
}

function parameterNames(list: unknown, where: string): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is Json => isObject(p) && p.in === where && typeof p.name === 'string')
    .map((p) => p.name as string);
}

/**
 * The operations of an OpenAPI 3.x document (`$ref` parameters are not followed: the probe
 * only needs names it can see). An operation is protected when every alternative of its
 * security requirement names a scheme (an empty `{}` alternative makes it optional).
 *
 * @example
 * ```ts
 * const routes = routesFromOpenApi({ openapi: '3.1.0', paths: { '/me': { get: { security: [{ bearer: [] }] } } } });
 * // [{ method: 'GET', path: '/me', protected: true, scopes: [], ... }]
 * ```
 */
export function routesFromOpenApi(doc: unknown): ProbeRoute[] {
  if (!isObject(doc) || !isObject(doc.paths))
    throw new ConfigError('openapi', 'expected an OpenAPI document with paths');
  const routes: ProbeRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const reqs = requirements(doc, op);
      const isProtected = reqs.length > 0 && reqs.every((r) => Object.keys(r).length > 0);
      const first = reqs.find((r) => Object.keys(r).length > 0);
      const scopes = first ? Object.values(first).flatMap((s) => (Array.isArray(s) ? s.map(String) : [])) : [];
      const body = isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : {};
      routes.push({
        method: method.toUpperCase(),
        path,
        protected: isProtected,
        scopes: [...new Set(scopes)],
        deprecated: op.deprecated === true,
        query: [...new Set([...parameterNames(item.parameters, 'query'), ...parameterNames(op.parameters, 'query')])],
        jsonBody: Object.keys(body).some((type) => /^application\/(?:[\w.+-]+\+)?json\b/.test(type)),
      });
    }
  }
  return routes;
}

/** A GET route named on the command line (`--protected`, `--deprecated`, `--public`). */
export function namedRoute(path: string, kind: { protected?: boolean; deprecated?: boolean }): ProbeRoute {
  if (!path.startsWith('/'))
    throw new ConfigError('routes', `expected a path starting with "/", got ${JSON.stringify(path)}`);
  return {
    method: 'GET',
    path,
    protected: kind.protected ?? false,
    scopes: [],
    deprecated: kind.deprecated ?? false,
    query: [],
    jsonBody: false,
  };
}

/**
 * Reads a login recipe (the CLI's `--login '<json>'`), refusing anything it cannot use with
 * a ConfigError naming the member.
 *
 * @example
 * ```ts
 * const recipe = parseLoginRecipe('{"path":"/auth/login","body":{"email":"a@example.com","password":"pw"},"refresh":{"path":"/auth/refresh"}}');
 * ```
 */
export function parseLoginRecipe(value: unknown): LoginRecipe {
  let recipe: unknown = value;
  if (typeof value === 'string') {
    try {
      recipe = JSON.parse(value);
    } catch {
      throw new ConfigError('login', 'expected JSON: {"path":"/auth/login","body":{...}}');
    }
  }
  if (!isObject(recipe)) throw new ConfigError('login', 'expected an object {"path","body","token"?,"refresh"?}');
  const known = new Set(['path', 'body', 'token', 'refresh']);
  const unknown = Object.keys(recipe).find((key) => !known.has(key));
  if (unknown !== undefined)
    throw new ConfigError(`login.${unknown}`, 'is not a recipe member (path, body, token, refresh)');
  const { path, body, token, refresh } = recipe;
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new ConfigError('login.path', 'expected a path starting with "/"');
  if (!isObject(body)) throw new ConfigError('login.body', 'expected the JSON object to POST');
  if (token !== undefined && typeof token !== 'string') throw new ConfigError('login.token', 'expected a member name');
  let refreshStep: LoginRecipe['refresh'];
  if (refresh !== undefined) {
    if (!isObject(refresh) || typeof refresh.path !== 'string' || !refresh.path.startsWith('/')) {
      throw new ConfigError('login.refresh', 'expected {"path":"/auth/refresh","field"?:"refresh_token"}');
    }
    if (refresh.field !== undefined && typeof refresh.field !== 'string') {
      throw new ConfigError('login.refresh.field', 'expected a member name');
    }
    refreshStep = { path: refresh.path, ...(typeof refresh.field === 'string' ? { field: refresh.field } : {}) };
  }
  return { path, body, ...(token === undefined ? {} : { token }), ...(refreshStep ? { refresh: refreshStep } : {}) };
}

/** A placeholder for a path parameter: a well-formed UUID nobody owns. */
export const PLACEHOLDER_ID = '0b1e5c2a-4f6d-4a8b-9c3e-7d2f1a6b5e40';

/** The route's path with every `{param}` (and `:param`) filled. */
export function fillPath(path: string, value: string = PLACEHOLDER_ID): string {
  return path.replace(/\{[^}/]+\}|:[A-Za-z_]\w*/g, value);
}

export const hasParams = (route: ProbeRoute): boolean => /\{[^}/]+\}|:[A-Za-z_]/.test(route.path);
