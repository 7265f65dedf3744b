import { decodeUtf8 } from './utf8.js';

/** Why a JSON body was refused; every reason is a 400. */
export type JsonFailure = 'encoding' | 'syntax' | 'surrogate' | 'forbidden_key' | 'depth';

export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: JsonFailure };

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

/**
 * A `\uD800`-`\uDFFF` escape. The text comes from strict UTF-8, which cannot encode a
 * surrogate, so an escape is the only way a lone surrogate reaches a parsed string. The
 * pattern also matches an escaped backslash followed by `ud8..` (`\\ud800`); the walk
 * below then finds nothing.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Walks every string of the parsed value, member names included, for a lone surrogate.
 * Only bodies that escape a surrogate get here. Bounded by `maxDepth` like the main walk.
 */
function surrogateWalk(value: unknown, depth: number, maxDepth: number): JsonFailure | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? 'surrogate' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > maxDepth) return 'depth';
  if (Array.isArray(value)) {
    for (const item of value) {
      const failure = surrogateWalk(item, depth + 1, maxDepth);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (LONE_SURROGATE.test(key)) return 'surrogate';
    const failure = surrogateWalk(record[key], depth + 1, maxDepth);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

/**
 * Refuses a lone surrogate (`"\uD800"`) anywhere in the parsed value: RFC 8259 §8.2 leaves
 * its meaning to the implementation, I-JSON (RFC 7493 §2.1) forbids it, and a string
 * holding one changes when it is encoded to UTF-8 (a database driver, `TextEncoder`) into
 * U+FFFD, so two different validated values can be stored as one. Costs one `indexOf`
 * for bodies without a `\u` escape, which is nearly all of them.
 */
export function loneSurrogateIn(text: string, value: unknown, maxDepth: number): JsonFailure | undefined {
  if (text.indexOf('\\u') === -1 || !SURROGATE_ESCAPE.test(text)) return undefined;
  return surrogateWalk(value, 1, maxDepth);
}

/** Why {@link decodeJson} refused a body; the instances are shared, never allocated. */
export class RefusedJson {
  private constructor(readonly reason: 'encoding' | 'syntax' | 'surrogate' | 'depth') {}
  static readonly encoding = new RefusedJson('encoding');
  static readonly syntax = new RefusedJson('syntax');
  static readonly surrogate = new RefusedJson('surrogate');
  static readonly depth = new RefusedJson('depth');
  /** Identity checks: cheaper than `instanceof` on every parsed body. */
  static is(value: unknown): value is RefusedJson {
    return (
      value === RefusedJson.encoding ||
      value === RefusedJson.syntax ||
      value === RefusedJson.surrogate ||
      value === RefusedJson.depth
    );
  }
}

/**
 * Decodes strict UTF-8, parses, and refuses lone surrogates (see {@link loneSurrogateIn});
 * the other hostile-JSON checks are {@link inspectJson}'s. Answers the parsed value or a
 * shared `RefusedJson` (no result object on the hot path; `JSON.parse` cannot produce a
 * class instance, so the two cannot be confused).
 *
 * Duplicate member names are accepted, the last one winning, as `JSON.parse` does (RFC
 * 8259 §4 only says names SHOULD be unique): refusing them would need a scan of the text
 * that `JSON.parse` cannot do for us. The handler only ever sees this parsed value, the one
 * the schema checked, so the two readings of a duplicate cannot both reach it; see
 * docs/validation.md for the parser-differential case.
 */
export function decodeJson(bytes: Uint8Array, maxDepth: number): unknown {
  const text = decodeUtf8(bytes);
  if (text === undefined) return RefusedJson.encoding;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return RefusedJson.syntax;
  }
  const failure = loneSurrogateIn(text, value, maxDepth);
  if (failure === undefined) return value;
  return failure === 'surrogate' ? RefusedJson.surrogate : RefusedJson.depth;
}

/**
 * The hostile-JSON checks on a parsed value: nesting deeper than `maxDepth` and the keys
 * `__proto__`, `constructor` and `prototype` anywhere.
 */
export function inspectJson(value: unknown, maxDepth: number): JsonFailure | undefined {
  return typeof value === 'object' && value !== null ? inspect(value, 1, maxDepth) : undefined;
}

/**
 * Parses a JSON body safely: invalid UTF-8, syntax errors, lone surrogates, nesting deeper
 * than `maxDepth` and the keys `__proto__`, `constructor` and `prototype` (anywhere,
 * escaped or not) are refused; duplicate member names are not (the last wins, see
 * {@link decodeJson}). Ordinary bodies cost one native `JSON.parse` plus one walk of the
 * parsed objects and arrays.
 *
 * @example
 * ```ts
 * parseJsonBody(new TextEncoder().encode('{"a":1}'), 32) // { ok: true, value: { a: 1 } }
 * parseJsonBody(new TextEncoder().encode('"\\ud800"'), 32) // { ok: false, reason: 'surrogate' }
 * ```
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): JsonResult {
  const value = decodeJson(bytes, maxDepth);
  if (RefusedJson.is(value)) return { ok: false, reason: value.reason };
  const failure = inspectJson(value, maxDepth);
  return failure === undefined ? { ok: true, value } : { ok: false, reason: failure };
}
