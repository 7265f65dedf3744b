import { queryOf, type RequestValidator, runValidation, type ValidatedRequest } from '@bulwark/core';
import { nodeValidationView, readNodeBody } from '@bulwark/node';
import type { Context, Middleware } from 'koa';
import { send } from './send.js';

declare module 'koa' {
  interface DefaultState {
    /** Validated request data; read it typed with `valid(ctx, validator)`. */
    valid?: ValidatedRequest<unknown, unknown, unknown, unknown>;
  }
}

/**
 * Validates a route with a `requestValidator(...)`; the data lands on `ctx.state.valid`.
 * With an output schema, a 2xx object body is filtered after the handler. Use no body
 * parser on these routes: Bulwark reads the bytes itself.
 *
 * @example
 * ```ts
 * router.post('/v2/notes', validate(createNote), (ctx) => {
 *   ctx.status = 201;
 *   ctx.body = store.create(valid(ctx, createNote).body);
 * });
 * ```
 */
export function validate<B, Q, P, H, O>(validator: RequestValidator<B, Q, P, H, O>): Middleware {
  return async function bulwarkValidate(ctx, next) {
    const url = ctx.originalUrl;
    const view = nodeValidationView(ctx.req, { url });
    const params = (ctx as { params?: Record<string, string> }).params ?? {};
    const result = await runValidation(validator, { view, rawQuery: queryOf(url), params }, (limit, timeout) => {
      if (ctx.req.readableEnded) throw new Error('@bulwark/koa validate(): a body parser already read this body');
      return readNodeBody(ctx.req, limit, { timeout });
    });
    if (!result.ok) {
      send(ctx, result.decision);
      return;
    }
    ctx.state.valid = result.data;
    await next();
    const body: unknown = ctx.body;
    if (
      validator.hasOutput &&
      ctx.status >= 200 &&
      ctx.status < 300 &&
      typeof body === 'object' &&
      body !== null &&
      !isBinary(body)
    ) {
      ctx.body = validator.filterOutput(body);
    }
  };
}

function isBinary(body: object): boolean {
  return body instanceof Uint8Array || typeof (body as { pipe?: unknown }).pipe === 'function';
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  ctx: Context,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  if (ctx.state.valid === undefined) throw new Error('valid(): validate(validator) did not run on this route');
  return ctx.state.valid as ValidatedRequest<B, Q, P, H>;
}
