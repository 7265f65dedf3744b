import { type AllowDecision, allow, type Decision, type DenyDecision } from '../decision.js';
import { BulwarkError, ConfigError } from '../errors.js';
import { emitEvent } from '../events.js';
import { checkOptions } from '../options.js';
import type { RequestPolicy } from '../policy.js';
import type { RequestView } from '../request-view.js';
import {
  type AuthAnswerOptions,
  bearerChallenge,
  type CheckedAuthOptions,
  checkAuthOptions,
  frozenDeny,
  MULTIPLE_CREDENTIALS_DETAIL,
  unauthenticatedAnswer,
} from './answers.js';
import type { Authenticator, AuthFailureReason, AuthOutcome, PresentedCredentials } from './authenticator.js';
import { type BearerCredential, parseBearer } from './bearer.js';

/** Options of {@link authenticationPolicy}. */
export interface AuthenticationOptions extends AuthAnswerOptions {
  /**
   * `true`: a request without any credential goes on anonymously (no principal; a later
   * `scopePolicy` or `requireAuth()` still refuses it). A credential that is presented and
   * fails is refused all the same. Default `false`: no credential is 401 `unauthenticated`.
   */
  readonly optional?: boolean | undefined;
}

/** The option names {@link authenticationPolicy} knows (adapters add their client-IP ones). */
export const AUTHENTICATION_OPTION_KEYS: readonly string[] = Object.freeze(['realm', 'optional', 'onEvent', 'clock']);

const ANONYMOUS: AllowDecision = Object.freeze(allow());

function checkAuthenticators(authenticators: Authenticator | readonly Authenticator[]): readonly Authenticator[] {
  const list = Array.isArray(authenticators) ? [...authenticators] : [authenticators as Authenticator];
  if (list.length === 0) throw new ConfigError('authenticators', 'expected at least one authenticator');
  list.forEach((a, i) => {
    const ok =
      typeof a === 'object' &&
      a !== null &&
      typeof a.name === 'string' &&
      a.name !== '' &&
      typeof a.claim === 'function' &&
      typeof a.verify === 'function' &&
      (a.verifiedBefore === undefined || typeof a.verifiedBefore === 'function');
    if (!ok) {
      throw new ConfigError(
        `authenticators[${i}]`,
        'expected an Authenticator ({ name, claim(credentials), verify(credential, view), verifiedBefore?(bearer) })',
      );
    }
  });
  return Object.freeze(list);
}

/** The usual spelling of a bearer field: the scheme as RFC 6750 writes it and one space. */
const BEARER_PREFIX = 'Bearer ';

/**
 * Reads `Authorization` as `parseBearer` does, skipping its grammar scan when the field is
 * `Bearer <token>` spelled the usual way and an authenticator verified exactly that token
 * before (`verifiedBefore`): such a token is well-formed (the JWT verifier stores only
 * canonical base64url tokens, a subset of RFC 6750's b64token), so `parseBearer` would
 * return the same token. Any other field, or a token nobody remembers, takes the scan.
 */
function bearerReader(list: readonly Authenticator[]): (field: string | undefined) => BearerCredential {
  const rememberers = list.filter((a) => a.verifiedBefore !== undefined);
  if (rememberers.length === 0) return parseBearer;
  return (field) => {
    if (field?.startsWith(BEARER_PREFIX)) {
      const token = field.slice(BEARER_PREFIX.length);
      for (let i = 0; i < rememberers.length; i++) {
        if ((rememberers[i] as Authenticator).verifiedBefore?.(token) === true) return { kind: 'bearer', token };
      }
    }
    return parseBearer(field);
  };
}

/**
 * Whether an authenticator after `from` claims a credential other than `claimed`: the request
 * carries two. The same value claimed twice (two authenticators whose forms overlap) is one
 * credential, and the first of them decides, as documented.
 */
