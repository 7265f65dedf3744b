import { dictionary } from '@zxcvbn-ts/language-common';

// The 49,233 most common passwords of zxcvbn-ts's common dictionary (MIT, maintained; the
// list comes from leaked password corpora). Built into a Set once, on the first check, not
// at import: an application that only hashes pays the module's load (about 30 ms, 8 MB),
// not the Set.
let common: ReadonlySet<string> | undefined;

/** True when `password` (already NFKC-normalised) is on the common-password list, ignoring case. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return common.has(password.toLowerCase());
}
