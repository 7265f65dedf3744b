import { type AllowDecision, allow } from '../decision.js';
import { ConfigError } from '../errors.js';
import { emitEvent } from '../events.js';
import { checkOptions } from '../options.js';
import type { RequestPolicy } from '../policy.js';
import {
  type AuthAnswerOptions,
  bearerChallenge,
  checkAuthOptions,
  frozenDeny,
  unauthenticatedAnswer,
} from './answers.js';

/** Options of {@link scopePolicy}: the same `realm` as the app's `authenticationPolicy`, events and their clock. */
export type ScopeOptions = AuthAnswerOptions;

/** The option names {@link scopePolicy} knows. */
export const SCOPE_OPTION_KEYS: readonly string[] = Object.freeze(['realm', 'onEvent', 'clock']);

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const PASS: AllowDecision = Object.freeze(allow());

function checkScopes(required: string | readonly string[]): readonly string[] {
  const list = typeof required === 'string' ? [required] : Array.isArray(required) ? [...required] : undefined;
  if (list === undefined || list.length === 0) {
    throw new ConfigError('scopes', 'expected a scope or a non-empty list of scopes');
  }
  list.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      const at = typeof required === 'string' ? 'scopes' : `scopes[${i}]`;
      throw new ConfigError(
        at,
        'expected an RFC 6749 scope token (no spaces, quotes or backslashes; pass a list for several scopes)',
      );
    }
  });
  return Object.freeze([...new Set(list)]);
}

/**
 * Requires every scope of `required` on the request's principal (set by an
 * `authenticationPolicy` earlier in the request). No principal: 401 `unauthenticated` with
 * the Bearer challenge. A missing scope: 403 `insufficient_scope` with
 * `WWW-Authenticate: Bearer realm="...", error="insufficient_scope", scope="<required>"`
 * (RFC 6750 §3.1) and the problem member `required_scope` (the same space-separated
 * list), and an `authz.denied` event (`layer: 'function'`) naming the missing scopes. Scopes compare exactly
 * (RFC 6749 §3.3: case-sensitive). Every answer is built once, here; the check itself is
 * synchronous and allocates nothing when it passes.
 *
 * @example
 * ```ts
 * import { authenticationPolicy, scopePolicy, type Authenticator } from '@bulwark/core';
 * declare const jwt: Authenticator;
 * const policies = [authenticationPolicy(jwt, { realm: 'notes-api' }), scopePolicy(['notes:write'], { realm: 'notes-api' })];
 * ```
 */
export function scopePolicy(required: string | readonly string[], options: ScopeOptions = {}): RequestPolicy {
  checkOptions(options, SCOPE_OPTION_KEYS);
  const scopes = checkScopes(required);
  const config = checkAuthOptions(options);
  const wanted = scopes.join(' ');
  const missingPrincipal = unauthenticatedAnswer(config.realm);
  const insufficient = frozenDeny(
    'insufficient_scope',
    bearerChallenge(config.realm, { error: 'insufficient_scope', scope: wanted }),
    { required_scope: wanted },
  );

  return {
    name: `scope(${wanted})`,
    evaluate(view) {
      const principal = view.principal;
      if (principal === undefined) return missingPrincipal;
      const granted = principal.scopes;
      for (let i = 0; i < scopes.length; i++) {
        if (granted.includes(scopes[i] as string)) continue;
        if (config.onEvent !== undefined) {
          const clientIp = view.clientIp;
          emitEvent(config.onEvent, {
            type: 'authz.denied',
            at: config.clock.now(),
            layer: 'function',
            required: scopes,
            missing: scopes.filter((scope) => !granted.includes(scope)),
            method: view.method,
            path: view.path,
            ...(clientIp ? { clientIp } : {}),
          });
        }
        return insufficient;
      }
      return PASS;
    },
  };
}
