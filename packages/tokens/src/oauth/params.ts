import type { OAuthParams } from './types.js';

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The parameters of one request, read as RFC 6749 §3.1 and §3.2 want: a parameter sent
 * without a value is as if omitted, and a parameter sent more than once is refused
 * (`repeated`). Only own members are read (`__proto__` is a name like any other).
 */
export interface ReadParams {
  /** The single value of `name`, or `undefined` when absent or empty. */
  get(name: string): string | undefined;
  /** True when any parameter was sent more than once, or is no string at all. */
  readonly malformed: boolean;
  /** True when `name` was sent more than once (or is no string). */
  repeated(name: string): boolean;
}

export function readParams(params: OAuthParams): ReadParams {
  const source: Readonly<Record<string, unknown>> =
    typeof params === 'object' && params !== null && !Array.isArray(params) ? params : {};
  const bad = new Set<string>();
  const values = new Map<string, string>();
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined) continue;
    let single: unknown = value;
    if (Array.isArray(value)) {
      // [x] is a framework's way of saying "sent once"; two or more is a repeat.
      if (value.length !== 1) {
        if (value.length > 1) bad.add(name);
        continue;
      }
      single = value[0];
    }
    if (typeof single !== 'string') {
      bad.add(name);
      continue;
    }
    if (single !== '') values.set(name, single);
  }
  return {
    get: (name) => values.get(name),
    malformed: bad.size > 0 || (source !== params && params !== undefined),
    repeated: (name) => bad.has(name),
  };
}

/**
 * A space-delimited scope list (RFC 6749 §3.3): scope-tokens separated by single spaces,
 * duplicates dropped, in order. `undefined` when the text is no such list.
 */
export function parseScope(text: string): string[] | undefined {
  const tokens = text.split(' ');
  if (tokens.some((t) => !SCOPE_TOKEN.test(t))) return undefined;
  return [...new Set(tokens)];
}
