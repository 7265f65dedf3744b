/** RFC 6901 JSON Pointer for a path (`["tags", 3]` -> `/tags/3`). */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) out += `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return out;
}