function presentsAnother(
  list: readonly Authenticator[],
  from: number,
  credentials: PresentedCredentials,
  claimed: string,
): boolean {
  for (let j = from; j < list.length; j++) {
    const other = oneCredential((list[j] as Authenticator).claim(credentials));
    if (other !== undefined && other !== claimed) return true;
  }
  return false;
}

/** Whether a bearer value was presented and is not among what the deciding authenticator claimed. */
function leavesBearer(claimed: string | readonly string[] | undefined, bearer: string | undefined): boolean {
  if (bearer === undefined || claimed === undefined) return false;
  return typeof claimed === 'string' ? claimed !== bearer : !claimed.includes(bearer);
}

/** Stands for "two different values of one authenticator's form" (see `Authenticator.claim`). */
const TWO_CREDENTIALS: unique symbol = Symbol('two credentials');

/** A claim as one credential: `undefined` (none), the value, or {@link TWO_CREDENTIALS}. */
function oneCredential(claimed: string | readonly string[] | undefined): string | typeof TWO_CREDENTIALS | undefined {
  if (claimed === undefined || typeof claimed === 'string') return claimed;
  let found: string | undefined;
  for (const value of claimed) {
    if (typeof value !== 'string') continue;
    if (found !== undefined && value !== found) return TWO_CREDENTIALS;
    found = value;
  }
  return found;
}

