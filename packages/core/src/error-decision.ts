import { bearerChallenge, checkAuthOptions } from './auth/answers.js';
import { isClientAbort } from './client-abort.js';
import { type Clock, systemClock } from './clock.js';
import { type DenyDecision, deny } from './decision.js';
import { BulwarkError, type HttpErrorCode, httpCodeOf } from './errors.js';
import { type EventSink, emitEvent } from './events.js';
import type { HeaderList } from './headers.js';
import { checkOptions } from './options.js';
import type { RequestView } from './request-view.js';

/** Fixed, safe details: an error's own message may quote input or internals, so it is never sent. */
/** The codes whose thrown errors may carry `retryAfter` (seconds) for a `Retry-After` header. */
const RETRY_CODES: ReadonlySet<HttpErrorCode> = new Set(['service_busy', 'login_locked']);

const DETAIL_BY_CODE: Partial<Record<HttpErrorCode, string>> = {
  bad_request: 'The request could not be understood.',
  // The same words as @bulwark/lockout's locked answer: one refusal for any account and scope.
  login_locked: 'Too many failed sign-in attempts. Try again later.',
  not_found: 'No resource matches this method and path.',
  unauthenticated: 'This resource requires authentication.',
  method_not_allowed: 'This method is not allowed on this resource.',
  payload_too_large: 'The request body is larger than this endpoint accepts.',
  headers_too_large: 'The request headers are larger than this server accepts.',
  unsupported_media_type: 'The request body has a content type this endpoint does not accept.',
  internal_error: 'An unexpected error occurred. It has been logged.',
};

/**
 * The code a thrown 4xx status is answered with: every status of the IANA registry has
 * one, so a framework's 408 or a handler's `ctx.throw(409)` keeps its meaning. Two are
 * left out on purpose and answered as 400: 407, a proxy's challenge that an origin server
 * must not send (browsers would ask for proxy credentials), and 418, unused since RFC 9110.
 * An unregistered 4xx (nginx's 499, 420, ...) is 400 too: no client could interpret it.
 */
const CODE_BY_STATUS: Readonly<Record<number, HttpErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'payment_required',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  410: 'gone',
  411: 'length_required',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  417: 'expectation_failed',
  421: 'misdirected_request',
  422: 'validation_failed',
  423: 'locked',
  424: 'failed_dependency',
  425: 'too_early',
  426: 'upgrade_required',
  428: 'precondition_required',
  429: 'rate_limited',
  431: 'headers_too_large',
  451: 'unavailable_for_legal_reasons',
  503: 'store_unavailable',
};

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const candidate =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' && Number.isInteger(candidate) ? candidate : undefined;
}

/** Options of {@link decisionForError}. */
export interface ErrorDecisionOptions {
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
  readonly view?: RequestView | undefined;
  /**
   * Called with the original error of every 5xx answer, which clients never see. Default:
   * `console.error`. Pass your logger; pass `() => {}` to silence.
   */
  readonly onError?: ((err: unknown) => void) | undefined;
  /**
   * Set by adapters: the client's connection is already closed. An abort-shaped error is
   * then the client's doing (see {@link isClientAbort}): no `onError`, no `server.error`.
   */
  readonly connectionClosed?: boolean | undefined;
  /**
   * The `realm` of the `WWW-Authenticate: Bearer` challenge every 401 carries (RFC 9110
   * §15.5.2: a 401 must challenge): `requireAuth()` without a principal, or a 401 thrown by
   * a handler. Give it the realm of your `authenticate(...)`. Default: `Bearer` without a realm.
   */
  readonly realm?: string | undefined;
}

/**
 * The options every adapter's error and not-found handlers take. `connectionClosed` is the
 * adapter's to set per request, never the application's: a handler built with it would
 * take every abort-shaped server error for a client's.
 */
export type ProblemHandlerOptions = Omit<ErrorDecisionOptions, 'view' | 'connectionClosed'>;

/** The names {@link ProblemHandlerOptions} knows. */
export const PROBLEM_HANDLER_OPTION_KEYS: readonly string[] = Object.freeze(['onEvent', 'clock', 'onError', 'realm']);

/**
 * Validates an adapter's problem-handler options once, when the handler is built: an
 * unknown key (`onErorr`) is a ConfigError naming it, through core's one `checkOptions`.
 * `extraKeys` are the adapter's own (`policies` for Fastify's `frameworkErrors`).
 *
 * @example
 * ```ts
 * const checked = problemHandlerOptions({ onError: (err) => console.error(err) });
 * ```
 */
