import type { IncomingMessage } from 'node:http';
import { type BodyReadOptions, bodyTimeoutError } from '@bulwark/core';

/** The error Node itself gives a request whose client went away: see `isClientAbort`. */
function abortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/**
 * Reads a Node request body with a byte limit enforced as chunks arrive (a chunked body
 * without Content-Length is cut off at the limit) and, with `timeout`, a deadline for the
 * whole body: a body that trickles or stalls rejects with `request_timeout` (answered 408)
 * at the deadline instead of holding the connection until Node's own 300 s timeout. Over
 * the limit or past the deadline it stops listening and pauses the stream instead of
 * destroying the socket, so the 413 or 408 answer can still be written; both carry
 * `Connection: close`. A client that goes away mid-body rejects with Node's `aborted`
 * error (`ECONNRESET`), which `decisionForError` answers without logging. Returns
 * `undefined` when over the limit.
 *
 * @example
 * ```ts
 * const bytes = await readNodeBody(req, 100 * 1024, { timeout: 10_000 });
 * ```
 */
export function readNodeBody(
  req: IncomingMessage,
  limit: number,
  options: BodyReadOptions = {},
): Promise<Uint8Array | undefined> {
  const { timeout } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const stop = () => {
      cleanup();
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // 'close' before 'end' without an 'error': the client went away; never wait forever.
    const onClose = () => {
      cleanup();
      reject(abortedError());
    };
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        stop();
        reject(bodyTimeoutError(timeout));
      }, timeout);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Whether the connection of `req` is already closed: the client went away (or the server
 * tore it down). Passed to `decisionForError` as `connectionClosed`, so an aborted upload
 * is not reported as a server error.
 *
 * @example
 * ```ts
 * decisionForError(err, { connectionClosed: connectionClosed(req) });
 * ```
 */
export function connectionClosed(req: IncomingMessage): boolean {
  return req.socket?.destroyed === true;
}
