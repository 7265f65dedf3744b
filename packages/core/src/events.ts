import type { AuthFailureReason } from './auth/authenticator.js';

/**
 * Security events: one typed union for everything worth logging. Identifiers are
 * minimised: no secrets, no full tokens; attacker-controlled strings are truncated by the
 * sinks. Later primitives add members to this union.
 */
interface EventBase {
  /** Epoch milliseconds, from the primitive's clock. */
  readonly at: number;
  readonly method?: string;
  readonly path?: string;
  readonly clientIp?: string;
}

export type CorsRejectReason =
  | 'origin_not_allowed'
  | 'origin_malformed'
  | 'method_not_allowed'
  | 'headers_not_allowed'
  | 'headers_malformed';

export interface CorsRejectedEvent extends EventBase {
  readonly type: 'cors.rejected';
  readonly origin: string;
  readonly reason: CorsRejectReason;
  readonly preflight: boolean;
}

export interface VersionRejectedEvent extends EventBase {
  readonly type: 'version.rejected';
  readonly requested: string;
}

export interface SunsetHitEvent extends EventBase {
  readonly type: 'version.sunset';
  readonly version: string;
}

export interface ServerErrorEvent extends EventBase {
  readonly type: 'server.error';
  /** The error's class name only; messages may hold secrets and are not logged here. */
  readonly errorName: string;
}

export interface ConfigWarningEvent extends EventBase {
  readonly type: 'config.warning';
  readonly option: string;
  readonly message: string;
}

export interface ValidationFailedEvent extends EventBase {
  readonly type: 'validation.failed';
  /** Which part of the request failed. */
  readonly target: 'content-type' | 'content-encoding' | 'size' | 'body' | 'query' | 'params' | 'headers' | 'cookies';
  readonly status: number;
  /** How many problems were found; the values themselves are never logged. */
  readonly errorCount: number;
}

export interface RateLimitExceededEvent extends EventBase {
  readonly type: 'ratelimit.exceeded';
  readonly policy: string;
  /** The names of the limits that refused. */
  readonly limits: readonly string[];
  /** True in shadow mode: the request was let through. */
  readonly shadow: boolean;
}

export interface RateLimitStoreFailureEvent extends EventBase {
  readonly type: 'ratelimit.store_failure';
  readonly policy: string;
  readonly store: string;
  readonly mode: 'fail-open' | 'fail-closed' | 'fallback';
  /**
   * The store call that failed. `consume` follows `mode`; `peek`, `refund` and `reset`
   * reject with `store_unavailable` whatever the mode. Optional only because releases
   * of `@bulwark/ratelimit` before it did not set it.
   */
  readonly operation?: 'consume' | 'peek' | 'refund' | 'reset';
  readonly errorName: string;
}

export interface RateLimitFallbackEvent extends EventBase {
  readonly type: 'ratelimit.fallback';
  readonly policy: string;
  readonly store: string;
}

/**
 * A presented credential was refused (`authenticationPolicy`). Carries no token, no part
 * of one and no subject: only which authenticator refused it and the reason category.
 * A request without any credential is not a failure and emits nothing.
 */
export interface AuthFailedEvent extends EventBase {
  readonly type: 'auth.failed';
  /** The authenticator that claimed the credential; `null` when no authenticator was asked (a malformed `Authorization` field, a bearer token none of them claims). */
  readonly authenticator: string | null;
  /** The code the client was answered with. */
  readonly code: 'invalid_request' | 'invalid_token' | 'invalid_api_key';
  readonly reason: AuthFailureReason;
}

/** Where an authorization check refused (OWASP API5, API1 and API3). */
export type AuthzLayer = 'function' | 'object' | 'property';

/**
 * An authenticated principal was refused. `function`: a route's scope (`scopePolicy`, with
 * `required` and `missing`) or an action's rule (`@bulwark/authz` policies); `object`:
 * another owner's object, answered as not found (`ownedBy`); `property`: fields the
 * principal may not set (`writableFields`, with `fields`). Carries no subject, no token and
 * no field value.
 */
