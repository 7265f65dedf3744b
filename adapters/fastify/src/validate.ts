import { queryOf, type RequestValidator, runValidation, type ValidatedRequest } from '@bulwark/core';
import { nodeRequestView } from '@bulwark/node';
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  RouteShorthandOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { installValidatedBodyParser } from './body-parsers.js';
import { send } from './send.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Validated request data; read it typed with `valid(request, validator)`. */
    valid: ValidatedRequest<unknown, unknown, unknown, unknown> | null;
  }
  interface FastifyContextConfig {
    /** Set by `validate()`: hand this route's JSON body to Bulwark as raw bytes. */
    bulwarkRawBody?: boolean;
  }
}

/**
 * Registers, once per app, the body parser that gives validated routes their raw bytes (so
 * Bulwark's UTF-8, depth and prototype rules apply); routes without `validate()` never read
 * or parse a body (see `installValidatedBodyParser`).
 *
 * @example
 * ```ts
 * await app.register(validationSupport());
 * app.post('/v2/notes', validate(createNote), async (request, reply) => reply.code(201).send(save(valid(request, createNote).body)));
 * ```
 */
export function validationSupport(): FastifyPluginCallback {
  return fp(
    function bulwarkValidationSupport(app, _opts, done) {
      if (!app.hasRequestDecorator('valid')) app.decorateRequest('valid', null);
      installValidatedBodyParser(app);
      done();
    },
    { fastify: '5.x', name: 'bulwark-validation-support' },
  );
}

/**
 * Route options validating with a `requestValidator(...)`: the content type and length
 * are checked in `onRequest` (415/413 before any byte is read), the body limit is the
 * route's `bodyLimit` (its 413 answered by Bulwark through the route's `errorHandler`,
 * which passes every other error to the app's handler), the schemas run in
 * `preValidation`, and an output schema filters 2xx payloads in `preSerialization`.
 * Spread it into the route's options.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', validate(createNote), async (request, reply) => {
 *   const { body } = valid(request, createNote);
 *   return reply.code(201).send(store.create(body));
 * });
 * ```
 */
export function validate<B, Q, P, H, O>(validator: RequestValidator<B, Q, P, H, O>): RouteShorthandOptions {
  const options: RouteShorthandOptions = {
    bodyLimit: validator.bodyLimit,
    config: { bulwarkRawBody: validator.hasBody },
    // Fastify enforces the route's bodyLimit while reading a body without Content-Length;
    // answer that 413 as Bulwark does on every framework (the validation.failed event,
    // Connection: close). Every other error goes to the app's error handler.
    errorHandler: function bulwarkBodyTooLarge(
      this: FastifyInstance,
      error: FastifyError,
      request: FastifyRequest,
      reply: FastifyReply,
    ) {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        return send(reply, validator.tooLarge(nodeRequestView(request.raw)), request.method);
      return this.errorHandler(error, request, reply);
    },
    onRequest: async function bulwarkCheckHead(request: FastifyRequest, reply: FastifyReply) {
      const decision = validator.checkHead(nodeRequestView(request.raw));
      if (decision !== undefined) return send(reply, decision, request.method);
    },
    preValidation: async function bulwarkValidate(request: FastifyRequest, reply: FastifyReply) {
      const view = nodeRequestView(request.raw);
      const params = (request.params ?? {}) as Record<string, string>;
      const result = await runValidation(
        validator,
        { view, rawQuery: queryOf(request.raw.url ?? ''), params },
        async () => {
          const body: unknown = request.body;
          if (body === undefined || body === null) return new Uint8Array(0);
          if (!(body instanceof Uint8Array)) {
            throw new Error(
              '@bulwark/fastify validate(): register validationSupport() so validated routes receive raw bytes',
            );
          }
          return body;
        },
      );
      if (!result.ok) return send(reply, result.decision, request.method);
      request.valid = result.data;
    },
  };
  if (validator.hasOutput) {
    options.preSerialization = async function bulwarkFilterOutput(
      _request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
    ) {
      return reply.statusCode >= 200 && reply.statusCode < 300 ? validator.filterOutput(payload) : payload;
    };
  }
  return options;
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  request: FastifyRequest,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  if (request.valid === null || request.valid === undefined)
    throw new Error('valid(): validate(validator) did not run on this route');
  return request.valid as ValidatedRequest<B, Q, P, H>;
}
