import type { EventSink, RespondDecision } from '@bulwark/core';
import type { AccessTokenIssuer, ClockOption } from '../access/index.js';
import type { RefreshTokens } from '../refresh/types.js';
import type { AuthorizationCodeStore } from './port.js';

/** A registered OAuth client (RFC 6749 §2). Redirect URIs are compared exactly: no prefix, pattern or normalisation. */
export type OAuthClientConfig =
  | {
      readonly id: string;
      readonly type: 'public';
      readonly redirectUris: readonly string[];
      /** The scopes this client may ever ask for (a request's scopes are also capped by the user's). */
      readonly scopes: readonly string[];
      /** The grants this client may use; default both. A grant outside it is `unauthorized_client`. */
      readonly grantTypes?: readonly OAuthGrantType[] | undefined;
    }
  | {
      readonly id: string;
      readonly type: 'confidential';
      readonly redirectUris: readonly string[];
      readonly scopes: readonly string[];
      /** base64url SHA-256 of the client secret (never the secret, see `clientSecretHash`); `client_secret_basic` or `client_secret_post`. */
      readonly secretHash: string;
      readonly grantTypes?: readonly OAuthGrantType[] | undefined;
    };

/** The grants of the token endpoint. */
export type OAuthGrantType = 'authorization_code' | 'refresh_token';

export interface AuthorizationServerOptions {
  /** The issuer identifier (RFC 8414 `issuer`, RFC 9207 `iss` on the redirect). */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly clients: readonly OAuthClientConfig[];
  /** Every scope the server knows (`scopes_supported`); an unknown one is `invalid_scope`. */
  readonly scopes: readonly string[];
  /** Default a `memoryAuthorizationCodeStore()` (one process). */
  readonly codes?: AuthorizationCodeStore | undefined;
  /** Default 60 s; from 1 s to 10 minutes (RFC 6749 §4.1.2). */
  readonly codeTtl?: number | string | undefined;
  readonly accessTokens: AccessTokenIssuer;
  readonly refreshTokens: RefreshTokens;
  /** `token.reuse_detected` when a code is used twice. */
  readonly onEvent?: EventSink | undefined;
  /** The `realm` of the token endpoint's `WWW-Authenticate: Basic` challenge. Default the issuer. */
  readonly realm?: string | undefined;
  /** For event times only: codes expire on the code store's clock. Default `Date.now`. */
  readonly clock?: ClockOption | undefined;
}

/** A checked authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3), ready for sign-in. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state?: string;
  /** The requested scopes (all known and allowed for the client); empty: the client's defaults. */
  readonly scopes: readonly string[];
  readonly codeChallenge: string;
}

/**
 * The verdict on `GET /authorize`'s query:
 * - `ok`: show the sign-in page for `request`;
 * - `error_page`: the client or redirect URI cannot be trusted, so answer an error page
 *   (400), never a redirect (RFC 6749 §4.1.2.1);
 * - `redirect`: any other error, sent back to the client as a 303 to `location` with
 *   `error`, `error_description` and `state`.
 */
export type AuthorizeVerdict =
  | { readonly kind: 'ok'; readonly request: AuthorizationRequest }
  | {
      readonly kind: 'error_page';
      readonly error: 'invalid_client' | 'invalid_redirect_uri' | 'invalid_request';
      readonly description: string;
    }
  | { readonly kind: 'redirect'; readonly location: string; readonly error: string };

/** The request parameters as the framework parsed them: a repeated parameter is an array (and is refused). */
export type OAuthParams = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthorizationServer {
  /** Checks an authorization request. */
  authorize(query: OAuthParams): AuthorizeVerdict;
  /**
   * After the user signed in: issues a code bound to the request and the user, and
   * answers the 303 (RFC 9700 §4.12) to the redirect URI with `code`, `state` and `iss`.
   * The granted scopes are the requested ones that `userScopes` holds (all of the user's,
   * capped by the client's, when none were requested).
   */
  approve(request: AuthorizationRequest, subject: string, userScopes: readonly string[]): Promise<RespondDecision>;
  /**
   * The token endpoint (RFC 6749 §3.2): `authorization_code` (with PKCE) and
   * `refresh_token` grants. Answers in §5.1 / §5.2 form: `application/json`,
   * `Cache-Control: no-store`; client-authentication failures are 401 with
   * `WWW-Authenticate: Basic`. `authorization` is the request's Authorization field, if any.
   */
  token(form: OAuthParams, authorization: string | undefined): Promise<RespondDecision>;
  /** The RFC 8414 metadata document. */
  metadata(): Readonly<Record<string, unknown>>;
}