export interface AuthzDeniedEvent extends EventBase {
  readonly type: 'authz.denied';
  readonly layer: AuthzLayer;
  /** Every scope the route requires (`scopePolicy`). */
  readonly required?: readonly string[];
  /** The required scopes the principal does not have (`scopePolicy`). */
  readonly missing?: readonly string[];
  /** The kind of resource (`note`), as the application named it. */
  readonly resource?: string;
  /** The action refused (`notes:update`), as the application named it. */
  readonly action?: string;
  /** The fields refused (names only, never their values). */
  readonly fields?: readonly string[];
}

/** A keyring created a new key (exactly one process does, per generation). */
export interface KeyringKeyCreatedEvent extends EventBase {
  readonly type: 'keyring.key_created';
  readonly kid: string;
  readonly alg: string;
  readonly generation: number;
  /** When the key starts signing (the store's epoch ms); it is published from now on. */
  readonly activatesAt: number;
}

/** A keyring could not reach its store; `stale`: it goes on with the keys it loaded before. */
export interface KeyringStoreFailureEvent extends EventBase {
  readonly type: 'keyring.store_failure';
  readonly errorName: string;
  readonly stale: boolean;
}

/** A remote JWK Set could not be fetched or used; `stale`: the cached keys go on serving (stale-if-error). */
export interface JwksFetchFailedEvent extends EventBase {
  readonly type: 'jwks.fetch_failed';
  /** The JWK Set's URL without its query. */
  readonly url: string;
  readonly reason: 'timeout' | 'network' | 'status' | 'too_large' | 'invalid';
  readonly status?: number;
  readonly stale: boolean;
}

/** A key of a remote JWK Set was left out (symmetric, no or a disallowed `alg`, malformed...). */
export interface JwksKeySkippedEvent extends EventBase {
  readonly type: 'jwks.key_skipped';
  readonly url: string;
  readonly kid?: string;
  readonly reason: string;
}

/**
 * A shared revocation store could not answer from its local view or from its backend.
 * `channel_stale` and `message_lost`: the notification channel went silent, dropped or
 * skipped a message, so answers ask the backend until the view is rebuilt (`mode:
 * 'fallback'`). `store_error`: the backend failed, and the failure policy answered
 * (`fail-closed`: revoked, `fail-open`: not revoked). `local_view_full`: the local view
 * reached its bound; answers not in it ask the backend. Emitted once per change of state,
 * not per call.
 */
export interface RevocationStoreFailureEvent extends EventBase {
  readonly type: 'revocation.store_failure';
  readonly store: string;
  readonly reason: 'channel_stale' | 'message_lost' | 'store_error' | 'local_view_full';
  readonly mode: 'fallback' | 'fail-closed' | 'fail-open';
  readonly errorName?: string;
}

/**
 * A spent credential was presented again (RFC 9700 §4.14.2 for refresh tokens, RFC 6749
 * §4.1.2 for authorization codes): the session it belongs to has been revoked. Carries the
 * session (family) id, never the token or the code.
 */
export interface TokenReuseDetectedEvent extends EventBase {
  readonly type: 'token.reuse_detected';
  readonly credential: 'refresh_token' | 'authorization_code';
  /** The revoked session (refresh family, the access tokens' `sid`). */
  readonly familyId: string;
  /** The generation of the presented refresh token (0 = the first of its family); absent for a code. */
  readonly generation?: number;
}

/** What a sign-in lock covers: one account from one client IP, the account from everywhere, or the IP against every account. */
export type LockoutScope = 'pair' | 'account' | 'ip';

/**
 * A sign-in failed (`@bulwark/lockout`). A wrong password and an unknown account give the
 * same event: nothing here tells them apart. `account` is the identifier minimised (a
 * SHA-256 tag, keyed when the lockout has a key), never the identifier itself.
 */
export interface LoginFailedEvent extends EventBase {
  readonly type: 'login.failed';
  readonly account: string;
  /**
   * `invalid_credentials`: the password was checked and refused (or the account is
   * unknown); `locked`: refused unchecked while locked, and counted toward nothing.
   */
  readonly reason: 'invalid_credentials' | 'locked';
  /** Failures of this account from this client IP in the current window, this one included (0 when `locked`). */
  readonly attempts: number;
}

