// Base62 (0-9, A-Z, a-z), the alphabet of GitHub's tokens: no character a URL, a shell,
// a header or a double click treats specially, so a key copies whole.

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The value of each char code in base62, or -1 (indexed by char code, 0-127). */
const VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE62.length; i++) table[BASE62.charCodeAt(i)] = i;
  return table;
})();

/** True when every character of `text` from `start` to `end` is base62. */
export function isBase62(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 127 || (VALUE[code] as number) < 0) return false;
  }
  return true;
}

/**
 * `length` uniformly random base62 characters. Rejection sampling: a byte is used only
 * when below 248 (4 * 62), so every character is equally likely (no modulo bias).
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length + 16));
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const byte = bytes[i] as number;
      if (byte < 248) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** `value` (an unsigned 32-bit integer) as exactly `width` base62 digits, most significant first. */
export function encodeFixed(value: number, width: number): string {
  let rest = value;
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** The number `width` base62 digits at `start` spell (the caller checked they are base62). */
export function decodeFixed(text: string, start: number, width: number): number {
  let value = 0;
  for (let i = start; i < start + width; i++) value = value * 62 + (VALUE[text.charCodeAt(i)] as number);
  return value;
}
