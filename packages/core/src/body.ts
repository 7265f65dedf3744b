/**
 * Reads a body from any async iterable of byte chunks (a Node `IncomingMessage`, a Web
 * `ReadableStream`) and gives up as soon as it passes `limit` bytes: a chunked body
 * without `Content-Length` is cut off at the limit, never buffered whole. Breaking out of
 * the loop destroys or cancels the source. Returns `undefined` when over the limit.
 *
 * @example
 * ```ts
 * const bytes = await readBody(req, 100 * 1024);
 * if (bytes === undefined) return send(standardDeny('payload_too_large'));
 * ```
 */
export async function readBody(
  source: AsyncIterable<Uint8Array> | null | undefined,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (source === null || source === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
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
