/**
 * Compares two byte strings in time that depends on their length only, not on where they
 * first differ (`===` on strings and early-exit loops leak the length of the matching
 * prefix). Lengths are not secret here: both are the stored hash's.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
