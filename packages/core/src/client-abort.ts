/**
 * The shapes a request's own body stream fails with when the client goes away mid-request:
 * Node's `aborted` (`ECONNRESET`) on an `IncomingMessage`, a stream closed early
 * (`ERR_STREAM_PREMATURE_CLOSE`), raw-body's `request.aborted` (express.json, koa body
 * parsers) and a Web `AbortError`.
 */
function looksLikeAbort(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, name, type } = err as { code?: unknown; message?: unknown; name?: unknown; type?: unknown };
  return (
    (code === 'ECONNRESET' && message === 'aborted') ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    type === 'request.aborted' ||
    name === 'AbortError'
  );
}

/**
 * True when `err` is a client's aborted request, not a server fault: the error has the
 * shape of an abort AND the adapter saw this request's connection closed. Both are
 * required, so an `ECONNRESET` from a backend the handler called (the connection to the
 * client still open) is still a 500 that is logged.
 *
 * @example
 * ```ts
 * if (isClientAbort(err, req.socket?.destroyed === true)) return; // nobody left to answer
 * ```
 */
export function isClientAbort(err: unknown, connectionClosed: boolean): boolean {
  return connectionClosed && looksLikeAbort(err);
}
