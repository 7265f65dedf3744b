/**
 * Stable error codes. A code never changes meaning once released; clients and dashboards
 * may key on it. Each HTTP-facing code has exactly one status in {@link STATUS_BY_CODE}.
 */
export type HttpErrorCode =
  | 'bad_request'
  | 'unauthorized'
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
  | 'store_unavailable';

/** Codes of errors thrown to the developer (never sent over HTTP). */
export type InternalErrorCode = 'config_invalid';

export type ErrorCode = HttpErrorCode | InternalErrorCode;

/** The one table from error code to HTTP status. Adapters never choose a status themselves. */
export const STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = Object.freeze({
  bad_request: 400,
  unauthorized: 401,
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
});

/** Human titles: short, fixed per code (RFC 9457 says the title should not vary per occurrence). */
export const TITLE_BY_CODE: Readonly<Record<HttpErrorCode, string>> = Object.freeze({
  bad_request: 'Bad Request',
  unauthorized: 'Unauthorized',
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
