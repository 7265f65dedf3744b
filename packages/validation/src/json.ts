/** Why a JSON body was refused; every reason is a 400. */
export type JsonFailure = 'encoding' | 'syntax' | 'forbidden_key' | 'depth';

export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: JsonFailure };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One pass over the text, outside strings: the deepest nesting, and whether any string
 * holds an escape (an escaped key could spell `__proto__` without the literal text).
 */
function scan(text: string, maxDepth: number): { tooDeep: boolean; escapes: boolean } {
  let depth = 0;
  let escapes = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        escapes = true;
        i++;
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { tooDeep: true, escapes };
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return { tooDeep: false, escapes };
}

function refuseForbidden(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError();
  return value;
}

class ForbiddenKeyError extends Error {}

/**
 * Parses a JSON body safely: invalid UTF-8, syntax errors, nesting deeper than `maxDepth`
 * and the keys `__proto__`, `constructor` and `prototype` (anywhere, escaped or not) are
 * refused. The key check only walks the parsed value when the text could contain such a
 * key, so ordinary bodies cost one native `JSON.parse` plus one scan.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): JsonResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  const { tooDeep, escapes } = scan(text, maxDepth);
  if (tooDeep) return { ok: false, reason: 'depth' };
  const mayHideKey =
    escapes || text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
  try {
    return { ok: true, value: mayHideKey ? JSON.parse(text, refuseForbidden) : JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: err instanceof ForbiddenKeyError ? 'forbidden_key' : 'syntax' };
  }
}