function isPromise(value: AuthOutcome | Promise<AuthOutcome>): value is Promise<AuthOutcome> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The authentication policy: reads `Authorization` once (RFC 6750 §2.1, see
 * `parseBearer`), offers the presented credentials to each authenticator in order, and the
 * first whose `claim` returns a credential decides: its principal is the request's
 * (`view.principal` for later policies, `auth` for handlers), or its failure is the
 * answer. A credential that fails never falls through to the next authenticator or to
 * anonymous, even with `optional: true`; nor does a bearer token that no authenticator
 * claims (401 `invalid_token`).
 *
 * Answers (DEMO.md's authentication table, one fixed detail per code, never the token):
 * - no credential (or another scheme): 401 `unauthenticated`, `WWW-Authenticate: Bearer realm="..."`;
 * - a malformed `Authorization: Bearer` (or two such fields), or two credentials that two
 *   authenticators claim (an `X-API-Key` and a bearer token: RFC 6750 §3.1, more than one
 *   method): 400 `invalid_request`, `error="invalid_request"`, nothing verified;
 * - a failing token: 401 `invalid_token`; a failing API key: 401 `invalid_api_key`; both `error="invalid_token"`.
 *
 * Synchronous end to end when the authenticator answers synchronously (a verified-token
 * cache hit): no Promise is created; a token an authenticator `verifiedBefore` is not
 * scanned for RFC 6750's grammar again (it was well-formed when it was verified). Each failure emits `auth.failed` with the reason
 * category, the authenticator's name and nothing of the credential or its subject.
 *
 * @example
 * ```ts
 * import { type Authenticator, authenticationPolicy, scopePolicy } from '@bulwark/core';
 * declare const jwt: Authenticator; // jwtAuthenticator(accessTokenVerifier({ ... })) from @bulwark/tokens
 * declare const apiKeys: Authenticator;
 * const authn = authenticationPolicy([apiKeys, jwt], { realm: 'notes-api' });
 * import { guard } from '@bulwark/express';
 * // app.use(guard([authn, scopePolicy('notes:read', { realm: 'notes-api' })]));
 * ```
 */
export function authenticationPolicy(
  authenticators: Authenticator | readonly Authenticator[],
  options: AuthenticationOptions = {},
): RequestPolicy {
  checkOptions(options, AUTHENTICATION_OPTION_KEYS);
  const list = checkAuthenticators(authenticators);
  const config = checkAuthOptions(options);
  const optional = options.optional ?? false;
  if (typeof optional !== 'boolean') throw new ConfigError('optional', 'expected a boolean');

  const readBearer = bearerReader(list);
  const { realm } = config;
  const invalidTokenChallenge = bearerChallenge(realm, { error: 'invalid_token' });
  const invalidRequestChallenge = bearerChallenge(realm, { error: 'invalid_request' });
  const answers = {
    missing: unauthenticatedAnswer(realm),
    invalid_request: frozenDeny('invalid_request', invalidRequestChallenge),
    invalid_token: frozenDeny('invalid_token', invalidTokenChallenge),
    // RFC 6750 has no code for an API key; the challenge is the token's (DEMO.md).
    invalid_api_key: frozenDeny('invalid_api_key', invalidTokenChallenge),
  };
  // `invalid_request` too, with its own detail: the `Authorization` field itself may be fine.
  const twoCredentials = frozenDeny('invalid_request', invalidRequestChallenge, undefined, MULTIPLE_CREDENTIALS_DETAIL);

  function fail(
    view: RequestView,
    authenticator: string | null,
    code: 'invalid_request' | 'invalid_token' | 'invalid_api_key',
    reason: AuthFailureReason,
  ): DenyDecision {
    report(config, view, authenticator, code, reason);
    return answers[code];
  }

  function settle(outcome: AuthOutcome, authenticator: Authenticator, view: RequestView): Decision {
    // Only an explicit success allows: anything else an authenticator answers is a failure.
    if (outcome !== null && typeof outcome === 'object' && outcome.ok === true) {
      const { principal } = outcome;
      // A success without a usable principal is a bug in the authenticator: a 500, never anonymous.
      if (typeof principal?.subject !== 'string' || !Array.isArray(principal.scopes)) {
        throw new BulwarkError('invalid_argument', `authenticator "${authenticator.name}" allowed without a principal`);
      }
      return allow(undefined, undefined, principal);
    }
    const code =
      (outcome as { code?: unknown } | null)?.code === 'invalid_api_key' ? 'invalid_api_key' : 'invalid_token';
    const reason = (outcome as { reason?: AuthFailureReason } | null)?.reason ?? 'unknown_credential';
    return fail(view, authenticator.name, code, reason);
  }

  return {
    name: 'authentication',
    evaluate(view) {
      const bearer = readBearer(view.header('authorization'));
      if (bearer.kind === 'malformed') return fail(view, null, 'invalid_request', 'malformed');
      const credentials: PresentedCredentials = {
        bearer: bearer.kind === 'bearer' ? bearer.token : undefined,
        view,
      };
      for (let i = 0; i < list.length; i++) {
        const authenticator = list[i] as Authenticator;
        const claimed = authenticator.claim(credentials);
        const credential = oneCredential(claimed);
        if (credential === undefined) continue;
        // Two credentials (an API key and a token, or two keys, or a key beside a bearer value
        // nobody claims): which one should decide is the client's ambiguity, and ignoring the
        // other would let a failing one ride on a valid one.
        if (
          credential === TWO_CREDENTIALS ||
          leavesBearer(claimed, credentials.bearer) ||
          presentsAnother(list, i + 1, credentials, credential)
        ) {
          report(config, view, null, 'invalid_request', 'multiple_credentials');
          return twoCredentials;
        }
        const outcome = authenticator.verify(credential, view);
        if (isPromise(outcome)) return outcome.then((settled) => settle(settled, authenticator, view));
        return settle(outcome, authenticator, view);
      }
      // A token was presented and nobody recognised it: a failure, never anonymous.
      if (credentials.bearer !== undefined) return fail(view, null, 'invalid_token', 'unknown_credential');
      return optional ? ANONYMOUS : answers.missing;
    },
  };
}

function report(
  config: CheckedAuthOptions,
  view: RequestView,
  authenticator: string | null,
  code: 'invalid_request' | 'invalid_token' | 'invalid_api_key',
  reason: AuthFailureReason,
): void {
  if (config.onEvent === undefined) return;
  const clientIp = view.clientIp;
  emitEvent(config.onEvent, {
    type: 'auth.failed',
    at: config.clock.now(),
    authenticator,
    code,
    reason,
    method: view.method,
    path: view.path,
    ...(clientIp ? { clientIp } : {}),
  });
}
