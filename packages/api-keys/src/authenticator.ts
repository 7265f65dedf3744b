import { type Authenticator, type AuthOutcome, ConfigError, checkOptions, type RequestView } from '@bulwark/core';
import type { ApiKeys } from './api-keys.js';
import type { ApiKeyVerifyOutcome } from './verifier.js';

function answer(outcome: ApiKeyVerifyOutcome): AuthOutcome {
  return outcome.ok
    ? { ok: true, principal: outcome.principal }
    : { ok: false, code: 'invalid_api_key', reason: outcome.reason };
}

/** Options of {@link apiKeyAuthenticator}. */
export interface ApiKeyAuthenticatorOptions {
  /** The header that carries a key. Default `x-api-key`. */
  readonly header?: string | undefined;
  /** Claim `Authorization: Bearer <key>` when the value starts with `<prefix>_`. Default `true`. */
  readonly bearer?: boolean | undefined;
}

/**
 * The core `Authenticator` for API keys (`name: 'api-key'`). It claims the `X-API-Key`
 * field (any value: a present field that is no key is refused, never ignored), or an
 * `Authorization: Bearer` credential that starts with the keys' prefix and `_` (so a JWT
 * goes to the JWT authenticator); a request with a key in both, different, carries two
 * credentials and is refused by the authentication policy (400 `invalid_request`). A
 * claimed key that fails answers 401 `invalid_api_key` (with the `WWW-Authenticate` of
 * `invalid_token`) and never falls through to another
 * authenticator. A bad checksum or a malformed key is refused without a store call; a hot
 * key is answered from the verified-key cache, synchronously. The principal is the key's
 * owner with the key's scopes, `source: { kind: 'api_key', keyId }`; see
 * `key: 'principal'` in `@bulwark/ratelimit` for a per-key budget (it counts a key on its own id).
 *
 * @example
 * ```ts
 * import { apiKeyAuthenticator, apiKeys } from '@bulwark/api-keys';
 * import { type Authenticator, authenticationPolicy } from '@bulwark/core';
 *
 * declare const jwt: Authenticator; // jwtAuthenticator(verifier) from @bulwark/tokens
 * const keys = apiKeys({ prefix: 'notes' });
 * const authn = authenticationPolicy([apiKeyAuthenticator(keys), jwt], { realm: 'notes-api' });
 * ```
 */
export function apiKeyAuthenticator(keys: ApiKeys, options: ApiKeyAuthenticatorOptions = {}): Authenticator {
  if (
    typeof keys !== 'object' ||
    keys === null ||
    typeof keys.verify !== 'function' ||
    typeof keys.prefix !== 'string'
  ) {
    throw new ConfigError('keys', 'expected an ApiKeys manager (apiKeys(...))');
  }
  checkOptions(options, ['header', 'bearer']);
  const given = options.header ?? 'x-api-key';
  const header = typeof given === 'string' ? given.toLowerCase() : '';
  if (!/^[a-z0-9-]{1,64}$/.test(header) || header === 'authorization') {
    throw new ConfigError('header', 'expected a header name other than Authorization');
  }
  const bearer = options.bearer ?? true;
  if (typeof bearer !== 'boolean') throw new ConfigError('bearer', 'expected a boolean');
  const marker = `${keys.prefix}_`;
  return Object.freeze({
    name: 'api-key',
    claim(credentials) {
      const value = credentials.view.header(header);
      const inBearer = bearer && credentials.bearer?.startsWith(marker) ? credentials.bearer : undefined;
      // Two fields arrive joined (`a, b`: a key has no comma), and a key may sit in both
      // places: every value, so that two different keys are refused as two credentials.
      const values = value === undefined ? [] : value.includes(',') ? value.split(',').map((v) => v.trim()) : [value];
      if (inBearer !== undefined) values.push(inBearer);
      return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
    },
    verify(credential: string, _view: RequestView) {
      const outcome = keys.verify(credential);
      return typeof (outcome as { then?: unknown }).then === 'function'
        ? (outcome as Promise<ApiKeyVerifyOutcome>).then(answer)
        : answer(outcome as ApiKeyVerifyOutcome);
    },
  } satisfies Authenticator);
}
