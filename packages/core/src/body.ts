import { BulwarkError } from './errors.js';

/** How long a body may take to arrive. */
export interface BodyReadOptions {
  /**
   * Milliseconds from the start of reading to the last byte. Past it the read rejects with
   * a `BulwarkError` of code `request_timeout` (answered 408). Absent: no deadline.
   */
  readonly timeout?: number | undefined;
}

/** The error a body read rejects with at its deadline. */
export function bodyTimeoutError(timeout: number): BulwarkError {
  return new BulwarkError('request_timeout', `The request body did not arrive within ${timeout} ms.`);
}

/**
 * Reads a body from any async iterable of byte chunks (a Node `IncomingMessage`, a Web
 * `ReadableStream`) and gives up as soon as it passes `limit` bytes: a chunked body
 * without `Content-Length` is cut off at the limit, never buffered whole. With a
 * `timeout`, the whole body must arrive within it: a body trickled or stalled rejects
 * with `request_timeout` at the deadline, however steadily its bytes come. Giving up
 * (limit or deadline) releases the source without draining it. Returns `undefined` when
 * over the limit.
 *
 * @example
 * ```ts
 * const bytes = await readBody(req, 100 * 1024, { timeout: 10_000 });
 * if (bytes === undefined) return send(standardDeny('payload_too_large'));
 * ```
 */
export async function readBody(
  source: AsyncIterable<Uint8Array> | null | undefined,
  limit: number,
  options: BodyReadOptions = {},
): Promise<Uint8Array | undefined> {
  if (source === null || source === undefined) return new Uint8Array(0);
  const { timeout } = options;
  const iterator = source[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // One promise for the whole read, raced against each chunk: the deadline is for the
  // body, not per chunk, so a byte now and then does not push it back.
  const deadline =
    timeout === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(bodyTimeoutError(timeout)), timeout);
        });
  deadline?.catch(() => {}); // Rejected only when raced; never an unhandled rejection.
  const chunks: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  try {
    for (;;) {
      const next = deadline === undefined ? await iterator.next() : await Promise.race([iterator.next(), deadline]);
      if (next.done) {
        finished = true;
        break;
      }
      size += next.value.byteLength;
      if (size > limit) return undefined;
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
    // Releases the source (cancels a Web stream) when the read stopped early. Not awaited:
    // a source stuck in a pending read may never settle its return().
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const SIZE = /^(\d+)(b|kb|mb)?$/i;
const UNIT = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** Parses a byte size: a number of bytes or `"100kb"`, `"1mb"`; `undefined` when malformed. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNIT[(match[2] ?? 'b').toLowerCase() as keyof typeof UNIT];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
