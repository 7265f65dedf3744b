/** Why a JSON body was refused; every reason is a 400. */
export type JsonFailure = 'encoding' | 'syntax' | 'forbidden_key' | 'depth';

export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: JsonFailure };

const lenient = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8, refusing invalid sequences. The lenient decoder is faster; only when it
 * produced a replacement character (invalid input, or a real U+FFFD) does the strict one
 * decide.
 */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  const text = lenient.decode(bytes);
  if (text.indexOf('\uFFFD') === -1) return text;
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Walks the parsed value once: refuses nesting deeper than `maxDepth` and the keys
 * `__proto__`, `constructor` and `prototype` (JSON.parse makes `"__proto__"` an own
 * property, escaped spellings included, so the walk sees every one). Recursion stops at
 * `maxDepth`, so a hostile depth cannot overflow the stack; V8's JSON.parse itself is
 * iterative and accepts any depth.
 */
function inspect(value: unknown, depth: number, maxDepth: number): JsonFailure | undefined {
  if (depth > maxDepth) return 'depth';
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null) {
        const failure = inspect(item, depth + 1, maxDepth);
        if (failure !== undefined) return failure;
      }
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return 'forbidden_key';
    const item = record[key];
    if (typeof item === 'object' && item !== null) {
      const failure = inspect(item, depth + 1, maxDepth);
      if (failure !== undefined) return failure;
    }
  }
  return undefined;
}

/** Why {@link decodeJson} refused a body; the two instances are shared, never allocated. */
export class RefusedJson {
  private constructor(readonly reason: 'encoding' | 'syntax') {}
  static readonly encoding = new RefusedJson('encoding');
  static readonly syntax = new RefusedJson('syntax');
  /** Two identity checks: cheaper than `instanceof` on every parsed body. */
  static is(value: unknown): value is RefusedJson {
    return value === RefusedJson.encoding || value === RefusedJson.syntax;
  }
}

/**
 * Decodes strict UTF-8 and parses; nothing else (see {@link inspectJson}). Answers the
 * parsed value or a shared `RefusedJson` (no result object on the hot path; `JSON.parse`
 * cannot produce a class instance, so the two cannot be confused).
 */
export function decodeJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  if (text === undefined) return RefusedJson.encoding;
  try {
    return JSON.parse(text);
  } catch {
    return RefusedJson.syntax;
  }
}

/**
 * The hostile-JSON checks on a parsed value: nesting deeper than `maxDepth` and the keys
 * `__proto__`, `constructor` and `prototype` anywhere.
 */
export function inspectJson(value: unknown, maxDepth: number): JsonFailure | undefined {
  return typeof value === 'object' && value !== null ? inspect(value, 1, maxDepth) : undefined;
}

/**
 * Parses a JSON body safely: invalid UTF-8, syntax errors, nesting deeper than `maxDepth`
 * and the keys `__proto__`, `constructor` and `prototype` (anywhere, escaped or not) are
 * refused. Ordinary bodies cost one native `JSON.parse` plus one walk of the parsed
 * objects and arrays.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): JsonResult {
  const value = decodeJson(bytes);
  if (RefusedJson.is(value)) return { ok: false, reason: value.reason };
  const failure = inspectJson(value, maxDepth);
  return failure === undefined ? { ok: true, value } : { ok: false, reason: failure };
}
