import { BulwarkError, ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import { base64url, SignJWT } from 'jose';
import { isSigningAlgorithm, KID_PATTERN } from '../keyring/algorithms.js';
import type { SigningKey, SigningKeySource } from '../keys.js';
import { keyMisfit } from './key-fit.js';
import { type ClockOption, clockOption, textOption } from './options.js';

export interface AccessTokensOptions {
  /** The signing key source: a keyring (its active key signs). */
  readonly keys: SigningKeySource;
  /** The `iss` of every token. */
  readonly issuer: string;
  /** The `aud` of every token: the resource server(s) it is for. */
  readonly audience: string | readonly string[];
  /** Token lifetime, whole seconds. Default `15m`; over `60m` is a ConfigError unless `allowLongTtl`. */
  readonly ttl?: Duration | undefined;
  readonly allowLongTtl?: boolean | undefined;
  readonly clock?: ClockOption | undefined;
}

export interface AccessTokenInput {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  /** The session this token belongs to; a new random one when absent. */
  readonly sessionId?: string | undefined;
  /** Extra claims; they may not replace a registered one (`iss`, `exp`, `scope`, ...). */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly sid: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Seconds (the `expires_in` of an OAuth token response). */
  readonly expiresIn: number;
}

export interface AccessTokenIssuer {
  issue(input: AccessTokenInput): Promise<IssuedAccessToken>;
}

const OPTION_KEYS = ['keys', 'issuer', 'audience', 'ttl', 'allowLongTtl', 'clock'] as const;
const INPUT_KEYS = ['subject', 'scopes', 'clientId', 'sessionId', 'claims'];
const MAX_TTL_MS = 60 * 60_000;
/** Claims the issuer sets itself: extra claims cannot replace them. */
const REGISTERED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'scope',
  'client_id',
  'sid',
  'cnf',
  'act',
]);
/** RFC 6749 section 3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** What a `sid` given by the caller may be: it ends up in revocation keys and events. */
const SESSION_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** 128 random bits, base64url (22 characters). */
export const randomId = (): string => base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));

const invalid = (message: string): BulwarkError => new BulwarkError('invalid_argument', message);

function checkedInput(input: AccessTokenInput): AccessTokenInput {
  try {
    checkOptions(input, INPUT_KEYS, 'issue');
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const { subject, scopes, clientId, sessionId, claims } = input;
  if (typeof subject !== 'string' || subject.length === 0) throw invalid('issue: subject must be a non-empty string');
  if (typeof clientId !== 'string' || clientId.length === 0)
    throw invalid('issue: clientId must be a non-empty string');
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
    throw invalid('issue: scopes must be RFC 6749 scope tokens (no spaces, quotes or backslashes)');
  }
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
    throw invalid('issue: sessionId must be 1 to 128 characters of [A-Za-z0-9._~-]');
  }
  if (claims !== undefined) {
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw invalid('issue: claims must be an object');
    for (const name of Object.keys(claims)) {
      if (REGISTERED.has(name)) throw invalid(`issue: claims may not set "${name}" (the issuer sets it)`);
    }
  }
  return input;
}

function checkedSigningKey(key: SigningKey): SigningKey {
  if (typeof key !== 'object' || key === null || !isSigningAlgorithm(key.alg)) {
    throw new ConfigError('keys', 'the signing key has no supported alg');
  }
  if (typeof key.kid !== 'string' || !KID_PATTERN.test(key.kid)) {
    throw new ConfigError('keys', 'the signing key kid must be 1 to 128 characters of [A-Za-z0-9._-]');
  }
  if (keyMisfit(key, 'keys', 'sign') !== undefined) {
    throw new ConfigError('keys', `the signing key of kid "${key.kid}" does not fit its alg ${key.alg}`);
  }
  return key;
}

/**
 * Issues RFC 9068 access tokens: header `{ alg, kid, typ: "at+jwt" }` from the signing
 * key (the keyring's active key), claims `iss`, `sub`, `aud`, `exp`, `iat`, `jti` (128
 * random bits), `sid` (the session; a new random one when none is given), `client_id` and
 * `scope` (space-joined). Signed by jose. An HMAC signing key shorter than its hash output
 * is a ConfigError at the first issue.
 *
 * @example
 * ```ts
 * import { accessTokens, keyring } from '@bulwark/tokens';
 *
 * const keys = keyring({ algorithm: 'ES256' });
 * const tokens = accessTokens({ keys, issuer: 'https://auth.example.com', audience: 'notes-api' });
 * const { token, expiresIn, sid } = await tokens.issue({
 *   subject: 'user-42',
 *   scopes: ['notes:read', 'notes:write'],
 *   clientId: 'notes-api',
 * });
 * ```
 */
export function accessTokens(options: AccessTokensOptions): AccessTokenIssuer {
  checkOptions(options, OPTION_KEYS);
  const { keys, allowLongTtl = false } = options;
  if (typeof keys !== 'object' || keys === null || typeof keys.signingKey !== 'function') {
    throw new ConfigError('keys', 'expected a SigningKeySource (a keyring)');
  }
  const issuer = textOption(options.issuer, 'issuer');
  const audience = options.audience;
  if (Array.isArray(audience)) {
    if (audience.length === 0) throw new ConfigError('audience', 'expected at least one audience');
    audience.forEach((a, i) => {
      textOption(a, `audience[${i}]`);
    });
  } else {
    textOption(audience, 'audience');
  }
  const aud: string | string[] = Array.isArray(audience) ? [...(audience as readonly string[])] : (audience as string);
  if (typeof allowLongTtl !== 'boolean') throw new ConfigError('allowLongTtl', 'expected a boolean');
  const ttlMs = parseDuration(options.ttl ?? '15m', 'ttl');
  if (ttlMs < 1000 || ttlMs % 1000 !== 0) throw new ConfigError('ttl', 'expected whole seconds, at least 1s');
  if (ttlMs > MAX_TTL_MS && !allowLongTtl) {
    throw new ConfigError('ttl', 'over 60m: a stolen token lives that long; set allowLongTtl: true if you mean it');
  }
  const ttlSeconds = ttlMs / 1000;
  const now = clockOption(options.clock);

  return Object.freeze({
    async issue(input: AccessTokenInput): Promise<IssuedAccessToken> {
      const { subject, scopes, clientId, sessionId, claims } = checkedInput(input);
      const key = checkedSigningKey(await keys.signingKey());
      const iat = Math.floor(now() / 1000);
      const exp = iat + ttlSeconds;
      const jti = randomId();
      const sid = sessionId ?? randomId();
      const token = await new SignJWT({
        ...claims,
        iss: issuer,
        sub: subject,
        aud,
        exp,
        iat,
        jti,
        sid,
        client_id: clientId,
        scope: scopes.join(' '),
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .sign(key.key);
      return Object.freeze({ token, jti, sid, expiresAt: exp * 1000, expiresIn: ttlSeconds });
    },
  });
}
