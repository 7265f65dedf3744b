/** Why a fetch gave no usable JWK Set (the reasons of the `jwks.fetch_failed` event). */
export type FetchFailureReason = 'timeout' | 'network' | 'status' | 'too_large' | 'invalid';

export class JwksFetchFailure extends Error {
  readonly reason: FetchFailureReason;
  readonly status: number | undefined;
  constructor(reason: FetchFailureReason, status?: number) {
    super(`JWK Set fetch failed: ${reason}${status === undefined ? '' : ` (${status})`}`);
    this.name = 'JwksFetchFailure';
    this.reason = reason;
    this.status = status;
  }
}

export interface FetchedSet {
  readonly json: unknown;
  readonly cacheControl: string | null;
  readonly age: string | null;
}

export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch: typeof globalThis.fetch;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads at most `maxBytes` of the body, cancelling the stream past it (a huge answer is never buffered). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new JwksFetchFailure('too_large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * One GET of the JWK Set: no redirects followed (a redirect could leave https or the
 * issuer's host), no cookies or credentials sent, the whole exchange (headers and body)
 * within `timeoutMs`, the body at most `maxBytes` (checked against `Content-Length` first,
 * then while reading), UTF-8 JSON.
 */
export async function fetchSet(url: string, limits: FetchLimits): Promise<FetchedSet> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    let response: Response;
    // Called unbound: a runtime's global fetch refuses another `this` ("Illegal invocation").
    const get = limits.fetch;
    try {
      response = await get(url, {
        method: 'GET',
        redirect: 'error',
        credentials: 'omit',
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal: controller.signal,
      });
    } catch {
      throw new JwksFetchFailure(controller.signal.aborted ? 'timeout' : 'network');
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new JwksFetchFailure('status', response.status);
    }
    const length = response.headers.get('content-length');
    if (length !== null && Number(length) > limits.maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw new JwksFetchFailure('too_large');
    }
    let bytes: Uint8Array;
    try {
      bytes = await readCapped(response, limits.maxBytes);
    } catch (error) {
      if (error instanceof JwksFetchFailure) throw error;
      throw new JwksFetchFailure(controller.signal.aborted ? 'timeout' : 'network');
    }
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(bytes));
    } catch {
      throw new JwksFetchFailure('invalid');
    }
    return { json, cacheControl: response.headers.get('cache-control'), age: response.headers.get('age') };
  } finally {
    clearTimeout(timer);
  }
}
