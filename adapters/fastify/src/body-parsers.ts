import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The bytes `validate()`'s `preParsing` hook read (the node bridge's `readNodeBody`, with
 * the route's limit and deadline), held for the content-type parser below, which hands
 * them to Fastify as the body: the body is read once, never streamed a second time.
 */
const readBodies = new WeakMap<FastifyRequest, Uint8Array>();

/** Called by `validate()`'s `preParsing` hook with the body it read. */
export function holdValidatedBody(request: FastifyRequest, bytes: Uint8Array): void {
  readBodies.set(request, bytes);
}

/**
 * Replaces Fastify's content-type parsers (JSON and text, each with its own 1 MB limit)
 * with one that gives a route validated by `validate()` the bytes its `preParsing` hook
 * already read (Bulwark then applies the route's media type, UTF-8, depth and prototype
 * rules). Every other route never reads or parses its body, whatever its type, as on
 * Express, Koa and Hono: a 405 or a 204 stays a 405 or a 204 when the body is invalid JSON
 * or of an unknown type, and Node discards the unread bytes once the answer is sent.
 */
export function installValidatedBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', function bulwarkBodyParser(request, _payload, done) {
    done(null, readBodies.get(request));
  });
}
