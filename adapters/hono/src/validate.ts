import {
  filterOutput,
  filtersStatus,
  queryOf,
  type RequestValidator,
  readBody,
  runValidation,
  type ValidatedRequest,
  validationMissing,
} from '@bulwark/core';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { decisionResponse, honoView } from './shared.js';

/** What `c.req.valid(...)` returns after `validate(validator)`, per Hono target. */
export interface ValidatedInput<B, Q, P, H> {
  in: Record<never, never>;
  out: { json: B; query: Q; param: P; header: H; cookie: Record<string, unknown> };
}

/**
 * Validates a route with a `requestValidator(...)` in Hono's idiom: the data is read
 * with `c.req.valid('json' | 'query' | 'param' | 'header')`, typed from the schemas.
 * Unlike `@hono/zod-validator`, a wrong or missing content type is 415, not an empty `{}`.
 * With an output schema, a 2xx JSON answer is filtered after the handler.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', validate(createNote), (c) => c.json(store.create(c.req.valid('json')), 201));
 * ```
 */
export function validate<B, Q, P, H, O, E extends Env = Env, Path extends string = string>(
  validator: RequestValidator<B, Q, P, H, O>,
): MiddlewareHandler<E, Path, ValidatedInput<B, Q, P, H>> {
  return async function bulwarkValidate(c, next) {
    const view = honoView(c);
    const result = await runValidation(
      validator,
      { view, rawQuery: queryOf(c.req.url), params: c.req.param() as Record<string, string> },
      // Web ReadableStreams are async iterable on Node 20+, Deno, Bun and Workers. Repeated
      // Content-Type fields need nothing here: Web Headers already join them.
      (limit, timeout) => readBody(c.req.raw.body as AsyncIterable<Uint8Array> | null, limit, { timeout }),
    );
    if (!result.ok) return decisionResponse(result.decision, c.req.method);
    const { data } = result;
    c.req.addValidatedData('json', data.body as object);
    c.req.addValidatedData('query', (data.query ?? {}) as object);
    c.req.addValidatedData('param', (data.params ?? {}) as object);
    c.req.addValidatedData('header', (data.headers ?? {}) as object);
    c.req.addValidatedData('cookie', (data.cookies ?? {}) as object);
    await next();
    if (validator.hasOutput) await filterResponse(c, validator);
  };
}

async function filterResponse(
  c: Context,
  validator: RequestValidator<unknown, unknown, unknown, unknown, unknown>,
): Promise<void> {
  const res = c.res;
  if (!filtersStatus(validator, res.status) || !/^application\/json/i.test(res.headers.get('content-type') ?? ''))
    return;
  const body: unknown = await res.clone().json();
  const output = filterOutput(validator, res.status, body);
  if (output === body) return;
  const filtered = JSON.stringify(output);
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  c.res = new Response(filtered, { status: res.status, headers });
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  c: Context,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  const get = (target: 'json' | 'query' | 'param' | 'header' | 'cookie') =>
    (c.req.valid as (t: string) => unknown)(target);
  // validate() always adds every target (an empty object when the schema is absent).
  if (get('query') === undefined) throw validationMissing('@bulwark/hono');
  return {
    body: get('json') as B,
    query: get('query') as Q,
    params: get('param') as P,
    headers: get('header') as H,
    cookies: get('cookie'),
  };
}
