/**
 * Every value of one field in a list of raw header lines (Node's `rawHeaders`: name,
 * value, name, value, ...), joined with `", "` as Web `Headers` join a repeated field;
 * `undefined` when the field is absent. `name` is lower-case.
 *
 * Why: Node keeps only the first of duplicate `Authorization` fields in `req.headers`
 * (like `Content-Type` and a few others), so a request with two bearer tokens would be
 * authenticated with whichever came first, while Hono's Web Headers see both and
 * `parseBearer` refuses the pair. Views over Node requests read `Authorization` through
 * this, so every framework answers two fields with 400 `invalid_request`.
 *
 * @example
 * ```ts
 * joinedRawField(['Host', 'x', 'Authorization', 'Bearer a', 'authorization', 'Bearer b'], 'authorization');
 * // 'Bearer a, Bearer b'
 * ```
 */
export function joinedRawField(rawHeaders: readonly string[], name: string): string | undefined {
  let joined: string | undefined;
  const length = name.length;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const candidate = rawHeaders[i] as string;
    // The length check first: most names are not this one, and it costs no allocation.
    if (candidate.length !== length || candidate.toLowerCase() !== name) continue;
    const value = rawHeaders[i + 1] as string;
    joined = joined === undefined ? value : `${joined}, ${value}`;
  }
  return joined;
}
