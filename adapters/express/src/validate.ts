import {
  bodyAlreadyRead as bodyReadError,
  filterOutput,
  queryOf,
  type RequestValidator,
  runValidation,
  type ValidatedRequest,
  validationMissing,
} from '@bulwark/core';
import { nodeValidationView, readNodeBody, sendDecision } from '@bulwark/node';
import type { Request, RequestHandler } from 'express';

declare global {
  namespace Express {
    interface Request {
      /** Validated request data; read it typed with `valid(req, validator)`. */
      valid?: ValidatedRequest<unknown, unknown, unknown, unknown>;
    }
  }
}

/** Express 5 wildcard parameters are arrays of segments; schemas see them joined by `/`. */
function stringParams(params: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) out[key] = Array.isArray(value) ? value.join('/') : value;
  return out;
}

function bodyAlreadyRead(req: Request): boolean {
  return (req as { _body?: boolean })._body === true || req.readableEnded;
}

/**
 * Validates a route with a `requestValidator(...)`: 415 (400 for a repeated Content-Type)
 * before reading, 413 and the 408 body deadline while reading, 400/422 problems, then
 * `next()` with the data on `req.valid`. Mount no JSON body parser
 * on these routes: Bulwark reads the bytes itself so limits and JSON rules hold.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', validate(createNote), (req, res) => {
 *   const { body } = valid(req, createNote); // typed from the schema
 *   res.status(201).json(store.create(body));  // filtered by the output schema
 * });
 * ```
 */
export function validate<B, Q, P, H, O>(validator: RequestValidator<B, Q, P, H, O>): RequestHandler {
  return async function bulwarkValidate(req, res, next) {
    const url = req.originalUrl;
    const view = nodeValidationView(req, { url });
    const result = await runValidation(
      validator,
      { view, rawQuery: queryOf(url), params: stringParams(req.params) },
      (limit, timeout) => {
        if (bodyAlreadyRead(req)) {
          throw bodyReadError(
            '@bulwark/express',
            'a body parser already read this body; remove express.json() from validated routes',
          );
        }
        return readNodeBody(req, limit, { timeout });
      },
    );
    if (!result.ok) {
      sendDecision(res, result.decision, req.method);
      return;
    }
    req.valid = result.data;
    if (validator.hasOutput) {
      const json = res.json.bind(res);
      res.json = (value: unknown) => json(filterOutput(validator, res.statusCode, value));
    }
    next();
  };
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  req: Request,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  if (req.valid === undefined) throw validationMissing('@bulwark/express');
  return req.valid as ValidatedRequest<B, Q, P, H>;
}
