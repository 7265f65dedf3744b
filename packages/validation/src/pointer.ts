/** RFC 6901 JSON Pointer for a path (`["tags", 3]` -> `/tags/3`). */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) out += `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return out;
}

/**
 * The longest client-chosen name an error pointer repeats. Longer names are not echoed: the
 * error points at their parent and says so, so a 90 KB field name cannot make a 90 KB
 * answer (THREATS.md: validation errors that echo the input). A schema's own names are
 * far shorter.
 */
export const MAX_ECHOED_NAME = 100;

/**
 * An error's pointer and detail for `path`, with every segment up to the first name longer
 * than {@link MAX_ECHOED_NAME}: from there on, the pointer stops at the parent and the
 * detail says that a name was too long to repeat.
 *
 * @example
 * ```ts
 * pointedError(['a', 'x'.repeat(500)], 'Unknown field.');
 * // { pointer: '/a', detail: 'Unknown field. (A field name under this one is longer than 100 characters and not repeated.)' }
 * ```
 */
export function pointedError(path: ReadonlyArray<PropertyKey>, detail: string): { pointer: string; detail: string } {
  const long = path.findIndex((segment) => typeof segment === 'string' && segment.length > MAX_ECHOED_NAME);
  if (long < 0) return { pointer: jsonPointer(path), detail };
  return {
    pointer: jsonPointer(path.slice(0, long)),
    detail: `${detail} (A field name under this one is longer than ${MAX_ECHOED_NAME} characters and not repeated.)`,
  };
}
