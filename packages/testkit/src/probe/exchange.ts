import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One request of the probe. `path` is sent as written (origin-form, with its query). */
export interface ProbeHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Send the body with `Transfer-Encoding: chunked` (no Content-Length), in 64 KiB pieces. */
  readonly chunked?: boolean;
}

/** An answer, with the request that got it. */
export interface ProbeAnswer {
  readonly request: ProbeHttpRequest;
  /** 0 when the connection ended without an answer. */
  readonly status: number;
  /** Lower-case names; repeated fields joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  header(name: string): string | undefined;
  /** The body as JSON, or `undefined` when it is not JSON. */
  json(): unknown;
}

/** The most of a body the probe keeps: a check never needs more, and a hostile server may send gigabytes. */
const MAX_BODY = 1024 * 1024;
/**
 * Bodies go out in 16 KiB pieces, a millisecond apart: loopback socket buffers take megabytes
 * at once, and a server that answers 413 and closes with that much unread gets a reset
 * from its kernel that can discard the answer on our side before it is read.
 */
const CHUNK = 16 * 1024;

function answerOf(req: ProbeHttpRequest, res: IncomingMessage | undefined, text: string): ProbeAnswer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res?.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    request: req,
    status: res?.statusCode ?? 0,
    headers,
    text,
    header: (name) => headers[name.toLowerCase()],
    json: () => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Sends one request with `node:http(s)` (fetch would refuse or rewrite `Origin`, `TRACE` and
 * friends). A server that answers before the body is sent and closes (a 413) is an answer,
 * not an error: what arrived is kept.
 */
export function exchange(baseUrl: URL, req: ProbeHttpRequest, timeoutMs: number): Promise<ProbeAnswer> {
  const send = baseUrl.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answerOf(req, response, Buffer.concat(chunks).toString('utf8')));
    };
    const headers: Record<string, string> = { ...req.headers };
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    if (req.chunked) headers['transfer-encoding'] = 'chunked';
    else if (body !== undefined) headers['content-length'] = String(body.length);
    const outgoing = send(
      {
        protocol: baseUrl.protocol,
        hostname: baseUrl.hostname.replace(/^\[|\]$/g, ''),
        port: baseUrl.port,
        path: req.path,
        method: req.method,
        headers,
        agent: false,
      },
      (res) => {
        response = res;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', finish);
        res.on('error', finish);
        res.on('close', finish);
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      if (response) finish();
      else if (!settled) {
        settled = true;
        reject(new Error(`no answer to ${req.method} ${req.path} within ${timeoutMs} ms`));
      }
    }, timeoutMs);
    outgoing.on('error', (err) => {
      // The server answered and closed while the body was still going out: that answer counts.
      if (response) return finish();
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || code === 'EPIPE') resolve(answerOf(req, undefined, ''));
      else reject(err);
    });
    void writeBody(outgoing, body, () => response !== undefined || settled).catch(() => {});
  });
}

/** Writes the body in paced pieces, and stops once an answer has come (a server refusing it answers early). */
async function writeBody(
  outgoing: ClientRequest,
  body: Buffer | Uint8Array | undefined,
  answered: () => boolean,
): Promise<void> {
  if (body === undefined) return void outgoing.end();
  for (let at = 0; at < body.length; at += CHUNK) {
    if (answered() || outgoing.destroyed) return;
    if (!outgoing.write(body.subarray(at, at + CHUNK))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          outgoing.off('drain', done);
          outgoing.off('close', done);
          resolve();
        };
        outgoing.on('drain', done);
        outgoing.on('close', done);
      });
    }
    // A timer, then an immediate: the immediate runs after libuv's poll phase, so an answer
    // that has arrived is read (and `answered()` true) before the next write can meet a reset.
    await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!answered() && !outgoing.destroyed) outgoing.end();
}
