import { type HttpErrorCode, STATUS_BY_CODE, TITLE_BY_CODE } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Prefix of every problem `type` URI; the code follows it. */
export const PROBLEM_TYPE_PREFIX = 'urn:bulwark:problem:';

/**
 * An RFC 9457 problem details object. `code` is our stable error code, also reachable
 * through `type`. Extension members must be safe to show to any client: never a stack
 * trace, a store error text or the echo of a secret.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: HttpErrorCode;
  readonly [extension: string]: unknown;
}

/** Extension members a primitive may add. `type`, `title`, `status` and `code` are reserved. */
export type ProblemExtensions = Readonly<Record<string, unknown>> & {
  readonly type?: never;
  readonly title?: never;
  readonly status?: never;
  readonly code?: never;
};

/**
 * Builds the problem for a code. The status and title come from the code's table entry,
 * so every package answers the same way for the same code.
 *
 * @example
 * ```ts
 * problemFor('not_found', 'No route matches GET /v9/x')
 * // { type: 'urn:bulwark:problem:not_found', title: 'Not Found', status: 404, ... }
 * ```
 */
export function problemFor(code: HttpErrorCode, detail: string, extensions?: ProblemExtensions): Problem {
  return {
    ...extensions,
    type: PROBLEM_TYPE_PREFIX + code,
    title: TITLE_BY_CODE[code],
    status: STATUS_BY_CODE[code],
    detail,
    code,
  };
}
