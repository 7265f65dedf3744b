import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { purposeKey } from '../auth/secrets.js';

/** The authorization request's parameters the sign-in form carries, as the client sent them. */
export const REQUEST_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];
export type RequestFields = Partial<Record<RequestField, string>>;

/** The cookie that binds a sign-in form to the browser it was served to. */
export const SIGNIN_COOKIE = 'notes_signin';
/** How long a sign-in form may be posted after it was served. */
export const SIGNIN_TTL_MS = 10 * 60_000;

/** 32 random bytes, base64url: a browser's nonce. */
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const TOKEN = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export interface SigninCsrf {
  /** The browser's nonce: the one its cookie already holds, or a new one. */
  nonce(fromCookie: string | undefined): { value: string; fresh: boolean };
  /** The hidden `csrf` field: an expiry and an HMAC over it, the nonce and the request's parameters. */
  sign(nonce: string, fields: RequestFields, now: number): string;
  /** True when `token` was made by {@link sign} for this nonce and these parameters, and has not expired. */
  verify(token: string | undefined, nonce: string | undefined, fields: RequestFields, now: number): boolean;
}

/**
 * The sign-in form's CSRF defence, a signed double-submit token (OWASP): the form's hidden
 * `csrf` field is an HMAC, under a server key, of the form's expiry, the request's
 * parameters and a random nonce kept in an `HttpOnly`, `SameSite=Strict` cookie. A forged
 * cross-site post carries neither the cookie nor a token for it, and a token cannot be
 * moved to other parameters (another redirect URI or challenge). The key comes from
 * KEY_ENCRYPTION_KEY when set (HKDF), so every process sharing it accepts each other's
 * forms; else it is random per process.
 */
export function signinCsrf(keyEncryptionKey: Uint8Array | undefined): SigninCsrf {
  const key = purposeKey(keyEncryptionKey, 'notes-api sign-in form csrf v1');
  const mac = (expires: number, nonce: string, fields: RequestFields) =>
    createHmac('sha256', key)
      .update(JSON.stringify([expires, nonce, REQUEST_FIELDS.map((name) => fields[name] ?? null)]))
      .digest();
  return {
    nonce(fromCookie) {
      return fromCookie !== undefined && NONCE.test(fromCookie)
        ? { value: fromCookie, fresh: false }
        : { value: randomBytes(32).toString('base64url'), fresh: true };
    },
    sign(nonce, fields, now) {
      const expires = now + SIGNIN_TTL_MS;
      return `${expires}.${mac(expires, nonce, fields).toString('base64url')}`;
    },
    verify(token, nonce, fields, now) {
      const match = token === undefined ? null : TOKEN.exec(token);
      if (match === null || nonce === undefined || !NONCE.test(nonce)) return false;
      const expires = Number(match[1]);
      if (expires < now) return false;
      const sent = Buffer.from(match[2] as string, 'base64url');
      // Canonical only: base64url's spare bits would otherwise give one token several spellings.
      if (sent.toString('base64url') !== match[2]) return false;
      return timingSafeEqual(sent, mac(expires, nonce, fields));
    },
  };
}
