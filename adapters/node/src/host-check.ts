import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type HeaderList, isValidHost, profileHeaders, type RequestPolicy, refusedRequestAnswer } from '@bulwark/core';

export interface HostCheckOptions {
  /** The policies whose headers belong on every answer (the header profile); see `clientErrorHandler`. */
  readonly policies?: readonly RequestPolicy[];
}

/**
 * True when the request has exactly one valid `Host` field. HTTP/1.0 may omit it, but it is
 * refused too: a Web `Request` (Hono) cannot be built without a host, and one answer for
 * every framework is worth more than serving HTTP/1.0 clients that no browser is.
 */
export function hasValidHost(req: IncomingMessage): boolean {
  let count = 0;
  let value = '';
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      count++;
      value = raw[i + 1] as string;
    }
  }
  return count === 1 && isValidHost(value);
}

/**
 * Wraps a Node request listener so a request without `Host`, with several, or
 * with an invalid one (`Host: a b`) is refused with 400 problem+json carrying the header
 * profile before the framework sees it (RFC 9112 §3.2). Create the server with
 * `requireHostHeader: false`: Node's own check answers a bare `400` without any header.
 * Express, Koa and Fastify would otherwise serve `Host: a b`, and Hono's node server refuse
 * it with a bare `text/plain` 400.
 *
 * @example
 * ```ts
 * const profile = securityHeaders();
 * const server = createServer({ requireHostHeader: false }, checkHost(app, { policies: [profile] }));
 * ```
 */
export function checkHost(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: HostCheckOptions = {},
): RequestListener {
  const profile: HeaderList = options.policies === undefined ? [] : profileHeaders(options.policies);
  const answer = refusedRequestAnswer('bad_request', profile);
  return function bulwarkCheckHost(req: IncomingMessage, res: ServerResponse): void {
    if (hasValidHost(req)) {
      listener(req, res);
      return;
    }
    res.writeHead(answer.status, answer.headers.flat());
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}
