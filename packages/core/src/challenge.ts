import { ConfigError } from './errors.js';
import { isToken } from './headers.js';

export interface ChallengeOptions {
  /**
   * `quoted` (the default): every value is a quoted-string, as RFC 6750 §3 writes Bearer
   * challenges and as most clients expect. `minimal`: a value that is a `token` is sent
   * bare (`charset=UTF-8`), others quoted; `realm` is quoted either way (RFC 9110 §11.5:
   * senders only generate the quoted form).
   */
  readonly style?: 'quoted' | 'minimal' | undefined;
}

/** qdtext and quoted-pair's characters we send: HTAB, SP and visible ASCII (no obs-text). */
function checkValue(name: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c > 0x7e)) {
      throw new ConfigError(
        `challenge.${name}`,
        'a WWW-Authenticate parameter holds only tab, space and visible ASCII (no CR, LF or other control characters)',
      );
    }
  }
}

/** RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped with a backslash. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds one `WWW-Authenticate` (or `Proxy-Authenticate`) challenge, RFC 9110 §11:
 * `scheme` then comma-separated auth-params. Values are checked and escaped when the
 * challenge is built (CR, LF and every other control character refused with a
 * ConfigError, `"` and `\` escaped), so no input can split or inject a header. Parameter
 * names are tokens and appear once each (case-insensitively).
 *
 * @example
 * ```ts
 * challenge('Bearer', { realm: 'notes-api', error: 'invalid_token' });
 * // 'Bearer realm="notes-api", error="invalid_token"'
 * challenge('Bearer', { realm: 'notes-api', error: 'insufficient_scope', scope: 'notes:write' });
 * ```
 */
export function challenge(
  scheme: string,
  params: Readonly<Record<string, string>> = {},
  options: ChallengeOptions = {},
): string {
  if (!isToken(scheme)) throw new ConfigError('challenge.scheme', 'must be an RFC 9110 token (for example "Bearer")');
  const style = options.style ?? 'quoted';
  if (style !== 'quoted' && style !== 'minimal') throw new ConfigError('style', 'expected "quoted" or "minimal"');
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!isToken(name)) throw new ConfigError(`challenge.${name}`, 'a parameter name must be an RFC 9110 token');
    const key = name.toLowerCase();
    if (seen.has(key)) throw new ConfigError(`challenge.${name}`, 'a parameter appears once per challenge');
    seen.add(key);
    if (typeof value !== 'string') throw new ConfigError(`challenge.${name}`, 'expected a string');
    checkValue(name, value);
    const bare = style === 'minimal' && key !== 'realm' && isToken(value);
    parts.push(`${name}=${bare ? value : quote(value)}`);
  }
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}
