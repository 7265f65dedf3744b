import type { Duration, RequestValidator } from '@bulwark/core';

/** A JSON Schema (2020-12) or any OpenAPI object: plain JSON data. */
export type JsonObject = { readonly [key: string]: unknown };

/** The OpenAPI Info object, as given. */
export interface InfoOptions {
  readonly title: string;
  readonly version: string;
  readonly summary?: string | undefined;
  readonly description?: string | undefined;
  readonly termsOfService?: string | undefined;
  readonly contact?: JsonObject | undefined;
  readonly license?: JsonObject | undefined;
}

export interface ServerOptions {
  readonly url: string;
  readonly description?: string | undefined;
}

/**
 * What one answer of a route looks like. `content`: `'output'` is the validator's output
 * schema as `application/json` (the default for a 2xx other than 204 when the validator
 * has one), `'problem'` is the shared Problem as `application/problem+json` (the default
 * for 4xx and 5xx), `'none'` is no body (the default otherwise), or a map of media types
 * to OpenAPI Media Type objects.
 */
export interface RouteResponse {
  readonly description: string;
  readonly content?: 'output' | 'problem' | 'none' | Readonly<Record<string, JsonObject>> | undefined;
  /** The problem codes this route adds to the status (each must have that status in core's table). */
  readonly codes?: readonly string[] | undefined;
  /** Extra response headers, by name: OpenAPI Header objects. */
  readonly headers?: Readonly<Record<string, JsonObject>> | undefined;
}

/** One route, framework-free: what an app mounts, plus what only a reader needs. */
export interface OpenApiRoute {
  readonly method: string;
  /** Express-style (`/v2/notes/:id`) or OpenAPI-style (`/v2/notes/{id}`). */
  readonly path: string;
  readonly summary?: string | undefined;
  readonly description?: string | undefined;
  readonly operationId?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  /** A `requestValidator(...)`: its schemas give the parameters, the body and the output. */
  readonly validator?: RequestValidator | undefined;
  /** Set on a protected route: any configured scheme, with these scopes (none: any authenticated caller). */
  readonly auth?: { readonly scopes: readonly string[] } | undefined;
  /** The route's own answers, by status (`'200'`, `'303'`, `'401'`...). Generated ones are merged in. */
  readonly responses?: Readonly<Record<string, string | RouteResponse>> | undefined;
}

/** The OAuth 2.0 authorization code flow (RFC 6749 §4.1). Relative URLs resolve against `servers`. */
export interface OAuth2Options {
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly refreshUrl?: string | undefined;
  /** Every scope a route may require, with its description. */
  readonly scopes: Readonly<Record<string, string>>;
  readonly description?: string | undefined;
}

/** The credentials protected routes take: each configured one is an alternative. */
export interface SecurityOptions {
  /** `Authorization: Bearer <JWT>` (`bearerFormat: JWT`). */
  readonly bearer?: { readonly description?: string | undefined } | undefined;
  /** An API key in a request header (`X-API-Key`). */
  readonly apiKey?: { readonly header: string; readonly description?: string | undefined } | undefined;
  readonly oauth2?: OAuth2Options | undefined;
  /** The realm of the `WWW-Authenticate: Bearer` challenges, shown in their description. */
  readonly realm?: string | undefined;
}

/** One limit of a rate-limit policy: the same fields as `@bulwark/ratelimit`'s `LimitRule`. */
export interface LimitDescription {
  readonly name: string;
  readonly limit: number;
  readonly window: Duration;
  readonly key?: string | ((...args: never[]) => unknown) | undefined;
  readonly paths?: readonly string[] | undefined;
  readonly methods?: readonly string[] | undefined;
  readonly block?: Duration | undefined;
  readonly override?: ((...args: never[]) => unknown) | undefined;
}

/** One rate-limit policy: the `limits` given to `rateLimitPolicy`, and the path prefixes its `skip` never counts. */
export interface RateLimitDescription {
  /** The policy's name (its `name` option). */
  readonly name?: string | undefined;
  readonly limits: readonly LimitDescription[];
  /** Path prefixes (segment-aligned) that the policy's `skip` leaves uncounted. */
  readonly skipPaths?: readonly string[] | undefined;
}

/** One rule of `@bulwark/headers`' `deprecationPolicy`: the same fields. */
export interface DeprecationDescription {
  readonly prefix: string;
  readonly deprecatedAt: Date | string;
  readonly sunsetAt?: Date | string | undefined;
  readonly documentation?: string | undefined;
  readonly sunsetDocumentation?: string | undefined;
  readonly successor?: string | undefined;
  readonly enforceSunset?: boolean | undefined;
}

export interface OpenApiOptions {
  readonly info: InfoOptions;
  readonly servers?: readonly ServerOptions[] | undefined;
  readonly routes: readonly OpenApiRoute[];
  /** Required as soon as one route has `auth`. */
  readonly security?: SecurityOptions | undefined;
  readonly rateLimits?: readonly RateLimitDescription[] | undefined;
  readonly deprecations?: readonly DeprecationDescription[] | undefined;
}

/** The generated document: plain JSON data (serialise it with `JSON.stringify`). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: JsonObject;
  readonly servers?: readonly JsonObject[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  readonly components: JsonObject;
  readonly [extension: string]: unknown;
}
