import type { HttpErrorCode } from './errors.js';
import type { HeaderList } from './headers.js';
import type { Principal } from './principal.js';
import { type Problem, type ProblemExtensions, problemFor } from './problem.js';

/** Let the request through; add `headers` to whatever answer it gets. */
export interface AllowDecision {
  readonly kind: 'allow';
  readonly headers: HeaderList;
  /** Header names to remove from the answer (for example `x-powered-by`). */
  readonly removeHeaders?: readonly string[];
  /** Values the adapter exposes to handlers (for example the negotiated API version). */
  readonly state?: Readonly<Record<string, unknown>>;
  /**
   * Who is calling, when this policy authenticated the request. Kept out of `state`: the
   * pipeline sets it once per request (see `mergeAllow`), later policies read it as
   * `RequestView.principal` and handlers as the adapter's `auth`.
   */
  readonly principal?: Principal;
}

/** Refuse the request with a problem+json answer. */
export interface DenyDecision {
  readonly kind: 'deny';
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: HeaderList;
  /** Header names to remove from the answer (an allow's removals carried onto a refusal, see `evaluatePolicy`). */
  readonly removeHeaders?: readonly string[];
  readonly problem: Problem;
}

/** Answer the request completely (a CORS preflight, for example); the handler never runs. */
export interface RespondDecision {
  readonly kind: 'respond';
  readonly status: number;
  readonly headers: HeaderList;
  /** Optional body; `undefined` means an empty body. */
  readonly body?: string;
}

/** What a primitive decides about a request. A plain union, so adapters can `switch`. */
export type Decision = AllowDecision | DenyDecision | RespondDecision;

const EMPTY: HeaderList = Object.freeze([]);

/**
 * An allow decision. Reuse one frozen object per policy where headers do not vary.
 *
 * @example
 * ```ts
 * allow([['x-content-type-options', 'nosniff']]);
 * allow([], undefined, principal); // an authenticator's answer
 * ```
 */
export function allow(
  headers: HeaderList = EMPTY,
  state?: Readonly<Record<string, unknown>>,
  principal?: Principal,
): AllowDecision {
  if (principal !== undefined) {
    return state === undefined ? { kind: 'allow', headers, principal } : { kind: 'allow', headers, state, principal };
  }
  return state === undefined ? { kind: 'allow', headers } : { kind: 'allow', headers, state };
}

/** A `deny` or `respond` decision: the request gets this answer, the handler never runs. */
export type RefusalDecision = Exclude<Decision, { kind: 'allow' }>;

/** A deny decision whose status, title and type come from the code. */
export function deny(
  code: HttpErrorCode,
  detail: string,
  options: { headers?: HeaderList; removeHeaders?: readonly string[]; extensions?: ProblemExtensions } = {},
): DenyDecision {
  const problem = problemFor(code, detail, options.extensions);
  const headers = options.headers ?? EMPTY;
  return options.removeHeaders === undefined
    ? { kind: 'deny', status: problem.status, code, headers, problem }
    : { kind: 'deny', status: problem.status, code, headers, removeHeaders: options.removeHeaders, problem };
}

/** A complete answer. */
export function respond(status: number, headers: HeaderList = EMPTY, body?: string): RespondDecision {
  return body === undefined ? { kind: 'respond', status, headers } : { kind: 'respond', status, headers, body };
}