export function problemHandlerOptions<T extends ProblemHandlerOptions>(
  options: T,
  extraKeys: readonly string[] = [],
): T {
  checkOptions(
    options,
    extraKeys.length === 0 ? PROBLEM_HANDLER_OPTION_KEYS : [...PROBLEM_HANDLER_OPTION_KEYS, ...extraKeys],
  );
  // The realm is checked now, not on the first 401.
  checkAuthOptions({ realm: options.realm });
  return options;
}

const CHALLENGED_401 = new Map<string, DenyDecision>();

/**
 * The 401 for an error: `unauthenticated` and a thrown 401 alike carry the Bearer
 * challenge (built once per realm; realms are configuration, so the map stays small).
 */
function challenged401(code: 'unauthenticated' | 'unauthorized', realm: string | undefined): DenyDecision {
  const key = realm === undefined ? code : `${code} ${realm}`;
  let decision = CHALLENGED_401.get(key);
  if (decision === undefined) {
    decision = standardDeny(code, bearerChallenge(realm));
    CHALLENGED_401.set(key, decision);
  }
  return decision;
}

function logError(err: unknown): void {
  console.error('[bulwark] unhandled error answered with 500:', err);
}

/**
 * Maps anything thrown by a handler or a framework to a problem decision. Client errors
 * that frameworks and handlers raise (a 400 from a JSON parser, a 413, `ctx.throw(409)`)
 * keep their status when it is a registered 4xx (see `CODE_BY_STATUS`; 407, 418 and
 * unregistered ones are 400); all else is a 500 whose body says nothing about the cause.
 * The error's own message is never sent. 5xx errors emit `server.error`.
 *
 * @example
 * ```ts
 * import { sendDecision } from '@bulwark/node';
 * // In a Node server's error path (`res` is the ServerResponse):
 * function answerError(err: unknown, method: string, res: Parameters<typeof sendDecision>[0]) {
 *   sendDecision(res, decisionForError(err, { onError: (e) => console.error(e) }), method);
 * }
 * // A TypeError from a handler: 500 internal_error, with nothing of its message sent.
 * ```
 */
export function decisionForError(err: unknown, options: ErrorDecisionOptions = {}): DenyDecision {
  const { onEvent, view, clock = systemClock, onError = logError } = options;
  // Nobody is left to answer, and it is not the server's fault: no log line, no alarm.
  if (isClientAbort(err, options.connectionClosed === true)) return ABORTED;
  let code: HttpErrorCode = 'internal_error';
  let headers: HeaderList | undefined;
  if (err instanceof BulwarkError) {
    // An internal code is answered with its HTTP code (a full store is a 503), never shown.
    code = httpCodeOf(err.code);
    // A busy service (the password hasher's bound) and a locked sign-in (LoginLockedError of
    // @bulwark/lockout) say when to come back; a locked one answers as `lockedDecision` does.
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (RETRY_CODES.has(code) && Number.isInteger(retryAfter) && (retryAfter as number) > 0) {
      headers = [['retry-after', String(retryAfter)]];
      if (code === 'login_locked')
        return deny(code, DETAIL_BY_CODE.login_locked as string, {
          headers,
          extensions: { retryAfter: retryAfter as number },
        });
    }
  } else {
    const status = statusOf(err);
    if (status !== undefined && status >= 400 && status < 500) code = CODE_BY_STATUS[status] ?? 'bad_request';
  }
  if (code === 'internal_error' || code === 'store_unavailable') {
    try {
      onError(err);
    } catch {
      // A failing logger must not turn a 500 into a crash.
    }
    const name = err instanceof Error ? err.constructor.name : typeof err;
    emitEvent(onEvent, {
      type: 'server.error',
      at: clock.now(),
      errorName: name,
      ...(view ? { method: view.method, path: view.path } : {}),
    });
  }
  if (code === 'unauthenticated' || code === 'unauthorized') return challenged401(code, options.realm);
  return standardDeny(code, headers);
}

/**
 * A denial with the standard, fixed detail of its code, so that a 413 raised by a
 * framework's parser and one raised by Bulwark's own reader read the same.
 */
export function standardDeny(code: HttpErrorCode, headers?: HeaderList): DenyDecision {
  return deny(code, DETAIL_BY_CODE[code] ?? 'The request was refused.', headers === undefined ? {} : { headers });
}

const NOT_FOUND = standardDeny('not_found');
/** Written to a closed connection, so never read; a 400 like any other request cut short. */
const ABORTED = standardDeny('bad_request', [['connection', 'close']]);

/** The answer for a request no route matched. The path is not echoed: it may hold a secret. */
export function notFoundDecision(): DenyDecision {
  return NOT_FOUND;
}

/** Serialises a problem body. One place, so every adapter sends byte-identical bodies. */
export function problemJson(decision: DenyDecision): string {
  return JSON.stringify(decision.problem);
}
