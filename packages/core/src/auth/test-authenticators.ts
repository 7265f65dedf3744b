import type { Principal } from '../principal.js';
import type { Authenticator, AuthOutcome } from './authenticator.js';

/** Test doubles of the two credential forms of DEMO.md: bearer tokens and `bk_`-prefixed API keys. */

export function principalOf(subject: string, scopes: readonly string[], keyId?: string): Principal {
  return {
    subject,
    kind: keyId === undefined ? 'user' : 'service',
    scopes,
    source: keyId === undefined ? { kind: 'jwt', issuer: 'https://issuer.test' } : { kind: 'api_key', keyId },
    claims: {},
  };
}

/** `good-<subject>` tokens verify; `expired-*` fail as expired; everything else as a bad signature. */
export function tokenAuthenticator(options: { async?: boolean; calls?: string[] } = {}): Authenticator {
  return {
    name: 'jwt',
    claim: ({ bearer }) => (bearer !== undefined && !bearer.startsWith('bk_') ? bearer : undefined),
    verify(token) {
      options.calls?.push(`jwt:${token}`);
      const outcome: AuthOutcome = token.startsWith('good-')
        ? { ok: true, principal: principalOf(token.slice(5), ['notes:read', 'notes:write']) }
        : { ok: false, code: 'invalid_token', reason: token.startsWith('expired-') ? 'expired' : 'signature' };
      return options.async === true ? Promise.resolve(outcome) : outcome;
    },
  };
}

/** API keys from `X-API-Key` or a `bk_`-prefixed bearer value: `bk_good_<owner>` verifies. */
export function apiKeyAuthenticator(options: { calls?: string[] } = {}): Authenticator {
  return {
    name: 'api-key',
    claim: ({ bearer, view }) => view.header('x-api-key') ?? (bearer?.startsWith('bk_') ? bearer : undefined),
    verify(key) {
      options.calls?.push(`key:${key}`);
      return key.startsWith('bk_good_')
        ? { ok: true, principal: principalOf(key.slice(8), ['notes:read'], `kid-${key.slice(8)}`) }
        : { ok: false, code: 'invalid_api_key', reason: 'unknown_credential' };
    },
  };
}
