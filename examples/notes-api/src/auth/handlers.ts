import { deny, type Principal } from '@bulwark/core';
import { isFamilyId } from '@bulwark/tokens';
import type { Answer } from '../domain/notes.js';
import type { UserDirectory } from '../domain/users.js';
import { type SignInClient, type SignInDeps, signIn } from './signin.js';
import { ACCESS_TTL_MS, CLOCK_TOLERANCE_MS, type DemoTokens, LOGIN_CLIENT_ID } from './tokens.js';

/** One answer for an unknown email and a wrong password: same status, body and headers. */
const INVALID_CREDENTIALS = 'The email or password is incorrect.';

/** The JWK Set may be cached (keys are published ahead of use, DEMO.md): five minutes. */
export const JWKS_CACHE_CONTROL = 'public, max-age=300';

/** One answer for every refused refresh token: unknown, expired, revoked or spent. */
const INVALID_GRANT = deny('invalid_grant', 'The refresh token is not valid.');

/** The answer to a logout presented with an API key: it ends no session (revoke the key instead). */
const LOGOUT_NEEDS_TOKEN = () =>
  deny(
    'bad_request',
    'An API key has no session to end: send the access token, or revoke the key with DELETE /v2/api-keys/{id}.',
  );

/** `POST /auth/login`, `/auth/refresh`, `/auth/logout`, `GET /.well-known/jwks.json` and `GET /v2/users/me`. */
export function authHandlers(users: UserDirectory, signIns: SignInDeps, tokens: DemoTokens) {
  /** The answer of a sign-in or a refresh: an access token of session `sid` and the family's refresh token. */
  const tokenPair = async (
    sid: string,
    clientId: string,
    subject: string,
    scopes: readonly string[],
    refreshToken: string,
  ): Promise<Answer> => {
    const issued = await tokens.issuer.issue({ subject, scopes, clientId, sessionId: sid });
    return {
      status: 200,
      body: {
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: issued.expiresIn,
        refresh_token: refreshToken,
        scope: scopes.join(' '),
      },
    };
  };
  return {
    /**
     * Checks the password under the lockout and starts a session: a refresh-token family
     * (client `notes-api`) and an access token whose `sid` is the family id. An unknown email
     * costs one Argon2id verification against a dummy hash, like a known one, so neither the
     * answer nor its timing tells which emails have accounts. Locked (DEMO.md, Lockout): 429
     * `login_locked` with `Retry-After`, the same for any account, and no password checked.
     */
    login: async (input: { email: string; password: string }, client: SignInClient): Promise<Answer> => {
      const outcome = await signIn(signIns, input.email, input.password, client);
      if (outcome.kind === 'locked') return outcome.decision;
      if (outcome.kind === 'failed') return deny('invalid_credentials', INVALID_CREDENTIALS);
      const { user } = outcome;
      const session = await tokens.refresh.issue({ subject: user.id, clientId: LOGIN_CLIENT_ID, scopes: user.scopes });
      return tokenPair(session.familyId, LOGIN_CLIENT_ID, user.id, user.scopes, session.token);
    },

    /**
     * Rotates a refresh token: a new pair of the same session. Every refusal is the same
     * 401 `invalid_grant` (the reason goes to the library's events, not the client); a spent
     * token outside the grace window has by then revoked its whole family, access tokens
     * included. Within the window, the immediately previous token gets the same child again.
     */
    refresh: async (input: { refresh_token: string }): Promise<Answer> => {
      const outcome = await tokens.refresh.rotate(input.refresh_token);
      if (!outcome.ok) return INVALID_GRANT;
      const { family, refreshToken } = outcome;
      // This endpoint is the first-party client's: an OAuth client's refresh token here has
      // leaked out of that client (RFC 6749 §6 binds it to its client), so its session ends,
      // as the token endpoint does for a token of another client.
      if (family.clientId !== LOGIN_CLIENT_ID) {
        await tokens.refresh.revokeFamily(family.familyId);
        return INVALID_GRANT;
      }
      // A session outlives no user: a removed account's families are refused, not refreshed.
      if ((await users.byId(family.subject)) === undefined) return INVALID_GRANT;
      return tokenPair(family.familyId, LOGIN_CLIENT_ID, family.subject, family.scopes, refreshToken.token);
    },

    /**
     * Ends the session: revokes its refresh family (the library revokes the family's access
     * tokens by `sid` too) and, for good measure, the presented token's `jti` and `sid`
     * directly, so the logout holds even for a token whose session the store no longer knows.
     * In every process sharing the stores.
     */
    logout: async (principal: Principal): Promise<Answer> => {
      // An API key has no session: a 204 would say a logout happened that did not.
      if (principal.source.kind !== 'jwt') return LOGOUT_NEEDS_TOKEN();
      const { claims } = principal;
      const jti = principal.source.kind === 'jwt' ? principal.source.tokenId : undefined;
      const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + ACCESS_TTL_MS;
      // The verifier still accepts a token CLOCK_TOLERANCE_MS past its exp.
      const tokenUntil = exp + CLOCK_TOLERANCE_MS;
      // A session's tokens are at most ACCESS_TTL_MS old from now on: the latest one expires by then.
      const sessionUntil = Math.max(tokenUntil, Date.now() + ACCESS_TTL_MS + CLOCK_TOLERANCE_MS);
      if (jti !== undefined) await tokens.revocations.revoke({ kind: 'jti', id: jti, until: tokenUntil });
      if (typeof claims.sid === 'string') {
        // A sid that names no refresh family (a token of a keyring shared with another issuer)
        // has no family to end; its tokens are still revoked by sid.
        if (isFamilyId(claims.sid)) await tokens.refresh.revokeFamily(claims.sid);
        await tokens.revocations.revoke({ kind: 'sid', id: claims.sid, until: sessionUntil });
      }
      return { status: 204 };
    },

    /** The public JWK Set (its `Cache-Control` is the header profile's route rule, see policies.ts). */
    jwks: async (): Promise<Answer> => ({ status: 200, body: await tokens.keys.jwks() }),

    /** The caller: the user's id, email and role, and the scopes of this token. */
    me: async (principal: Principal): Promise<Answer> => {
      const user = await users.byId(principal.subject);
      if (user === undefined) return deny('not_found', 'The caller no longer exists.');
      return { status: 200, body: { id: user.id, email: user.email, role: user.role, scopes: principal.scopes } };
    },
  };
}

export type AuthHandlers = ReturnType<typeof authHandlers>;
