import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  type HeaderList,
  isValidHost,
  profileHeaders,
  type RenderedAnswer,
  type RequestPolicy,
  refusedRequestAnswer,
} from '@bulwark/core';

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
 * True when the request's framing is one RFC 9112 §6.3 says a server MUST refuse: a
 * `Transfer-Encoding` whose final coding is not `chunked` (`gzip` alone, `chunked, gzip`),
 * or `chunked` applied twice. The body's length cannot then be determined, and a server
 * that reads it one way behind a proxy that reads it another is the request-smuggling
 * setup. Node's parser lets such a request through, and whether the framework refused it
 * depended on when it read the body (Koa and Hono did, Express and Fastify ran the route).
 *
 * @example
 * ```ts
 * hasAmbiguousFraming(req); // true for `Transfer-Encoding: gzip`
 * ```
 */
export function hasAmbiguousFraming(req: IncomingMessage): boolean {
  let codings: string[] | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 17 || name.toLowerCase() !== 'transfer-encoding') continue;
    codings ??= [];
    for (const part of (raw[i + 1] as string).split(',')) {
      const coding = part.trim().toLowerCase();
      if (coding !== '') codings.push(coding);
    }
  }
  if (codings === undefined) return false;
  const chunked = codings.indexOf('chunked');
  return chunked === -1 || chunked !== codings.length - 1;
}

/**
 * Wraps a Node request listener so that a request whose head no framework should see is
 * refused with 400 problem+json carrying the header profile before the framework sees it,
 * then the connection closed:
 * - a request without `Host`, with several, or with an invalid one (`Host: a b`; RFC 9112
 *   §3.2). Create the server with `requireHostHeader: false`: Node's own check answers a
 *   bare `400` without any header. Express, Koa and Fastify would otherwise serve
 *   `Host: a b`, and Hono's node server refuse it with a bare `text/plain` 400;
 * - a `Transfer-Encoding` whose final coding is not `chunked` (RFC 9112 §6.3, see
 *   {@link hasAmbiguousFraming}).
 *
 * @example
 * ```ts
 * const profile = securityHeaders();
 * const server = createServer({ requireHostHeader: false }, checkRequestHead(app, { policies: [profile] }));
 * ```
 */
export function checkRequestHead(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: HostCheckOptions = {},
): RequestListener {
  const profile: HeaderList = options.policies === undefined ? [] : profileHeaders(options.policies);
  const refuse = refusalWriter(refusedRequestAnswer('bad_request', profile));
  return function bulwarkCheckRequestHead(req: IncomingMessage, res: ServerResponse): void {
    if (hasValidHost(req) && !hasAmbiguousFraming(req)) listener(req, res);
    else refuse(req, res);
  };
}

/**
 * Writes a refusal answered before any framework runs: its fields (flattened once, here)
 * in one `writeHead`, its body unless the request is a HEAD.
 */
export function refusalWriter(answer: RenderedAnswer): (req: IncomingMessage, res: ServerResponse) => void {
  const fields = answer.headers.flat();
  return (req, res) => {
    res.writeHead(answer.status, fields);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}

/**
 * The former name of {@link checkRequestHead}, which it now is (the framing check
 * included).
 *
 * @deprecated Use `checkRequestHead`.
 * @example
 * ```ts
 * const server = createServer({ requireHostHeader: false }, checkHost(app, { policies: [securityHeaders()] }));
 * ```
 */
export const checkHost: typeof checkRequestHead = checkRequestHead;
