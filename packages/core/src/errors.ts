/**
 * Stable error codes. A code never changes meaning once released; clients and dashboards
 * may key on it. Each HTTP-facing code has exactly one status in {@link STATUS_BY_CODE}.
 */
export type HttpErrorCode =
  | 'bad_request'
  | 'unauthorized'
  // Authentication (#7): RFC 6750 §3.1's error codes, plus a missing credential and a bad API key.
  | 'unauthenticated'
  | 'invalid_token'
  | 'invalid_request'
  | 'insufficient_scope'
  | 'invalid_api_key'
  /** A sign-in with an unknown account or a wrong password: one answer for both (no account enumeration). */
  | 'invalid_credentials'
  /** A refresh token (or authorization code) that is unknown, expired, revoked or spent (RFC 6749 §5.2's `invalid_grant`). */
  | 'invalid_grant'
  /** A sign-in refused unchecked while its account, client IP or the pair is locked (`@bulwark/lockout`, AC-7; 429 with Retry-After). */
  | 'login_locked'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'unsupported_api_version'
  | 'api_sunset'
  | 'request_timeout'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'rate_limited'
  | 'cors_preflight_rejected'
  | 'cors_origin_rejected'
  | 'internal_error'
  | 'store_unavailable'
  /** A bounded resource (the password hasher's queue) is full: retry shortly (503 with Retry-After). */
  | 'service_busy'
  // The other registered 4xx statuses, so that one thrown by a framework or a handler
  // (`ctx.throw(409)`, `createError(412)`) keeps its meaning instead of becoming a 400.
  | 'payment_required'
  | 'conflict'
  | 'gone'
  | 'length_required'
  | 'precondition_failed'
  | 'uri_too_long'
  | 'range_not_satisfiable'
  | 'expectation_failed'
  | 'misdirected_request'
  | 'locked'
  | 'failed_dependency'
  | 'too_early'
  | 'upgrade_required'
  | 'precondition_required'
  | 'unavailable_for_legal_reasons';

/**
 * Codes of errors thrown to the developer, never sent over HTTP as themselves: one that
 * reaches an adapter's error handling is answered with its code in
 * {@link HTTP_CODE_BY_INTERNAL_CODE} (a full store is a 503 `store_unavailable`, a bug a
 * 500 `internal_error`), so the client learns the status, not the internals.
 */
export type InternalErrorCode =
  /** `ConfigError`: a factory refused its options. */
  | 'config_invalid'
  /** A function was called with an argument it refuses (a negative `refund` cost). */
  | 'invalid_argument'
  /** `StoreFullError`: the memory rate-limit store is full of keys that are all limited. */
  | 'store_full'
  /** `StoreTimeoutError`: a store did not answer within the failure policy's timeout. */
  | 'store_timeout'
  /** A store refused an operation that reached it after its caller's deadline (it changed nothing). */
  | 'store_deadline_passed'
  /** `OutputValidationError`: a handler answered with a value its output schema refuses. */
  | 'output_invalid'
  /** An adapter used against its contract: `valid()` on a route without `validate()`, a body parser before `validate()`. */
  | 'adapter_misuse'
  /** A store refused to create a record whose id already exists (an id collision is never an overwrite). */
  | 'store_conflict';

export type ErrorCode = HttpErrorCode | InternalErrorCode;

/** The one table from error code to HTTP status. Adapters never choose a status themselves. */
export const STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = Object.freeze({
  bad_request: 400,
  unauthorized: 401,
  unauthenticated: 401,
  invalid_token: 401,
  invalid_request: 400,
  insufficient_scope: 403,
  invalid_api_key: 401,
  invalid_credentials: 401,
  invalid_grant: 401,
  login_locked: 429,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  unsupported_api_version: 406,
  api_sunset: 410,
  request_timeout: 408,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  cors_preflight_rejected: 403,
  cors_origin_rejected: 403,
  internal_error: 500,
  store_unavailable: 503,
  service_busy: 503,
  payment_required: 402,
  conflict: 409,
  gone: 410,
  length_required: 411,
  precondition_failed: 412,
  uri_too_long: 414,
  range_not_satisfiable: 416,
  expectation_failed: 417,
  misdirected_request: 421,
  locked: 423,
  failed_dependency: 424,
  too_early: 425,
  upgrade_required: 426,
  precondition_required: 428,
  unavailable_for_legal_reasons: 451,
});

