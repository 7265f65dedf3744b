import type { RequestValidator } from '@bulwark/core';
import type { z } from 'zod';
import type { BodyType } from './media-type.js';
import type { ErrorFormat } from './oauth-error.js';

/**
 * What a validator checks, for tools that describe an API (`@bulwark/openapi`): the
 * schemas as they are enforced (body, query and params in their strict copies, so unknown
 * fields show as refused), the accepted media types and the limits. Read-only: changing
 * it changes nothing the validator does.
 */
export interface ValidatorSchemas {
  readonly body: z.ZodType | undefined;
  readonly bodyType: BodyType;
  /** The accepted body media types (lower-case essences). */
  readonly accepts: readonly string[];
  readonly query: z.ZodType | undefined;
  readonly params: z.ZodType | undefined;
  readonly headers: z.ZodType | undefined;
  readonly cookies: z.ZodType | undefined;
  readonly output: z.ZodType | undefined;
  /** Bytes. */
  readonly bodyLimit: number;
  /** How refusals are rendered: problem+json, or the RFC 6749 §5.2 form. */
  readonly errorFormat: ErrorFormat;
}

/** A validator made by `requestValidator`, which says what it checks. */
export interface DescribedValidator<B = unknown, Q = unknown, P = unknown, H = unknown, O = unknown>
  extends RequestValidator<B, Q, P, H, O> {
  readonly schemas: ValidatorSchemas;
}

/**
 * The schemas of a validator made by `requestValidator`, or `undefined` for any other
 * `RequestValidator` (a hand-written one describes nothing).
 *
 * @example
 * ```ts
 * const v = requestValidator({ query: z.object({ q: z.string().max(100) }) });
 * const described = schemasOf(v);
 * // described?.query is the strict query schema; described?.body is undefined
 * ```
 */
export function schemasOf(validator: RequestValidator): ValidatorSchemas | undefined {
  const schemas = (validator as Partial<DescribedValidator>).schemas;
  return typeof schemas === 'object' && schemas !== null && typeof schemas.bodyType === 'string' ? schemas : undefined;
}
