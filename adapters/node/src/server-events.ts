import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type HeaderList, profileHeaders, REQUEST_TARGET_REFUSED_DETAIL, refusedRequestAnswer } from '@bulwark/core';
import { type ClientErrorOptions, serialise } from './client-error.js';
import { refusalWriter } from './host-check.js';

/**
 * A `checkExpectation` handler: a request whose `Expect` is not `100-continue` is answered
 * 417 problem+json (`expectation_failed`) with the header profile, then the connection is
 * closed. Node emits the event for such requests instead of `request`, and without a
 * listener answers a bare 417 with no header at all (RFC 9110 §10.1.1: a server that
 * does not meet an expectation answers 417). Built once, here.
 *
 * @example
 * ```ts
 * const profile = securityHeaders();
 * server.on('checkExpectation', expectationHandler({ policies: [profile] }));
 * ```
 */
export function expectationHandler(
  options: ClientErrorOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const profile: HeaderList = options.policies === undefined ? [] : profileHeaders(options.policies);
  return refusalWriter(refusedRequestAnswer('expectation_failed', profile));
}

/**
 * A `connect` handler: a `CONNECT` request (an authority-form target, `CONNECT host:port`)
 * is answered 400 problem+json with the header profile, worded as every refused request
 * target, and the connection closed. An API is no proxy; without a listener Node closes
 * the connection without a byte, where every other refused request gets a problem.
 *
 * @example
 * ```ts
 * server.on('connect', connectHandler({ policies: [securityHeaders()] }));
 * ```
 */
export function connectHandler(options: ClientErrorOptions = {}): (req: IncomingMessage, socket: Duplex) => void {
  const profile: HeaderList = options.policies === undefined ? [] : profileHeaders(options.policies);
  const bytes = serialise('bad_request', refusedRequestAnswer('bad_request', profile, REQUEST_TARGET_REFUSED_DETAIL));
  return function bulwarkRefuseConnect(_req, socket) {
    if (socket.writable) socket.end(bytes);
    else socket.destroy();
  };
}

/**
 * Attaches {@link expectationHandler} (`checkExpectation`) and {@link connectHandler}
 * (`connect`) to a Node server: the requests Node hands to neither a listener nor
 * `clientError` are answered problem+json with the profile too. Returns the server.
 *
 * @example
 * ```ts
 * const profile = [securityHeaders()];
 * const server = refuseUnservedRequests(createServer(checkRequestHead(app, { policies: profile })), { policies: profile });
 * server.on('clientError', clientErrorHandler({ policies: profile }));
 * ```
 */
export function refuseUnservedRequests<S extends Server>(server: S, options: ClientErrorOptions = {}): S {
  server.on('checkExpectation', expectationHandler(options));
  server.on('connect', connectHandler(options));
  return server;
}
