const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_COOKIES = 100;

/**
 * Parses a `Cookie` header (RFC 6265 section 5.4): `name=value` pairs separated by `;`.
 * Quoted values lose their quotes; values are percent-decoded when they decode (kept as
 * sent otherwise, as the `cookie` package does). The first of two cookies with one name
 * wins (browsers send the most specific first). Invalid names, the names `__proto__`,
 * `constructor`, `prototype` and pairs past the 100th are ignored.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (header === undefined || header === '') return out;
  let count = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!NAME.test(name) || FORBIDDEN.has(name) || Object.hasOwn(out, name)) continue;
    if (++count > MAX_COOKIES) break;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = value.includes('%') ? decodeURIComponent(value) : value;
    } catch {
      out[name] = value;
    }
  }
  return out;
}