/**
 * The HTTP code an internal error is answered with when it reaches an adapter's error
 * handling (the status then comes from {@link STATUS_BY_CODE}, like every other answer).
 */
export const HTTP_CODE_BY_INTERNAL_CODE: Readonly<Record<InternalErrorCode, HttpErrorCode>> = Object.freeze({
  config_invalid: 'internal_error',
  invalid_argument: 'internal_error',
  store_full: 'store_unavailable',
  store_timeout: 'store_unavailable',
  store_deadline_passed: 'store_unavailable',
  output_invalid: 'internal_error',
  adapter_misuse: 'internal_error',
  store_conflict: 'internal_error',
});

/**
 * The code a client is answered with for an error of this code: itself, or its HTTP code
 * (a code outside both tables, from a cast, is an `internal_error`).
 */
export function httpCodeOf(code: ErrorCode): HttpErrorCode {
  if (isHttpErrorCode(code)) return code;
  return Object.hasOwn(HTTP_CODE_BY_INTERNAL_CODE, code) ? HTTP_CODE_BY_INTERNAL_CODE[code] : 'internal_error';
}

/** Human titles: short, fixed per code (RFC 9457 says the title should not vary per occurrence). */
export const TITLE_BY_CODE: Readonly<Record<HttpErrorCode, string>> = Object.freeze({
  bad_request: 'Bad Request',
  unauthorized: 'Unauthorized',
  unauthenticated: 'Authentication Required',
  invalid_token: 'Invalid Token',
  invalid_request: 'Invalid Request',
  insufficient_scope: 'Insufficient Scope',
  invalid_api_key: 'Invalid API Key',
  invalid_credentials: 'Invalid Credentials',
  invalid_grant: 'Invalid Grant',
  login_locked: 'Sign-in Locked',
  forbidden: 'Forbidden',
  not_found: 'Not Found',
  method_not_allowed: 'Method Not Allowed',
  not_acceptable: 'Not Acceptable',
  unsupported_api_version: 'Unsupported API Version',
  api_sunset: 'API Version Retired',
  request_timeout: 'Request Timeout',
  payload_too_large: 'Content Too Large',
  headers_too_large: 'Request Header Fields Too Large',
  unsupported_media_type: 'Unsupported Media Type',
  validation_failed: 'Validation Failed',
  rate_limited: 'Too Many Requests',
  cors_preflight_rejected: 'CORS Preflight Rejected',
  cors_origin_rejected: 'CORS Origin Rejected',
  internal_error: 'Internal Server Error',
  store_unavailable: 'Service Unavailable',
  service_busy: 'Service Busy',
  payment_required: 'Payment Required',
  conflict: 'Conflict',
  gone: 'Gone',
  length_required: 'Length Required',
  precondition_failed: 'Precondition Failed',
  uri_too_long: 'URI Too Long',
  range_not_satisfiable: 'Range Not Satisfiable',
  expectation_failed: 'Expectation Failed',
  misdirected_request: 'Misdirected Request',
  locked: 'Locked',
  failed_dependency: 'Failed Dependency',
  too_early: 'Too Early',
  upgrade_required: 'Upgrade Required',
  precondition_required: 'Precondition Required',
  unavailable_for_legal_reasons: 'Unavailable For Legal Reasons',
});

/** True when `code` is one of the HTTP-facing codes. */
export function isHttpErrorCode(code: unknown): code is HttpErrorCode {
  return typeof code === 'string' && Object.hasOwn(STATUS_BY_CODE, code);
}

/**
 * The one error base class of Bulwark. Every error we throw is a `BulwarkError` with a
 * stable {@link ErrorCode}, so callers can branch on `err.code` instead of messages.
 */
export class BulwarkError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BulwarkError';
    this.code = code;
  }
}

/**
 * Thrown by a factory when its options are insecure or malformed. The message names the
 * option and says why; `option` carries the option path for programmatic use.
 *
 * @example
 * ```ts
 * try { corsPolicy({ origins: ['*'], credentials: true }) }
 * catch (err) { if (err instanceof ConfigError) console.error(err.option) } // "origins"
 * ```
 */
export class ConfigError extends BulwarkError {
  readonly option: string;

  constructor(option: string, reason: string) {
    super('config_invalid', `Invalid option "${option}": ${reason}`);
    this.name = 'ConfigError';
    this.option = option;
  }
}
