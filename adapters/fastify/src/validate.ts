import {
  bodyAlreadyRead,
  filterOutput,
  isBodyTimeout,
  queryOf,
  type RefusalDecision,
  type RequestValidator,
  runValidation,
  type ValidatedRequest,
  validationMissing,
} from '@bulwark/core';
import { nodeRequestView, nodeValidationView, readNodeBody } from '@bulwark/node';
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import fp from 'fastify-plugin';
import { holdValidatedBody, installValidatedBodyParser } from './body-parsers.js';
import { send } from './send.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Validated request data; read it typed with `valid(request, validator)`. */
    valid: ValidatedRequest<unknown, unknown, unknown, unknown> | null;
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

/** A body refused while Bulwark read it (413, 408): carried to the route's error handler. */
class BodyRefused extends Error {
  readonly decision: RefusalDecision;

  constructor(decision: RefusalDecision) {
    super(`The request body was refused (${decision.status}).`);
    this.name = 'BodyRefused';
    this.decision = decision;
  }
}

/**
 * Route options validating with a `requestValidator(...)`: the content type and length
 * are checked in `onRequest` (415/413, 400 for a repeated Content-Type, before any byte is
 * read); the body is read in `preParsing` by the node bridge, as on Express and Koa, with
 * the validator's limit (413) and deadline (408), then handed to Fastify's parser as
 * they are; those refusals are answered through the route's `errorHandler`, which passes
 * every other error, untouched, to the app's handler. The schemas run in
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
    // Body refusals are answered as Bulwark does on every framework (the validation.failed
    // event, Connection: close). Fastify calls a route's errorHandler without `this`: every
    // other error goes on to the error handler of the instance that holds the route.
    errorHandler: function bulwarkBodyErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      if (error instanceof BodyRefused) return send(reply, error.decision, request.method);
      // Fastify's own bodyLimit, should a body reach its parser some other way.
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        return send(reply, validator.tooLarge(nodeRequestView(request.raw)), request.method);
      return request.server.errorHandler(error, request, reply);
    },
    onRequest: async function bulwarkCheckHead(request: FastifyRequest, reply: FastifyReply) {
      const decision = validator.checkHead(nodeValidationView(request.raw));
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
            throw bodyAlreadyRead(
              '@bulwark/fastify',
              'register validationSupport() so validated routes receive raw bytes',
            );
          }
          return body;
        },
      );
      if (!result.ok) return send(reply, result.decision, request.method);
      request.valid = result.data;
    },
  };
  if (validator.hasBody) {
    // The same reader as Express and Koa (limit and deadline), so a body that trickles or
    // stalls is 408 here too, not held until the connection dies. The bytes go to the
    // content-type parser as they are (see body-parsers.ts): read once.
    options.preParsing = async function bulwarkReadBody(request: FastifyRequest) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await readNodeBody(request.raw, validator.bodyLimit, { timeout: validator.bodyTimeout });
      } catch (err) {
        if (isBodyTimeout(err)) throw new BodyRefused(validator.timedOut(nodeRequestView(request.raw)));
        throw err;
      }
      if (bytes === undefined) throw new BodyRefused(validator.tooLarge(nodeRequestView(request.raw)));
      holdValidatedBody(request, bytes);
    };
  }
  if (validator.hasOutput) {
    options.preSerialization = async function bulwarkFilterOutput(
      _request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
    ) {
      return filterOutput(validator, reply.statusCode, payload);
    };
  }
  return options;
}

/** The validated data of this request, typed from the validator's schemas. */
export function valid<B, Q, P, H, O>(
  request: FastifyRequest,
  _validator: RequestValidator<B, Q, P, H, O>,
): ValidatedRequest<B, Q, P, H> {
  if (request.valid === null || request.valid === undefined) throw validationMissing('@bulwark/fastify');
  return request.valid as ValidatedRequest<B, Q, P, H>;
}
