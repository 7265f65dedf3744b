import type { FastifyInstance, FastifyRequest } from 'fastify';

type Done = (err: Error | null, body?: unknown) => void;

/** An error Fastify's own body reader would raise: same code and status, so handlers treat it alike. */
function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

/**
 * Reads a validated route's body as raw bytes, as Fastify's `parseAs: 'buffer'` does: the
 * route's `bodyLimit` (413 `FST_ERR_CTP_BODY_TOO_LARGE`, answered by `validate()`), a
 * `Content-Length` that does not match the bytes (400), a stream error (400).
 */
function readRaw(request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done): void {
  const limit = request.routeOptions.bodyLimit;
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    done(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'));
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
  };
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (received > limit) {
      stop();
      done(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'));
      return;
    }
    chunks.push(bytes);
  };
  const onEnd = () => {
    stop();
    if (!Number.isNaN(declared) && declared !== received) {
      done(fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Request body size did not match Content-Length'));
      return;
    }
    done(null, Buffer.concat(chunks, received));
  };
  const onError = (err: Error & { statusCode?: number }) => {
    stop();
    if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
    done(err);
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

/**
 * Replaces Fastify's content-type parsers (JSON and text, each with its own 1 MB limit)
 * with one that reads a body only where `validate()` asked for it (the route's
 * `bulwarkRawBody` config): there it hands the raw bytes to Bulwark, which applies the
 * route's limit, media type, UTF-8, depth and prototype rules. Every other route never
 * reads or parses its body, whatever its type, as on Express, Koa and Hono: a 405 or a 204
 * stays a 405 or a 204 when the body is invalid JSON or of an unknown type, and Node
 * discards the unread bytes once the answer is sent.
 */
export function installValidatedBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', function bulwarkBodyParser(request, payload, done) {
    if (request.routeOptions.config.bulwarkRawBody === true) readRaw(request, payload, done);
    else done(null, undefined);
  });
}
