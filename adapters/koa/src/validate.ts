import {
  bodyAlreadyRead,
  filterOutput,
  queryOf,
  type RequestValidator,
  runValidation,
  type ValidatedRequest,
  validationMissing,
} from '@bulwark/core';
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
      if (ctx.req.readableEnded) throw bodyAlreadyRead('@bulwark/koa', 'a body parser already read this body');
      return readNodeBody(ctx.req, limit, { timeout });
    });
    if (!result.ok) {
      send(ctx, result.decision);
      return;
    }
    ctx.state.valid = result.data;
    await next();
    if (validator.hasOutput) {
      const body: unknown = ctx.body;
      const filtered = filterOutput(validator, ctx.status, body);
      if (filtered !== body) ctx.body = filtered;
    }
  };
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  ctx: Context,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  if (ctx.state.valid === undefined) throw validationMissing('@bulwark/koa');
  return ctx.state.valid as ValidatedRequest<B, Q, P, H>;
}
