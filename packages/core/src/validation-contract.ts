import type { RefusalDecision } from './decision.js';
import { BulwarkError } from './errors.js';
import type { RequestView } from './request-view.js';

/**
 * The contract between `@bulwark/validation` and the adapters: adapters read bytes and
 * copy decisions, the validator decides. Kept in core so adapters need no zod.
 */
export interface ValidatedRequest<B, Q, P, H> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly headers: H;
  /** Declared cookies, when the validator has a cookies schema. */
  readonly cookies?: unknown;
}

/** The raw parts of a request, as an adapter has them. */
export interface RawRequestParts {
  readonly view: RequestView;
  /** The query string without `?`. */
  readonly rawQuery: string;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The body bytes, or `undefined` when the route has no body schema. */
  readonly body: Uint8Array | undefined;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly data: T }
  /**
   * A refusal: a problem+json `deny`, or a complete `respond` answer when the validator
   * renders its refusals in another form (the OAuth error form of `@bulwark/validation`).
   */
  | { readonly ok: false; readonly decision: RefusalDecision };

export interface RequestValidator<B = unknown, Q = unknown, P = unknown, H = unknown, O = unknown> {
  /** True when the route has a body schema, so adapters must read the body. */
  readonly hasBody: boolean;
  /** The byte limit adapters enforce while reading. */
  readonly bodyLimit: number;
  /** Milliseconds the whole body may take to arrive; adapters enforce it while reading. */
  readonly bodyTimeout: number;
  /**
   * Checks Content-Type (415; 400 when the request has more than one Content-Type field)
   * and Content-Length (413) before any byte is read.
   */
  checkHead(view: RequestView): RefusalDecision | undefined;
  /** The answer when the body passed the limit while being read. */
  tooLarge(view: RequestView): RefusalDecision;
  /** The answer when the body did not arrive within `bodyTimeout` (408, connection closed). */
  timedOut(view: RequestView): RefusalDecision;
  validate(parts: RawRequestParts): ValidationResult<ValidatedRequest<B, Q, P, H>>;
  /** True when there is an output schema. */
  readonly hasOutput: boolean;
  /**
   * Filters a 2xx answer through the output schema. Throws when the value does not match:
   * that is a bug in the handler, answered with a 500, never with the unfiltered value.
   */
  filterOutput(value: unknown): O;
}

/** Type of the validated data of a validator. */
export type ValidatedOf<V> =
  V extends RequestValidator<infer B, infer Q, infer P, infer H, unknown> ? ValidatedRequest<B, Q, P, H> : never;

/** True for the error a body read rejects with at its deadline (see `readBody`). */
export function isBodyTimeout(err: unknown): boolean {
  return err instanceof BulwarkError && err.code === 'request_timeout';
}

/**
 * The whole validation flow for an adapter: head checks before reading, the body read
 * with its limit and deadline, then the schemas. Adapters only supply how to read bytes:
 * `read` resolves `undefined` past `limit` and rejects with `request_timeout` (see
 * `readBody`) when the body is not in after `timeout` ms.
 */
export async function runValidation<B, Q, P, H, O>(
  validator: RequestValidator<B, Q, P, H, O>,
  parts: Omit<RawRequestParts, 'body'>,
  read: (limit: number, timeout: number) => Promise<Uint8Array | undefined>,
): Promise<ValidationResult<ValidatedRequest<B, Q, P, H>>> {
  const head = validator.checkHead(parts.view);
  if (head !== undefined) return { ok: false, decision: head };
  let body: Uint8Array | undefined;
  if (validator.hasBody) {
    try {
      body = await read(validator.bodyLimit, validator.bodyTimeout);
    } catch (err) {
      if (isBodyTimeout(err)) return { ok: false, decision: validator.timedOut(parts.view) };
      throw err;
    }
    if (body === undefined) return { ok: false, decision: validator.tooLarge(parts.view) };
  }
  return validator.validate({ ...parts, body });
}

/** The query string of a request target (`/a?b=1#x` -> `b=1`). */
export function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return '';
  const hash = url.indexOf('#', q);
  return hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
}
