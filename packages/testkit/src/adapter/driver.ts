import type {
  AuthenticationOptions,
  Authenticator,
  BulwarkState,
  ClientIpOptions,
  Principal,
  RequestPolicy,
  RequestValidator,
  ScopeOptions,
  ValidatedRequest,
} from '@bulwark/core';

/** What a conformance route gets from the framework. */
export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  /** What the adapter exposes as `req.bulwark`, `request.bulwark`, `ctx.state.bulwark` or `c.get('bulwark')`. */
  readonly state: BulwarkState | undefined | null;
  /** What the adapter exposes as `req.auth`, `request.auth`, `ctx.state.auth` or `c.var.auth`. */
  readonly auth: Principal | undefined | null;
  /** The adapter's strict accessor: `requireAuth(req | request | ctx | c)`. */
  requireAuth(): Principal;
  /** The validated data, when the route has a validator. */
  readonly valid?: ValidatedRequest<unknown, unknown, unknown, unknown> | undefined;
}

export interface RouteOutput {
  readonly status: number;
  readonly body: unknown;
  /** A `Vary` token the handler adds the framework's way (`res.vary`, `ctx.vary`, `c.header(..., { append: true })`). */
  readonly vary?: string;
}

export interface ConformanceRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path with `:param` segments, understood by all four routers. */
  readonly path: string;
  /** Mounted with the adapter's `validate()` before the handler, when present. */
  readonly validator?: RequestValidator;
  /** `false`: the handler calls `valid()` for `validator` but `validate()` is not mounted (a misuse). */
  readonly mountValidate?: boolean;
  /**
   * Mounted with the adapter's `requireScopes(scopes, scopeOptions)` on this route, before
   * `validate()` (a route middleware; on Fastify the route's `onRequest` hook).
   */
  readonly scopes?: string | readonly string[];
  readonly scopeOptions?: ScopeOptions;
  /** Returns the answer, or throws to exercise the error handler. */
  handle(input: RouteInput): RouteOutput;
}

/** What a driver mounts with the adapter's `authenticate(authenticators, options)`. */
export interface ConformanceAuthentication {
  readonly authenticators: Authenticator | readonly Authenticator[];
  readonly options?: AuthenticationOptions;
}

/**
 * A framework-neutral description of an app. A driver mounts, in this order: the
 * problem (error and not-found) handlers, `policies` as one `guard([...])`,
 * `authentication` with the adapter's `authenticate(...)`, each of `laterPolicies` with
 * its own `guard(policy)` (so the request context is proven to cross guard calls), then
 * `routes`.
 */
export interface ConformanceApp {
  readonly policies: readonly RequestPolicy[];
  /** The client-IP options of the guards (trust-proxy); default: no proxy trusted. */
  readonly clientIp?: ClientIpOptions | undefined;
  /** Mounted after `policies` with `authenticate(...)`, given the app's `clientIp` too. */
  readonly authentication?: ConformanceAuthentication;
  /** Passed to the error handlers: the realm of the challenge on their 401s (`requireAuth()`). */
  readonly realm?: string;
  /** Mounted after `policies` (and `authentication`), one `guard(policy)` each. */
  readonly laterPolicies?: readonly RequestPolicy[];
  /**
   * The policies whose headers go on every answer, also on requests refused before the
   * framework: the driver passes them to `clientErrorHandler`, `checkHost` and, on Hono,
   * `nodeServerErrors`.
   */
  readonly profile?: readonly RequestPolicy[];
  readonly routes: readonly ConformanceRoute[];
  /** Passed to the adapter's error handler (tests silence the default console logging). */
  readonly onError: (err: unknown) => void;
}

export interface RunningApp {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Builds `app` with one framework's adapter and serves it on a loopback port. */
export interface AdapterDriver {
  readonly name: string;
  start(app: ConformanceApp): Promise<RunningApp>;
}
