import type { Duplex } from 'node:stream';
import {
  type HeaderList,
  type HttpErrorCode,
  profileHeaders,
  type RenderedAnswer,
  type RequestPolicy,
  refusedRequestAnswer,
  TITLE_BY_CODE,
} from '@bulwark/core';

export interface ClientErrorOptions {
  /**
   * The policies whose headers belong on every answer: the header profile
   * (`securityHeaders()`). Evaluated once, here, on a neutral request (see core's
   * `profileHeaders`); a policy behind a store is a `ConfigError`. Default: none, which
   * still sends `Cache-Control: no-store` and, as every problem, `Content-Type`.
   */
  readonly policies?: readonly RequestPolicy[];
}

/** Node's parser error codes and the problem each one is answered with. */
function codeFor(err: Error & { code?: string }): HttpErrorCode {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  // A request not received within the server's headersTimeout/requestTimeout: 408, as
  // Node's own default answer says, and as a body past validate()'s deadline is answered.
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

/** An answer as the bytes of an HTTP/1.1 response, for a socket no ServerResponse wraps. */
export function serialise(code: HttpErrorCode, answer: RenderedAnswer): string {
  const head = [`HTTP/1.1 ${answer.status} ${TITLE_BY_CODE[code]}`];
  for (const [name, value] of answer.headers) head.push(`${name}: ${value}`);
  return `${head.join('\r\n')}\r\n\r\n${answer.body ?? ''}`;
}

/**
 * Builds a `clientError` handler: requests Node's HTTP parser refuses before any framework
 * sees them (a malformed request line, an invalid `Content-Length`, headers over the size
 * limit, a request not received within `headersTimeout`/`requestTimeout`) are answered
 * with problem+json and the app's header profile instead of Node's bare `400`. The answers
 * are built once, here. Attach it to the server (`server.on('clientError', ...)`) or pass
 * it as Fastify's `clientErrorHandler`.
 *
 * @example
 * ```ts
 * const profile = securityHeaders();
 * const server = createServer({ requireHostHeader: false }, checkHost(app, { policies: [profile] }));
 * server.on('clientError', clientErrorHandler({ policies: [profile] }));
 * ```
 */
export function clientErrorHandler(
  options: ClientErrorOptions = {},
): (err: Error & { code?: string }, socket: Duplex) => void {
  const profile: HeaderList = options.policies === undefined ? [] : profileHeaders(options.policies);
  const answers = new Map<HttpErrorCode, string>();
  const answerFor = (code: HttpErrorCode): string => {
    let bytes = answers.get(code);
    if (bytes === undefined) {
      bytes = serialise(code, refusedRequestAnswer(code, profile));
      answers.set(code, bytes);
    }
    return bytes;
  };
  for (const code of ['bad_request', 'headers_too_large'] as const) answerFor(code);
  return function bulwarkClientError(err, socket) {
    if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
      socket.destroy();
      return;
    }
    socket.end(answerFor(codeFor(err)));
  };
}

/**
 * A `clientError` handler without a profile: problem+json with `Cache-Control: no-store`
 * and `X-Content-Type-Options: nosniff`. Prefer `clientErrorHandler({ policies })`, whose
 * answers carry the whole header profile.
 *
 * @example
 * ```ts
 * server.on('clientError', handleClientError);
 * ```
 */
export const handleClientError: (err: Error & { code?: string }, socket: Duplex) => void = clientErrorHandler({
  policies: [
    { name: 'nosniff', evaluate: () => ({ kind: 'allow', headers: [['x-content-type-options', 'nosniff']] }) },
  ],
});
