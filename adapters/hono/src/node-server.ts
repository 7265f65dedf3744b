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
import { orderedFields } from './shared.js';

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
 * whatever the body), which describes content that is not there. Every answer without a
 * body (HEAD answers too) is written to the Node response here, the way the other adapters
 * write them and in their order (a decision's fields in its own order, else `Content-Length`
 * last), and the node server is told it was sent; every other answer passes through
 * untouched.
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
    // Answers with content (nearly all) stop here, before any of their properties is read.
    if (cachedByNodeServer(res) || res.body !== null) return res;
    const outgoing = nodeOutgoing(args[1]);
    if (outgoing === undefined || outgoing.headersSent || res.headers.has(ALREADY_SENT)) return res;
    outgoing.statusCode = res.status;
    for (const [name, value] of bodylessFields(res)) outgoing.setHeader(name, value);
    const cookies = res.headers.getSetCookie();
    if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies);
    outgoing.end();
    return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
  };
}

/**
 * Whether @hono/node-server will write this Response from its own cache: one it made with
 * a string or binary body (its `Response` replaces the global one), the server's fast
 * path. Reading `body` or `headers` of such a Response builds the whole Web Response and
 * sorts its fields by name, so this looks only at its own symbols: the server keeps the
 * cache under one described `cache`. Should a release name it otherwise, every answer
 * simply takes the slower path below, with the same bytes.
 */
function cachedByNodeServer(res: Response): boolean {
  for (const symbol of Object.getOwnPropertySymbols(res)) if (symbol.description === 'cache') return true;
  return false;
}

/**
 * A body-less answer's fields, `set-cookie` aside, in the order the Node adapters write
 * them: a decision's own order when the Response carries it (see `decisionResponse`),
 * else the `Headers` order (sorted by name) with `Content-Length` last, where the GET
 * answer a HEAD mirrors has it (the node server and the Node frameworks add it last).
 */
function bodylessFields(res: Response): [string, string][] {
  const ordered = orderedFields(res);
  if (ordered !== undefined) return Object.entries(ordered).filter(([name]) => name !== 'set-cookie');
  const fields: [string, string][] = [];
  let length: string | undefined;
  for (const [name, value] of res.headers) {
    if (name === 'content-length') length = value;
    else if (name !== 'set-cookie') fields.push([name, value]);
  }
  if (length !== undefined) fields.push(['content-length', length]);
  return fields;
}
