import { connect } from 'node:net';
import type { ProbeResponse } from './http-client.js';

/**
 * An answer read off the socket as it was sent (a `ProbeResponse`, so `expectProblem` and
 * `expectProfile` apply), with the fields in the order and number they came.
 */
export interface RawResponse extends ProbeResponse {
  /** The status line's code, or 0 when the server closed without answering. */
  readonly status: number;
  /** Header fields in the order sent, names lower-cased, values as sent. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

export interface RawProbeOptions {
  /** Give up after this long (ms). Default 5000. */
  readonly timeout?: number;
}

/**
 * Sends bytes exactly as given over a TCP connection and reads the first answer. For
 * requests `node:http` refuses to send (no `Host`, `Host: a b`, a backslash target,
 * `OPTIONS *`, a malformed request line, oversized headers): the answers Node's parser or a
 * server adapter gives before any framework runs. Pass `Connection: close` (or a request
 * the server refuses) so the answer ends with the connection.
 *
 * @example
 * ```ts
 * const res = await sendRaw(url, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
 * expect(res.status).toBe(400);
 * ```
 */
export function sendRaw(
  baseUrl: string,
  request: string | Uint8Array,
  options: RawProbeOptions = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port: Number(url.port) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`sendRaw: no answer within ${options.timeout ?? 5000} ms`));
    }, options.timeout ?? 5000);
    const finish = () => {
      clearTimeout(timer);
      try {
        resolve(parseRawResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete answer with Content-Length: stop reading, in case the server keeps the connection.
      const whole = completeLength(Buffer.concat(chunks));
      if (whole !== undefined) {
        socket.destroy();
        finish();
      }
    });
    // The server may reset the connection after answering (it closes while our bytes are
    // still unread); what was received is the answer.
    socket.on('error', () => finish());
    socket.on('end', finish);
    socket.on('close', finish);
    socket.write(request);
  });
}

/** The length of a complete answer in `data` (head and Content-Length body), or `undefined`. */
export function completeLength(data: Buffer): number | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length === undefined) return undefined;
  const total = end + 4 + Number(length);
  return data.length >= total ? total : undefined;
}

/** Parses one HTTP/1.1 answer (head and a Content-Length or close-delimited body). */
export function parseRawResponse(data: Buffer): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (data.length === 0 || end === -1) return rawResponse(0, [], data.toString('utf8'));
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const fields = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
  });
  let body = data.subarray(end + 4);
  const length = fields.find(([name]) => name === 'content-length')?.[1];
  if (length !== undefined) body = body.subarray(0, Number(length));
  return rawResponse(status, fields, body.toString('utf8'));
}

function rawResponse(status: number, fields: ReadonlyArray<readonly [string, string]>, body: string): RawResponse {
  const header = (name: string) => {
    const values = fields.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v);
    return values.length === 0 ? undefined : values.join(', ');
  };
  const headers: Record<string, string | undefined> = {};
  for (const [name] of fields) headers[name] = header(name);
  return { status, fields, headers, text: body, header, json: () => JSON.parse(body) };
}
