import type { z } from 'zod';
import { pointedError } from './pointer.js';

/** One entry of the problem's `errors` array. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
  /** Where: `body`, `query`, `params`, `headers` or `cookies`. */
  readonly in: Location;
}

export type Location = 'body' | 'query' | 'params' | 'headers' | 'cookies';

const listed = (values: readonly unknown[]) => {
  const text = values.map((v) => JSON.stringify(v)).join(', ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function bound(issue: { origin?: string; inclusive?: boolean }, value: unknown, word: 'least' | 'most'): string {
  const origin = issue.origin ?? 'value';
  const n = String(value);
  const one = n === '1';
  if (origin === 'string') return `Must have at ${word} ${n} ${one ? 'character' : 'characters'}.`;
  if (origin === 'array' || origin === 'set') return `Must have at ${word} ${n} ${one ? 'item' : 'items'}.`;
  const op = word === 'least' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  return `Must be ${op} ${n}.`;
}

/**
 * Our own wording for each zod issue: it names what was expected and never quotes the
 * rejected value (zod's messages are not sent; a `custom` refinement's message is the
 * developer's own and is kept).
 */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(input, issue.path) === undefined ? 'Required.' : `Expected ${issue.expected}.`;
    case 'too_small':
      return bound(issue, issue.minimum, 'least');
    case 'too_big':
      return bound(issue, issue.maximum, 'most');
    case 'invalid_format':
      // A regex check names no format a client would know; say what went wrong instead.
      return issue.format === 'regex' ? 'Does not match the expected pattern.' : `Must be a valid ${issue.format}.`;
    case 'not_multiple_of':
      return `Must be a multiple of ${String(issue.divisor)}.`;
    case 'invalid_value':
      return `Must be one of ${listed(issue.values)}.`;
    case 'invalid_union':
      return 'Does not match any of the allowed forms.';
    case 'invalid_key':
      return 'Has an invalid key.';
    case 'invalid_element':
      return 'Has an invalid element.';
    case 'unrecognized_keys':
      return 'Unknown field.';
    case 'custom':
      return issue.message;
    default:
      return 'Invalid value.';
  }
}

/** Maps zod issues to pointer errors; unknown keys get one error each, at the key. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], input: unknown, where: Location): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ ...pointedError([...issue.path, key], 'Unknown field.'), in: where });
    } else {
      out.push({ ...pointedError(issue.path, describeIssue(issue, input)), in: where });
    }
  }
  return out;
}
