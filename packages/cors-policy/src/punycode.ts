// RFC 3492 Punycode decoding, used only at construction to refuse configured `xn--` labels
// that are not valid A-labels (`http://xn--f`): browsers' URL parsers refuse such a host,
// so an allowlist entry naming it could never match and only hides a typo.
const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_CODE_POINT = 0x10ffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - TMIN) * TMAX) >> 1) {
    d = Math.floor(d / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW));
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 26; // 0-9
  if (c >= 0x61 && c <= 0x7a) return c - 0x61; // a-z (labels are lower-cased before)
  return -1;
}

/**
 * Decodes the part of a label after `xn--` to code points, or `undefined` when it is not
 * valid Punycode (a truncated delta, a digit outside a-z0-9, an overflow).
 */
export function decodePunycode(input: string): number[] | undefined {
  const delimiter = input.lastIndexOf('-');
  const output: number[] = [];
  for (let j = 0; j < Math.max(delimiter, 0); j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) return undefined;
    output.push(c);
  }
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  for (let pos = delimiter > 0 ? delimiter + 1 : 0; pos < input.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) return undefined;
      const digit = digitValue(input.charCodeAt(pos++));
      if (digit < 0) return undefined;
      i += digit * w;
      if (i > MAX_CODE_POINT * (output.length + 1)) return undefined;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
    }
    bias = adapt(i - oldi, output.length + 1, oldi === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > MAX_CODE_POINT || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    output.splice(i, 0, n);
    i++;
  }
  return output;
}

/**
 * True when an `xn--` label is a plausible A-label: valid Punycode that decodes to at least
 * one non-ASCII code point (RFC 5891 §5.4: an A-label always stands for a non-ASCII U-label).
 */
export function isValidALabel(label: string): boolean {
  const decoded = decodePunycode(label.slice(4));
  return decoded?.some((c) => c >= 0x80) === true;
}
