import { connect, type Socket } from 'node:net';
import { completeLength, parseRawResponse } from './raw-client.js';

/** What came back on a raw connection: the parsed answer, if any, and how the connection ended. */
export interface RawAnswer {
  /** 0 when no complete status line arrived before the wait ended. */
  readonly status: number;
  /** Lower-case names; repeated fields joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** True when the server closed the connection (FIN or reset) before the wait ended. */
  readonly closedByServer: boolean;
  /** Milliseconds from the first byte written to the end of the answer (or of the wait). */
  readonly elapsedMs: number;
}

/** What a raw exchange may do with its socket after the head is written. */
export interface RawWriter {
  write(data: string | Uint8Array): boolean;
  /** Resolves after `ms` or as soon as the server closed the connection. */
  pause(ms: number): Promise<void>;
  /** True once the server closed or reset the connection. */
  readonly closed: boolean;
  /** Tears the connection down from the client side (an aborted upload). */
  destroy(): void;
}

export interface RawExchangeOptions {
  /** The longest wait for the answer. */
  readonly waitMs: number;
  /** Keep reading after a complete answer until the server closes (or `waitMs` passes). */
  readonly untilClosed?: boolean;
}

/**
 * Writes a request by hand on a fresh TCP connection, for what `node:http` will not send:
 * a body that trickles or stalls, a client that vanishes mid-upload, repeated header fields.
 * `send` gets the socket after `head` is written; the answer is read until it is complete
 * (by its Content-Length), or with `untilClosed` until the server closes the connection,
 * or until `waitMs` passes, whichever is first.
 *
 * @example
 * ```ts
 * const answer = await rawExchange(baseUrl, 'POST /v2/notes HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n', async (w) => {
 *   w.write('{"a"'); // then stall
 * }, { waitMs: 2000, untilClosed: true });
 * ```
 */
export function rawExchange(
  baseUrl: string,
  head: string,
  send: (writer: RawWriter) => Promise<void> | void,
  { waitMs, untilClosed = false }: RawExchangeOptions,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    let closed = false;
    let done = false;
    const wakers = new Set<() => void>();
    const started = Date.now();
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const wake of wakers) wake();
      socket.destroy();
      const { status, headers, text } = parseRawResponse(Buffer.concat(chunks));
      resolve({
        status,
        headers: headers as Record<string, string>,
        body: text,
        closedByServer: closed,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(finish, waitMs);
    const onServerClose = () => {
      closed = true;
      finish();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!untilClosed && completeLength(Buffer.concat(chunks)) !== undefined) finish();
    });
    socket.on('end', onServerClose);
    socket.on('error', onServerClose);
    const writer: RawWriter = {
      write: (data) => !closed && !done && socket.write(data),
      pause: (ms) =>
        new Promise<void>((wake) => {
          if (done) return wake();
          const t = setTimeout(() => {
            wakers.delete(wake);
            wake();
          }, ms);
          wakers.add(() => {
            clearTimeout(t);
            wake();
          });
        }),
      get closed() {
        return closed || done;
      },
      destroy: () => {
        socket.destroy();
      },
    };
    socket.once('connect', () => {
      socket.write(head);
      void Promise.resolve(send(writer)).catch(() => {});
    });
  });
}
