const lenient = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8, refusing invalid sequences (`undefined`). The lenient decoder is faster;
 * only when it produced a replacement character (invalid input, or a real U+FFFD) does
 * the strict one decide. Strict UTF-8 cannot encode a surrogate, so the text it answers
 * holds no lone surrogate.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const text = lenient.decode(bytes);
  if (text.indexOf('\uFFFD') === -1) return text;
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
