import { deny, type Principal } from '@bulwark/core';
import type { PasswordHasher } from '@bulwark/passwords';
import type { Answer } from '../domain/notes.js';
import type { UserStore } from '../domain/users.js';
import { ACCESS_TTL_MS, CLOCK_TOLERANCE_MS, type DemoTokens, LOGIN_CLIENT_ID } from './tokens.js';

/** One answer for an unknown email and a wrong password: same status, body and headers. */
const INVALID_CREDENTIALS = 'The email or password is incorrect.';

/** The JWK Set may be cached (keys are published ahead of use, DEMO.md): five minutes. */
export const JWKS_CACHE_CONTROL = 'public, max-age=300';

/** `POST /auth/login`, `POST /auth/logout`, `GET /.well-known/jwks.json` and `GET /v2/users/me`. */
export function authHandlers(users: UserStore, hasher: PasswordHasher, tokens: DemoTokens) {
  return {
    /**
     * Checks the password and issues an access token (refresh tokens come with issue #8).
     * An unknown email costs one Argon2id verification against a dummy hash, like a known
     * one, so neither the answer nor its timing tells which emails have accounts.
     */
    login: async (input: { email: string; password: string }): Promise<Answer> => {
      const user = users.byEmail(input.email);
      const ok =
        user === undefined
          ? await hasher.verifyDummy(input.password)
          : await hasher.verify(user.passwordHash, input.password);
      if (user === undefined || !ok) return deny('invalid_credentials', INVALID_CREDENTIALS);
      const issued = await tokens.issuer.issue({ subject: user.id, scopes: user.scopes, clientId: LOGIN_CLIENT_ID });
      return {
        status: 200,
        body: {
          access_token: issued.token,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: user.scopes.join(' '),
        },
      };
    },

    /**
     * Revokes the presented access token (its `jti`) and its session (its `sid`): every
     * access token of the session stops working, in every process sharing the store.
     */
    logout: async (principal: Principal): Promise<Answer> => {
      const { claims } = principal;
      const jti = principal.source.kind === 'jwt' ? principal.source.tokenId : undefined;
      const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + ACCESS_TTL_MS;
      // The verifier still accepts a token CLOCK_TOLERANCE_MS past its exp.
      const tokenUntil = exp + CLOCK_TOLERANCE_MS;
      // A session's tokens are at most ACCESS_TTL_MS old from now on: the latest one expires by then.
      const sessionUntil = Math.max(tokenUntil, Date.now() + ACCESS_TTL_MS + CLOCK_TOLERANCE_MS);
      if (jti !== undefined) await tokens.revocations.revoke({ kind: 'jti', id: jti, until: tokenUntil });
      if (typeof claims.sid === 'string') {
        await tokens.revocations.revoke({ kind: 'sid', id: claims.sid, until: sessionUntil });
      }
      return { status: 204 };
    },

    /** The public JWK Set (its `Cache-Control` is the header profile's route rule, see policies.ts). */
    jwks: async (): Promise<Answer> => ({ status: 200, body: await tokens.keys.jwks() }),

    /** The caller: the user's id, email and role, and the scopes of this token. */
    me: (principal: Principal): Answer => {
      const user = users.byId(principal.subject);
      if (user === undefined) return deny('not_found', 'The caller no longer exists.');
      return { status: 200, body: { id: user.id, email: user.email, role: user.role, scopes: principal.scopes } };
    },
  };
}

export type AuthHandlers = ReturnType<typeof authHandlers>;