/** Repeated failures locked a scope (AC-7): sign-ins in it are refused unchecked until `until`. */
export interface LockoutEvent extends EventBase {
  readonly type: 'lockout';
  readonly scope: LockoutScope;
  /** The minimised account (see {@link LoginFailedEvent}); absent for an `ip` lock. */
  readonly account?: string;
  /** How long the lock lasts (ms): the base duration doubled per earlier lock, capped. */
  readonly durationMs: number;
  /** The failures in the window that set it (the scope's threshold). */
  readonly attempts: number;
  /** 1 for a first lock, 2 for the next (doubled), ... (not `level`: the JSON-lines sink's marker is `level`). */
  readonly lockLevel: number;
  /** When the lock ends (epoch ms, the store's clock). */
  readonly until: number;
}

/** Locks were lifted before their end: by `unlock` (after a password reset, say) or by a success that raced them. */
export interface LockoutClearedEvent extends EventBase {
  readonly type: 'lockout.cleared';
  readonly reason: 'reset' | 'success';
  readonly scopes: readonly LockoutScope[];
  readonly account?: string;
}

/** A monitored event's rate jumped above its moving baseline (the failure-spike detector). */
export interface AlertEvent extends EventBase {
  readonly type: 'alert';
  /** The event type whose rate jumped (`auth.failed`, `login.failed`, ...). */
  readonly signal: string;
  /** Events of that type in the last full minute. */
  readonly ratePerMinute: number;
  /** The moving baseline (per minute, floored) the rate was compared with. */
  readonly baselinePerMinute: number;
  /** The rule's factor: the rate reached `factor` times the baseline. */
  readonly factor: number;
}

export type SecurityEvent =
  | AuthFailedEvent
  | AuthzDeniedEvent
  | CorsRejectedEvent
  | VersionRejectedEvent
  | SunsetHitEvent
  | ServerErrorEvent
  | ConfigWarningEvent
  | ValidationFailedEvent
  | RateLimitExceededEvent
  | RateLimitStoreFailureEvent
  | RateLimitFallbackEvent
  | KeyringKeyCreatedEvent
  | KeyringStoreFailureEvent
  | JwksFetchFailedEvent
  | JwksKeySkippedEvent
  | RevocationStoreFailureEvent
  | TokenReuseDetectedEvent
  | LoginFailedEvent
  | LockoutEvent
  | LockoutClearedEvent
  | AlertEvent;

/** Where events go. A sink must not throw; {@link emitEvent} guards against one that does. */
export type EventSink = (event: SecurityEvent) => void;

/** Calls the sink, swallowing its errors: logging must never break a request. */
export function emitEvent(sink: EventSink | undefined, event: SecurityEvent): void {
  if (sink === undefined) return;
  try {
    sink(event);
  } catch {
    // A failing log pipeline is the operator's problem, never the caller's answer.
  }
}

const MAX_STRING = 256;

function sanitise(_key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  // Strip control characters (log injection) and bound attacker-controlled lengths.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}…` : clean;
}

/**
 * A sink writing one JSON object per line, with control characters removed and long
 * strings truncated.
 *
 * @example
 * ```ts
 * const onEvent = jsonLinesSink((line) => process.stderr.write(line));
 * corsPolicy({ origins: ['https://app.example.com'], onEvent });
 * ```
 */
export function jsonLinesSink(write: (line: string) => void = (line) => console.log(line.trimEnd())): EventSink {
  return (event) => {
    write(`${JSON.stringify({ level: 'security', ...event }, sanitise)}\n`);
  };
}

/** Keeps the first characters of a secret for correlation and hides the rest. */
export function maskSecret(secret: string, visible = 4): string {
  if (secret.length <= visible * 2) return '*'.repeat(secret.length);
  return `${secret.slice(0, visible)}…(${secret.length} chars)`;
}
