import {
  decisionForError,
  type HeaderList,
  type ProblemHandlerOptions,
  profileHeaders,
  type RenderedAnswer,
  type RequestPolicy,
  refusedRequestAnswer,
} from '@bulwark/core';

export interface NodeServerErrorOptions extends ProblemHandlerOptions {
  /**
   * The policies whose headers belong on every answer: the header profile
   * (`securityHeaders()`). Evaluated once, here, on a neutral request (see core's
   * `profileHeaders`); a policy behind a store is a `ConfigError`.
   */
  readonly policies?: readonly RequestPolicy[];
}

function toResponse(answer: RenderedAnswer): Response {
  return new Response(answer.body ?? null, {
    status: answer.status,
    headers: answer.headers.map(([n, v]): [string, string] => [n, v]),
  });
}

/**
 * The `errorHandler` option of `@hono/node-server`'s `serve()` and `getRequestListener()`.
 * The node server builds a Web `Request` before Hono runs and refuses what it cannot
 * build (a missing or invalid `Host`, a backslash in the path, `OPTIONS *`) with a bare
 * `text/plain` 400; no middleware sees that request. With this handler those are 400
 * problem+json with the header profile and `Connection: close`, and an error thrown by the
 * fetch callback itself is a 500 problem (reported to `onError`, a `server.error` event),
 * like every other Bulwark answer.
 *
 * @example
 * ```ts
 * const profile = securityHeaders();
 * app.use('*', guard([profile, cors]));
 * serve({ fetch: app.fetch, port: 3000, errorHandler: nodeServerErrors({ policies: [profile] }) });
 * ```
 */
export function nodeServerErrors(options: NodeServerErrorOptions = {}): (err: unknown) => Response {
  const { policies, ...problems } = options;
  const profile: HeaderList = policies === undefined ? [] : profileHeaders(policies);
  const refused = refusedRequestAnswer('bad_request', profile);
  return function bulwarkNodeServerError(err: unknown): Response {
    // @hono/node-server's RequestError: the incoming request could not become a Request.
    if (err instanceof Error && err.name === 'RequestError') return toResponse(refused);
    return toResponse(refusedRequestAnswer(decisionForError(err, problems).code, profile));
  };
}
