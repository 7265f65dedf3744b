import { SIGNING_ALGORITHMS } from '@bulwark/tokens';

/** One thing the strict verifier would refuse, or that weakens the token. */
export interface TokenProblem {
  readonly where: 'token' | 'header' | 'payload';
  readonly problem: string;
}

export interface InspectOptions {
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Default 8192, as the verifier's `maxTokenBytes`. */
  readonly maxBytes?: number;
  /** Default 5 s, as the verifier's `clockTolerance`. */
  readonly leeway?: number;
}

const CANONICAL = /^[A-Za-z0-9_-]*$/;

/** The part decoded, with whether its base64url is the one canonical spelling (no padding, `+/`, spare bits). */
function decode(part: string): { json: unknown; text: string; canonical: boolean } | undefined {
  if (!CANONICAL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  const text = bytes.toString('utf8');
  try {
    return { json: JSON.parse(text), text, canonical: bytes.toString('base64url') === part };
  } catch {
    return undefined;
  }
}

/** Member names that occur twice at the top level of a JSON object text (JSON.parse keeps the last, silently). */
export function duplicateMembers(text: string): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  let depth = 0;
  const pattern = /"(?:[^"\\]|\\.)*"|[{}[\]]|:/g;
  let previous: string | undefined;
  for (const match of text.matchAll(pattern)) {
    const token = match[0];
    if (token === '{' || token === '[') depth += 1;
    else if (token === '}' || token === ']') depth -= 1;
    else if (token === ':' && depth === 1 && previous?.startsWith('"')) {
      const name = JSON.parse(previous) as string;
      if (seen.has(name)) twice.add(name);
      seen.add(name);
    }
    previous = token;
  }
  return [...twice];
}

/**
 * Every problem the strict RFC 9068 verifier of @bulwark/tokens would find in `token`, offline
 * (the signature needs keys: see `--jwks`), listed all at once rather than the first.
 */
export function tokenProblems(token: string, options: InspectOptions): TokenProblem[] {
  const problems: TokenProblem[] = [];
  const add = (where: TokenProblem['where'], problem: string) => problems.push({ where, problem });
  const max = options.maxBytes ?? 8192;
  const leeway = options.leeway ?? 5;
  if (Buffer.byteLength(token) > max)
    add('token', `longer than ${max} bytes (${Buffer.byteLength(token)}): refused before decoding`);
  const parts = token.split('.');
  if (parts.length !== 3) {
    add('token', `${parts.length} parts, not a compact JWS (3)`);
    return problems;
  }
  const [h = '', p = '', s = ''] = parts;
  const header = decode(h);
  const payload = decode(p);
  if (header === undefined || typeof header.json !== 'object' || header.json === null)
    add('header', 'not base64url JSON object');
  if (payload === undefined || typeof payload.json !== 'object' || payload.json === null)
    add('payload', 'not base64url JSON object');
  if (!CANONICAL.test(s) || Buffer.from(s, 'base64url').toString('base64url') !== s)
    add('token', 'the signature is not canonical base64url');
  if (s === '') add('token', 'no signature');
  if (header === undefined || payload === undefined) return problems;
  if (!header.canonical) add('header', 'non-canonical base64url (one token, several spellings)');
  if (!payload.canonical) add('payload', 'non-canonical base64url (one token, several spellings)');
  for (const name of duplicateMembers(header.text)) add('header', `"${name}" appears twice`);
  for (const name of duplicateMembers(payload.text)) add('payload', `"${name}" appears twice`);
  const hd = header.json as Record<string, unknown>;
  const pl = payload.json as Record<string, unknown>;
  if (typeof hd.alg !== 'string' || !SIGNING_ALGORITHMS.includes(hd.alg as never)) {
    add('header', `alg ${JSON.stringify(hd.alg)} is not one Bulwark verifies (${SIGNING_ALGORITHMS.join(', ')})`);
  }
  if (typeof hd.typ !== 'string' || !/^(?:application\/)?at\+jwt$/i.test(hd.typ))
    add('header', `typ ${JSON.stringify(hd.typ)} is not at+jwt (RFC 9068)`);
  if (typeof hd.kid !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(hd.kid))
    add('header', 'no kid of at most 128 [A-Za-z0-9._-]');
  for (const name of ['jku', 'x5u', 'jwk', 'x5c'])
    if (name in hd) add('header', `${name} present: a key from the token is never trusted`);
  if ('crit' in hd) add('header', 'crit present: no extension is understood');
  if ('b64' in hd) add('header', 'b64 present (RFC 7797 unencoded payloads are refused)');
  const now = options.now;
  if (typeof pl.exp !== 'number') add('payload', 'no numeric exp');
  else if (pl.exp + leeway <= now) add('payload', `expired at ${new Date(pl.exp * 1000).toISOString()}`);
  if (typeof pl.iat !== 'number') add('payload', 'no numeric iat');
  else if (pl.iat - leeway > now) add('payload', `iat in the future (${new Date(pl.iat * 1000).toISOString()})`);
  if (typeof pl.nbf === 'number' && pl.nbf - leeway > now)
    add('payload', `not valid before ${new Date(pl.nbf * 1000).toISOString()}`);
  if (typeof pl.iss !== 'string') add('payload', 'no iss string');
  else if (options.issuer !== undefined && pl.iss !== options.issuer)
    add('payload', `iss ${pl.iss} is not ${options.issuer}`);
  const aud = Array.isArray(pl.aud) ? pl.aud : typeof pl.aud === 'string' ? [pl.aud] : undefined;
  if (aud === undefined) add('payload', 'no aud');
  else if (options.audience !== undefined && !aud.includes(options.audience))
    add('payload', `aud ${JSON.stringify(pl.aud)} does not name ${options.audience}`);
  for (const name of ['sub', 'jti', 'client_id'])
    if (typeof pl[name] !== 'string') add('payload', `no ${name} (RFC 9068 requires it)`);
  return problems;
}
