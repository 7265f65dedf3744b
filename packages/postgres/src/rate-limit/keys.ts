import { createHash } from 'node:crypto';

// How a check's scope and key are stored. The key is the client's (an IP, a principal, a
// header value): whatever it holds must count, never fail the statement, since a store
// failure answers from the failure mode (open, perhaps) and a key that always failed would
// never be limited. PostgreSQL text cannot hold NUL, and a btree entry cannot pass ~2.7 kB,
// so NUL is escaped (injectively: `\` doubles first) and a long value is kept by its SHA-256.

/** Past this many characters (UTF-16 units, at most 3 UTF-8 bytes each) a value is hashed. */
const MAX_PLAIN = 512;

/** The stored form of a scope or a key: distinct inputs never share one. */
export function storedText(value: string): string {
  // An escaped value never starts with `\h` (every `\` it holds is doubled), so the
  // hashed form cannot be spelled by a plain key.
  const escaped =
    value.includes('\\') || value.includes('\u0000')
      ? value.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0')
      : value;
  if (escaped.length <= MAX_PLAIN) return escaped;
  return '\\h'.concat(createHash('sha256').update(value, 'utf8').digest('base64url'));
}
