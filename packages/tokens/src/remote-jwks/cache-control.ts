/**
 * The parts of a JWK Set response's `Cache-Control` (RFC 9111 section 5.2) a verifier's
 * cache uses, in seconds. A directive present twice keeps its first value (section 4.2.1
 * allows it); a malformed delta-seconds (`max-age=abc`, `max-age=-1`) makes the response
 * stale (`maxAge: 0`), as `no-store` and `no-cache` do; the caller then applies its
 * minimum lifetime. Values beyond 2^31 are 2^31 (section 1.2.2).
 */
export interface CacheDirectives {
  /** undefined: no usable freshness information (the caller's default applies). */
  readonly maxAge: number | undefined;
  readonly staleWhileRevalidate: number | undefined;
  readonly staleIfError: number | undefined;
}

const DELTA_CAP = 2 ** 31;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function deltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value.length > 12 ? DELTA_CAP : value), DELTA_CAP);
}

/** Splits on commas outside quoted strings. */
function directives(header: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  let i = 0;
  while (i < header.length) {
    let name = '';
    while (i < header.length && header[i] !== ',' && header[i] !== '=') name += header[i++];
    let value: string | undefined;
    if (header[i] === '=') {
      i++;
      value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\') i++;
          value += header[i++] ?? '';
        }
        i++;
      }
      while (i < header.length && header[i] !== ',') value += header[i++];
      value = value.trim();
    }
    i++;
    const trimmed = name.trim().toLowerCase();
    if (TOKEN.test(trimmed)) out.push([trimmed, value]);
  }
  return out;
}

export function parseCacheControl(header: string | null | undefined): CacheDirectives {
  if (header === null || header === undefined) {
    return { maxAge: undefined, staleWhileRevalidate: undefined, staleIfError: undefined };
  }
  const seen = new Map<string, string | undefined>();
  for (const [name, value] of directives(header)) if (!seen.has(name)) seen.set(name, value);
  let maxAge: number | undefined;
  if (seen.has('no-store') || seen.has('no-cache')) maxAge = 0;
  else if (seen.has('max-age')) maxAge = deltaSeconds(seen.get('max-age')) ?? 0;
  return {
    maxAge,
    staleWhileRevalidate: deltaSeconds(seen.get('stale-while-revalidate')),
    staleIfError: deltaSeconds(seen.get('stale-if-error')),
  };
}

/** The `Age` header (seconds the response spent in caches before us), 0 when absent or malformed. */
export function parseAge(header: string | null | undefined): number {
  return deltaSeconds(header?.trim()) ?? 0;
}
