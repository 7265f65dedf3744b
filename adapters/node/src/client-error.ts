import type { Duplex } from 'node:stream';
import { problemJson, standardDeny } from '@bulwark/core';

/**
 * Answers requests Node's HTTP parser refuses before any framework sees them (a malformed
 * request line, an invalid Content-Length, headers over the size limit) with problem+json
 * instead of Node's bare `400`. Attach it to the server: `server.on('clientError', handleClientError)`,
 * or pass it as Fastify's `clientErrorHandler`.
 *
 * @example
 * ```ts
 * const server = createServer(app);
 * server.on('clientError', handleClientError);
 * ```
 */
export function handleClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const decision = standardDeny(err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request');
  const body = problemJson(decision);
  const head = [
    `HTTP/1.1 ${decision.status} ${decision.problem.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
}
