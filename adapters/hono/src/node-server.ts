import {
  decisionForError,
  type HeaderList,
  type ProblemHandlerOptions,
  problemHandlerOptions,
  profileHeaders,
  REQUEST_TARGET_REFUSED_DETAIL,
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
 * app.use('*', guard([profile]));
 * // `serve()` takes no errorHandler: build the listener with getRequestListener.
 * const listener = getRequestListener(app.fetch, { errorHandler: nodeServerErrors({ policies: [profile] }) });
 * createServer(listener).listen(3000);
 * ```
 */
export function nodeServerErrors(options: NodeServerErrorOptions = {}): (err: unknown) => Response {
  const { policies, ...problems } = problemHandlerOptions(options, ['policies']);
  const profile: HeaderList = policies === undefined ? [] : profileHeaders(policies);
  const refusedHost = refusedRequestAnswer('bad_request', profile);
  // Worded as the guards word it on every framework (core's evaluatePolicy).
  const refusedTarget = refusedRequestAnswer('bad_request', profile, REQUEST_TARGET_REFUSED_DETAIL);
  return function bulwarkNodeServerError(err: unknown): Response {
    // @hono/node-server's RequestError: the incoming request could not become a Request,
    // for a missing Host (when no `checkHost` ran before) or for its target (`*` comes as
    // "Invalid host header": the URL built from Host and target has another host).
    if (err instanceof Error && err.name === 'RequestError') {
      return toResponse(err.message === 'Missing host header' ? refusedHost : refusedTarget);
    }
    return toResponse(refusedRequestAnswer(decisionForError(err, problems).code, profile));
  };
}

/** `@hono/node-server`'s marker for an answer the app already wrote to the Node response. */
const ALREADY_SENT = 'x-hono-already-sent';

/** The part of the Node `ServerResponse` this file uses (no `node:` import in the adapter). */
interface NodeOutgoing {
  readonly headersSent: boolean;
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  end(): unknown;
}

function nodeOutgoing(env: unknown): NodeOutgoing | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing;
  return typeof outgoing?.setHeader === 'function' && typeof outgoing.end === 'function'
    ? (outgoing as NodeOutgoing)
    : undefined;
}

/**
 * Wraps Hono's `app.fetch` for `@hono/node-server` so that an answer without a body and
 * without a `Content-Type` (a CORS preflight's 204, a handler's `c.body(null, 204)`) leaves
 * without one, as on Express, Fastify and Koa. The node server 1.x labels every such
 * answer `text/plain; charset=UTF-8` (its `buildOutgoingHttpHeaders` defaults the field,
 * whatever the body), which describes content that is not there. Those answers are
 * written to the Node response here, the way the other adapters write them, and the node
 * server is told they were sent; every other answer passes through untouched.
 *
 * @example
 * ```ts
 * const errorHandler = nodeServerErrors({ policies: [securityHeaders()] });
 * createServer(getRequestListener(nodeServerFetch(app.fetch), { errorHandler })).listen(3000);
 * ```
 */
export function nodeServerFetch<Args extends [Request, ...unknown[]]>(
  fetch: (...args: Args) => Response | Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async function bulwarkNodeServerFetch(...args: Args): Promise<Response> {
    const res = await fetch(...args);
    // Content-Type first: answers with content (nearly all) stop here, before `body` is read.
    if (res.headers.has('content-type') || res.body !== null) return res;
    const outgoing = nodeOutgoing(args[1]);
    if (outgoing === undefined || outgoing.headersSent || res.headers.has(ALREADY_SENT)) return res;
    outgoing.statusCode = res.status;
    for (const [name, value] of res.headers) if (name !== 'set-cookie') outgoing.setHeader(name, value);
    const cookies = res.headers.getSetCookie();
    if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies);
    outgoing.end();
    return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
  };
}
