import { challenge } from '../challenge.js';
import { type Clock, systemClock } from '../clock.js';
import { type DenyDecision, deny } from '../decision.js';
import { ConfigError, type HttpErrorCode } from '../errors.js';
import type { EventSink } from '../events.js';
import type { HeaderList } from '../headers.js';
import type { ProblemExtensions } from '../problem.js';

/**
 * One fixed detail per code: the client learns the code, never why its credential failed
 * (that goes to the `auth.failed` event) and never the credential. `unauthenticated` reads
 * as the error handlers' (`requireAuth()` without a principal), so both 401s are the same.
 */
export const AUTH_DETAIL = Object.freeze({
  unauthenticated: 'This resource requires authentication.',
  invalid_request: 'The Authorization header is not a valid Bearer credential.',
  invalid_token: 'The access token is not valid.',
  invalid_api_key: 'The API key is not valid.',
  insufficient_scope: 'The credential does not grant every scope this resource requires.',
} satisfies Partial<Record<HttpErrorCode, string>>);

/** The options both authentication policies share. */
export interface AuthAnswerOptions {
  /** The `realm` of every `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). Default: none. */
  readonly realm?: string | undefined;
  /** Where `auth.failed` / `authz.denied` events go. */
  readonly onEvent?: EventSink | undefined;
  /** The clock of the events' `at`. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

/** What a policy keeps of {@link AuthAnswerOptions} once checked. */
export interface CheckedAuthOptions {
  readonly realm: string | undefined;
  readonly onEvent: EventSink | undefined;
  readonly clock: Clock;
}

/** qdtext we send in a realm: visible ASCII and space, at most 256 characters. */
const REALM = /^[\x20-\x7e]{1,256}$/;

/** Checks the shared options (types only; unknown keys are the factory's `checkOptions`). */
export function checkAuthOptions(options: AuthAnswerOptions): CheckedAuthOptions {
  const { realm, onEvent, clock } = options;
  if (realm !== undefined && (typeof realm !== 'string' || !REALM.test(realm))) {
    throw new ConfigError(
      'realm',
      'expected 1 to 256 characters of visible ASCII or space (it is sent in WWW-Authenticate)',
    );
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') throw new ConfigError('onEvent', 'expected a function');
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw new ConfigError('clock', 'expected a Clock (an object with now())');
  }
  return { realm, onEvent, clock: clock ?? systemClock };
}

/** Builds the `WWW-Authenticate` challenge with core's `challenge()`: `realm` first, then `params`. */
export function bearerChallenge(realm: string | undefined, params: Readonly<Record<string, string>> = {}): HeaderList {
  const value = challenge('Bearer', realm === undefined ? params : { realm, ...params });
  return Object.freeze([Object.freeze(['www-authenticate', value] as const)]);
}

/** The detail of the 400 for two credentials in one request (code `invalid_request`). */
export const MULTIPLE_CREDENTIALS_DETAIL = 'The request carries more than one credential: send one.';

/** A deny decision shared by every request that gets it: frozen, so no caller can change another's answer. */
export function frozenDeny(
  code: keyof typeof AUTH_DETAIL,
  headers: HeaderList,
  extensions?: ProblemExtensions,
  detail: string = AUTH_DETAIL[code],
): DenyDecision {
  const decision = deny(code, detail, extensions === undefined ? { headers } : { headers, extensions });
  Object.freeze(decision.problem);
  return Object.freeze(decision);
}

/** The 401 for a request without a credential (RFC 6750 §3.1: no error attribute). */
export function unauthenticatedAnswer(realm: string | undefined): DenyDecision {
  return frozenDeny('unauthenticated', bearerChallenge(realm));
}
