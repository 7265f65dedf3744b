import type { Principal } from '../principal.js';
import type { RequestView } from '../request-view.js';

/**
 * The credentials a request presents, read once per request by the authentication policy
 * and offered to each authenticator in order. `bearer` is already checked against RFC 6750's
 * grammar: a malformed `Authorization: Bearer` field never reaches an authenticator (the
 * policy answers 400 `invalid_request` first).
 */
export interface PresentedCredentials {
  /** The token of `Authorization: Bearer <b64token>`, or `undefined` when there is none (or another scheme). */
  readonly bearer: string | undefined;
  /** The request, for credentials in other fields (`X-API-Key`). */
  readonly view: RequestView;
}

/**
 * Why a presented credential failed, as a category for the `auth.failed` event. The client
 * never learns it: every failure of one authenticator gets one fixed answer.
 */
export type AuthFailureReason =
  | 'malformed'
  | 'multiple_credentials'
  | 'too_large'
  | 'encoding'
  | 'header'
  | 'algorithm'
  | 'unknown_key'
  | 'signature'
  | 'type'
  | 'claims'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'revoked'
  | 'unknown_credential'
  | 'checksum'
  | 'store_unavailable';

/** What an authenticator answers for a credential it claimed. */
export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      /** The answer's code: `invalid_token` for tokens, `invalid_api_key` for keys. */
      readonly code: 'invalid_token' | 'invalid_api_key';
      readonly reason: AuthFailureReason;
    };

/**
 * The authenticator port: a credential in, a principal or a typed failure out. Several
 * compose by credential form (see `authenticationPolicy`): the first whose `claim` returns
 * a credential decides, and a credential that fails never falls through to the next
 * authenticator or to anonymous.
 *
 * `verify` may answer synchronously (a verified-token cache hit); the pipeline then creates
 * no Promise.
 *
 * @example
 * ```ts
 * const staticKeys: Authenticator = {
 *   name: 'static',
 *   claim: ({ view }) => view.header('x-demo-key'),
 *   verify: (credential) =>
 *     credential === 'let-me-in'
 *       ? { ok: true, principal: { subject: 'svc', kind: 'service', scopes: [], source: { kind: 'api_key', keyId: 'demo' }, claims: {} } }
 *       : { ok: false, code: 'invalid_api_key', reason: 'unknown_credential' },
 * };
 * ```
 */
export interface Authenticator {
  /** A short name for events (`jwt`, `api-key`). */
  readonly name: string;
  /**
   * The credential of this authenticator's form in the request, or `undefined` when the
   * request carries none of its form. Must not verify anything: only recognise. When the
   * form can sit in two places (an API key in `X-API-Key` and in `Authorization: Bearer`)
   * and the request fills both, answer both values: two different ones are two credentials,
   * which the policy refuses (400 `invalid_request`) as it does two authenticators'.
   */
  claim(credentials: PresentedCredentials): string | readonly string[] | undefined;
  /** Verifies a credential this authenticator claimed. */
  verify(credential: string, view: RequestView): AuthOutcome | Promise<AuthOutcome>;
  /**
   * Optional: `true` only when exactly this bearer string passed this authenticator's full
   * verification before and is still remembered (a verified-token cache holds it). It says
   * nothing about the token being valid now (`verify` still decides: expiry, revocation);
   * it tells the policy the string is well-formed, so the policy can skip its RFC 6750
   * grammar scan of `Authorization: Bearer <token>` (a regex over the whole token, the
   * largest single cost of a cache hit). Answer from memory only, never `true` for a string
   * outside RFC 6750's `b64token` grammar, and never throw.
   */
  verifiedBefore?(bearer: string): boolean;
}
