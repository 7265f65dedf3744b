import type { IncomingMessage } from 'node:http';

/**
 * Reads a Node request body with a byte limit enforced as chunks arrive (a chunked body
 * without Content-Length is cut off at the limit). Over the limit it stops listening and
 * pauses the stream instead of destroying the socket, so the 413 answer can still be
 * written; that answer carries `Connection: close`. Returns `undefined` when over the limit.
 *
 * @example
 * ```ts
 * const bytes = await readNodeBody(req, 100 * 1024);
 * ```
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
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
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
