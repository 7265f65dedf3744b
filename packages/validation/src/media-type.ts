import { ConfigError } from '@bulwark/core';

const JSON_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;

/** The media type of HTML form posts and of OAuth 2.0 token requests (RFC 6749 §3.2). */
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** How a route's body is parsed: JSON (the default) or `application/x-www-form-urlencoded`. */
export type BodyType = 'json' | 'form';

/** Outcome of checking a `Content-Type` against a route's accepted types. */
export type MediaTypeCheck = 'ok' | 'missing' | 'unsupported';

/**
 * Compiles a route's accepted media types. A JSON body accepts JSON types only
 * (`application/json`, `application/*+json`); a form body accepts exactly
 * `application/x-www-form-urlencoded`, so `accepts` is refused with it.
 */
export function compileAcceptedTypes(types: readonly string[] | undefined, bodyType: BodyType): readonly string[] {
  if (bodyType === 'form') {
    if (types !== undefined)
      throw new ConfigError('accepts', `a form body (bodyType: 'form') accepts ${FORM_TYPE} only; leave accepts out`);
    return [FORM_TYPE];
  }
  const list = types ?? ['application/json'];
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError('accepts', 'list at least one media type');
  return list.map((type, index) => {
    const lower = typeof type === 'string' ? type.trim().toLowerCase() : '';
    if (!JSON_TYPE.test(lower)) {
      throw new ConfigError(
        `accepts[${index}]`,
        'only JSON media types (application/json, application/*+json) are supported',
      );
    }
    return lower;
  });
}

/**
 * Checks a `Content-Type` header: the essence (type/subtype, case-insensitive) must be one
 * of `accepted`, and a `charset` parameter, if any, must be UTF-8 (RFC 8259 section 8.1
 * for JSON; for forms, the only encoding the WHATWG URL standard defines).
 */
export function checkMediaType(header: string | undefined, accepted: readonly string[]): MediaTypeCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  const semicolon = header.indexOf(';');
  const essence = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (!accepted.includes(essence)) return 'unsupported';
  if (semicolon === -1) return 'ok';
  for (const param of header.slice(semicolon + 1).split(';')) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return 'unsupported';
  }
  return 'ok';
}

/**
 * Whether a `Content-Encoding` header leaves the body as sent: absent, empty or only
 * `identity`. Bodies are read as the bytes arrive, never inflated, so a compressed body is
 * refused up front (415, RFC 9110 section 15.5.16) instead of failing as malformed JSON.
 */
export function isIdentityEncoding(header: string | undefined): boolean {
  if (header === undefined) return true;
  for (const coding of header.split(',')) {
    const token = coding.trim().toLowerCase();
    if (token !== '' && token !== 'identity') return false;
  }
  return true;
}

/**
 * Whether a `Content-Type` value is, or may be, more than one field: a comma outside a
 * quoted-string, or a quoted-string that is not a whole parameter value (a quote not
 * right after `=`, text after the closing quote before the next `;`, or no closing quote).
 * The media-type grammar (RFC 9110 section 8.3.1) has no comma but inside quotes, so a
 * list can only be two fields joined (by a proxy, by Web `Headers`, by the node bridge)
 * or one field naming two types. The quote rules keep a first field that opens a quote
 * from hiding the comma of the second.
 */
export function isFieldList(value: string): boolean {
  let prev = 0; // the last character outside a quoted-string that is not whitespace
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2c /* , */) return true;
    if (c === 0x22 /* " */) {
      if (prev !== 0x3d /* = */) return true;
      for (i++; i < value.length; i++) {
        const q = value.charCodeAt(i);
        if (q === 0x5c /* \ */) i++;
        else if (q === 0x22) break;
      }
      if (i >= value.length) return true; // unterminated
      prev = 0x22;
      continue;
    }
    if (c === 0x20 || c === 0x09) continue;
    // After a closing quote only `;` (another parameter) may follow.
    if (prev === 0x22 && c !== 0x3b /* ; */) return true;
    prev = c;
  }
  return false;
}
