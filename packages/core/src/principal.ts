/**
 * The verified claims of a {@link Principal}. Empty by design: an application types its own
 * claims by declaration merging, the way Hono's `ContextVariableMap` or Express's `Request`
 * are augmented.
 *
 * @example
 * ```ts
 * declare module '@bulwark/core' {
 *   interface PrincipalClaims {
 *     readonly tenant?: string;
 *   }
 * }
 * // requireAuth(req).claims.tenant is now `string | undefined`
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: the declaration-merging hook for applications.
export interface PrincipalClaims {}

/** Where a principal's identity came from. */
export type PrincipalSource =
  /** A verified JWT: its issuer and, when it has one, its `jti`. */
  | { readonly kind: 'jwt'; readonly issuer: string; readonly tokenId?: string | undefined }
  /** A verified API key: its id (never the key itself). */
  | { readonly kind: 'api_key'; readonly keyId: string };

/**
 * Who is calling, after authentication. An authenticator policy returns it on its allow
 * decision (`allow(headers, state, principal)`); later policies see it as
 * `RequestView.principal` and handlers as `req.auth` (Express), `request.auth` (Fastify),
 * `ctx.state.auth` (Koa) or `c.var.auth` (Hono).
 *
 * @example
 * ```ts
 * const principal: Principal = {
 *   subject: 'user-42',
 *   kind: 'user',
 *   scopes: ['notes:read'],
 *   source: { kind: 'jwt', issuer: 'https://auth.example.com', tokenId: 'a1b2' },
 *   claims: {},
 * };
 * ```
 */
export interface Principal {
  /** The stable identifier: a user id, or for a service the client or key owner id. */
  readonly subject: string;
  readonly kind: 'user' | 'service';
  /** The granted scopes, each an RFC 6749 scope token. */
  readonly scopes: readonly string[];
  readonly source: PrincipalSource;
  /** The verified claims (for a JWT, its payload); typed through {@link PrincipalClaims}. */
  readonly claims: Readonly<PrincipalClaims & Record<string, unknown>>;
}
