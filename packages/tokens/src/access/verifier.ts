import {
  type AuthFailureReason,
  ConfigError,
  checkOptions,
  type Duration,
  type EventSink,
  emitEvent,
  parseDuration,
} from '@bulwark/core';
import { errors, flattenedVerify } from 'jose';
import type { SigningAlgorithm, VerificationKey, VerificationKeySource } from '../keys.js';
import type { RevocationStore } from '../revocation.js';
import { isCanonical } from './base64url.js';
import { type CacheEntry, ENTRY_OVERHEAD_BYTES } from './cache.js';
import { checkClaims, scopesOf, timeProblem } from './claims.js';
import { type CompactSplit, type DecodedPart, decodePart, parseCompact, splitCompact } from './compact.js';
import { impossibleEcdsaSignature } from './ecdsa.js';
import { type CheckedHeader, checkHeader } from './header.js';
import { keyMisfit } from './key-fit.js';
import { type ClockOption, clockOption, integerOption, textOption } from './options.js';
import { failure, type VerifiedOutcome, type VerifyOutcome, verifiedOutcome } from './outcome.js';
import { algorithmsOption, cacheOption } from './verifier-options.js';

export interface AccessTokenVerifierOptions {
  /** Where keys are found by `kid`: a keyring, a `remoteJwks(...)`, or your own source. */
  readonly keys: VerificationKeySource;
  /** The only accepted `iss`. */
  readonly issuer: string;
  /** The audience this API is: `aud` must be it or contain it. */
  readonly audience: string;
  /** The accepted algorithms, required: a token's `alg` must be in it and be its key's own alg. */
  readonly algorithms: readonly SigningAlgorithm[];
  /** Allowed clock skew for `exp`, `nbf` and `iat`. Default `5s`, at most `60s`. */
  readonly clockTolerance?: Duration | undefined;
  /** Tokens longer than this are refused before anything is decoded. Default 8192. */
  readonly maxTokenBytes?: number | undefined;
  /** Consulted on every verification, cache hits included. */
  readonly revocations?: RevocationStore | undefined;
  /** The verified-token cache (on by default), or `false`. Defaults: 10,000 entries, 16 MiB. */
  readonly cache?:
    | false
    | { readonly maxEntries?: number | undefined; readonly maxBytes?: number | undefined }
    | undefined;
  readonly clock?: ClockOption | undefined;
  /** `config.warning` when the key source hands out an unusable key. */
  readonly onEvent?: EventSink | undefined;
}

/** A strict RFC 9068 access-token verifier. */
export interface AccessTokenVerifier {
  /** Never throws for a bad token (only for a misconfigured key); synchronous on a cache hit answered by a synchronous revocation store. */
  verify(token: string): VerifyOutcome | Promise<VerifyOutcome>;
  /**
   * `true` only when exactly this string passed every check before and is still in the
   * verified-token cache (always `false` with `cache: false`). Such a string is a canonical
   * JWS compact serialisation, so well-formed; whether it is still valid (expiry,
   * revocation) only `verify` says. `jwtAuthenticator` hands it to the authentication
   * policy, which then skips its `Authorization` grammar scan. Optional for verifiers
   * written by hand; `accessTokenVerifier` always has it.
   */
  verifiedBefore?(token: string): boolean;
}

const OPTION_KEYS = [
  'keys',
  'issuer',
  'audience',
  'algorithms',
  'clockTolerance',
  'maxTokenBytes',
  'revocations',
  'cache',
  'clock',
  'onEvent',
] as const;

export const MAX_CLOCK_TOLERANCE_MS = 60_000;
/** Distinct header parts remembered per verifier (one per signing key in practice). */
const MAX_CACHED_HEADERS = 64;

/** The payload part of a split token, decoded. */
function decodedPayload(token: string, split: CompactSplit): DecodedPart {
  return decodePart(token.slice(split.first + 1, split.second));
}

/** Why the payload part would be refused (`encoding`, `malformed`), or `undefined` when it would not. */
function payloadReason(token: string, split: CompactSplit): 'encoding' | 'malformed' | undefined {
  const decoded = decodedPayload(token, split);
  return typeof decoded === 'string' ? decoded : undefined;
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/** Why jose refused a token whose header and key we had already checked. */
function joseReason(error: unknown): AuthFailureReason {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  // A key jose will not use for this alg (an RSA modulus under 2048 bits, a key type it refuses).
  if (error instanceof TypeError || error instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  return 'malformed';
}

/**
 * A strict verifier of RFC 9068 access tokens (JWS compact, verified by jose). By default it
 * refuses every class of THREATS.md's Tokens section; each failure is answered as a reason
 * of core's `AuthFailureReason`, never thrown:
 * - before anything is decoded: a token over `maxTokenBytes` (`too_large`); not three parts
 *   (`malformed`); any part not canonical base64url (`encoding`); a header or payload that
 *   is not a JSON object in UTF-8, or has a member twice at any depth (`malformed`);
 * - the header: `alg` missing, `none` or not allowed, and (once the key is found) not the
 *   key's own alg (`algorithm`); `typ` not `at+jwt` (`type`); any `crit` or `b64`, a `kid`
 *   missing or outside `[A-Za-z0-9._-]{1,128}` (`header`); `jku`, `x5u`, `jwk` and `x5c`
 *   are never read;
 * - the key: none for the kid (`unknown_key`); material that does not fit its alg, such as
 *   raw bytes or an RSA public key offered for HS256 (`algorithm`); an HMAC secret shorter
 *   than its hash output throws a `ConfigError` (the key is misconfigured, not the token);
 * - the signature: ECDSA r = 0 or s = 0 or not of the curve's size, or refused by jose
 *   (`signature`);
 * - the claims: `iss`, `sub`, `aud`, `exp`, `iat` or `jti` missing or of another JSON type,
 *   `scope`, `client_id`, `sid`, `nbf` of another type, a `jti` or `sid` over 256 characters
 *   (no revocation store could hold it) (`claims`); `iss` not the issuer
 *   (`issuer`); `aud` without the audience (`audience`); `exp` passed (`expired`), `nbf`
 *   ahead (`not_yet_valid`), `iat` ahead (`issued_in_future`), each beyond
 *   `clockTolerance`;
 * - revocation: the `jti` or the `sid` revoked (`revoked`); the store failing
 *   (`store_unavailable`, never a success).
 *
 * Verified tokens are cached (see `VerifiedTokenCache`: keyed by the exact token string,
 * sound because of the canonical-encoding check); a hit re-checks `exp`, `nbf` and `iat`
 * and asks the revocation store again, and is answered synchronously when the store
 * answers synchronously.
 *
 * @example
 * ```ts
 * import { accessTokenVerifier, jwtAuthenticator, keyring } from '@bulwark/tokens';
 *
 * const keys = keyring({ algorithm: 'ES256' });
 * const verifier = accessTokenVerifier({
 *   keys,
 *   issuer: 'https://auth.example.com',
 *   audience: 'notes-api',
 *   algorithms: ['ES256'],
 * });
 * const outcome = await verifier.verify('eyJ...');
 * if (outcome.ok) console.log(outcome.principal.subject, outcome.claims.scope);
 * const authenticator = jwtAuthenticator(verifier); // for authenticationPolicy([...])
 * ```
 */
export function accessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  checkOptions(options, OPTION_KEYS);
  const keys = options.keys;
  if (typeof keys !== 'object' || keys === null || typeof keys.key !== 'function') {
    throw new ConfigError(
      'keys',
      'expected a VerificationKeySource (a keyring, remoteJwks(...), or an object with key(kid))',
    );
  }
  const issuer = textOption(options.issuer, 'issuer');
  const audience = textOption(options.audience, 'audience');
  const allowed = algorithmsOption(options.algorithms);
  const toleranceMs = parseDuration(options.clockTolerance ?? 5_000, 'clockTolerance');
  if (toleranceMs > MAX_CLOCK_TOLERANCE_MS) {
    throw new ConfigError('clockTolerance', 'at most 60s: a larger skew keeps expired tokens alive');
  }
  const maxTokenBytes = integerOption(options.maxTokenBytes, 'maxTokenBytes', 8192, 256, 65_536);
  const revocations = options.revocations;
  if (revocations !== undefined && (typeof revocations !== 'object' || typeof revocations?.isRevoked !== 'function')) {
    throw new ConfigError('revocations', 'expected a RevocationStore');
  }
  const cache = cacheOption(options.cache);
  const now = clockOption(options.clock);
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function') throw new ConfigError('onEvent', 'expected a function');
  const expected = { issuer, audience, toleranceMs };
  const headers = new Map<string, CheckedHeader>();

  /** The revocation answer for a verified token: `outcome`, `revoked`, or `store_unavailable`. */
  function revocationOf(
    jti: string,
    sid: string | undefined,
    at: number,
    outcome: VerifiedOutcome,
    onRevoked: (() => void) | undefined,
    onValid: (() => void) | undefined,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    if (revocations === undefined) {
      onValid?.();
      return outcome;
    }
    const settle = (revoked: boolean): VerifyOutcome => {
      if (revoked === false) {
        onValid?.();
        return outcome;
      }
      onRevoked?.();
      // Anything but an explicit `false` is no proof the token is live.
      return failure(revoked === true ? 'revoked' : 'store_unavailable');
    };
    let answer: boolean | Promise<boolean>;
    try {
      answer = revocations.isRevoked(jti, sid, at);
    } catch {
      return failure('store_unavailable');
    }
    if (isPromise(answer)) return answer.then(settle, () => failure('store_unavailable'));
    return settle(answer);
  }

  function hit(token: string, entry: CacheEntry): VerifyOutcome | Promise<VerifyOutcome> {
    const at = now();
    const problem = timeProblem(entry.expMs, entry.iatMs, entry.nbfMs, at, toleranceMs);
    if (problem !== undefined) {
      if (problem === 'expired') cache?.delete(token);
      return failure(problem);
    }
    return revocationOf(entry.jti, entry.sid, at, entry.outcome, () => cache?.delete(token), undefined);
  }

  function usableKey(key: VerificationKey | undefined, header: CheckedHeader): AuthFailureReason | undefined {
    if (key === undefined || key === null || key.kid !== header.kid) return 'unknown_key';
    // Each key is bound to one alg: the token's must be it (RS256 -> HS256 confusion, a
    // symmetric alg against an asymmetric key set, any alg the key was not made for).
    if (key.alg !== header.alg || !allowed.has(key.alg)) return 'algorithm';
    try {
      return keyMisfit(key, 'keys', 'verify');
    } catch (error) {
      if (error instanceof ConfigError) {
        emitEvent(onEvent, { type: 'config.warning', at: now(), option: 'keys', message: error.message });
      }
      throw error;
    }
  }

  /** Jose's verdict on the signature: `undefined` when it holds, else the reason (never rejects). */
  function signatureOf(token: string, split: CompactSplit, alg: SigningAlgorithm, key: VerificationKey) {
    return flattenedVerify(
      {
        protected: token.slice(0, split.first),
        payload: token.slice(split.first + 1, split.second),
        signature: token.slice(split.second + 1),
      },
      key.key,
      { algorithms: [alg] },
    ).then(
      () => undefined,
      (error: unknown) => joseReason(error),
    );
  }

  async function withKey(
    token: string,
    split: CompactSplit,
    header: CheckedHeader,
    key: VerificationKey | undefined,
  ): Promise<VerifyOutcome> {
    let unusable: AuthFailureReason | undefined;
    try {
      unusable = usableKey(key, header);
    } catch (error) {
      // parseCompact's order: a payload it would refuse is refused before the key is looked at.
      const payloadProblem = decodedPayload(token, split);
      if (typeof payloadProblem === 'string') return failure(payloadProblem);
      throw error;
    }
    if (unusable !== undefined) return failure(payloadReason(token, split) ?? unusable);
    const signature = signatureOf(token, split, header.alg, key as VerificationKey);
    // Jose awaits twice (key preparation) before it hands the signature to WebCrypto, which
    // then runs off the main thread. Yielding that long first lets the payload's decoding
    // and checks below run while WebCrypto works, instead of before it starts: the same
    // checks, in the same order of answers, at less latency. (If jose ever needs more
    // turns, the checks simply run earlier: nothing but the overlap depends on it.)
    await undefined;
    await undefined;
    const decoded = decodedPayload(token, split);
    if (typeof decoded === 'string') return failure(decoded);
    const payload = decoded.value;
    const signatureProblem = await signature;
    if (signatureProblem !== undefined) return failure(signatureProblem);
    const at = now();
    const problem = checkClaims(payload, expected, at);
    if (problem !== undefined) return failure(problem);
    const outcome = verifiedOutcome(payload, scopesOf(payload.scope as string | undefined));
    const { claims } = outcome;
    const entry: CacheEntry | undefined =
      cache === undefined
        ? undefined
        : {
            outcome,
            expMs: claims.exp * 1000,
            iatMs: claims.iat * 1000,
            nbfMs: claims.nbf === undefined ? undefined : claims.nbf * 1000,
            jti: claims.jti,
            sid: claims.sid,
            bytes: token.length + 2 * decoded.text.length + ENTRY_OVERHEAD_BYTES,
            recent: false,
          };
    // Stored only after the revocation store said "not revoked": a failure is never cached.
    return revocationOf(claims.jti, claims.sid, at, outcome, undefined, () => {
      if (entry !== undefined) cache?.set(token, entry, at);
    });
  }

  /**
   * The checked header of an encoded header part, from a small cache: every token of one
   * key has the same header bytes, and the answer depends on nothing else (the allowlist is
   * this verifier's). `undefined` when the header is refused (the slow path then finds the
   * exact reason).
   */
  function checkedHeaderOf(encodedHeader: string): CheckedHeader | undefined {
    const known = headers.get(encodedHeader);
    if (known !== undefined) return known;
    const decoded = decodePart(encodedHeader);
    if (typeof decoded === 'string') return undefined;
    const checked = checkHeader(decoded.value, allowed);
    if (typeof checked === 'string') return undefined;
    // Bounded: a flood of distinct valid-looking headers only empties it.
    if (headers.size >= MAX_CACHED_HEADERS) headers.clear();
    headers.set(encodedHeader, checked);
    return checked;
  }

  /**
   * The answer parseCompact + checkHeader give a token whose header the fast path refused:
   * the one place the order of reasons is written down, kept for the rare refused header.
   */
  function refusedHeaderReason(token: string): VerifyOutcome {
    const parsed = parseCompact(token, maxTokenBytes);
    if (!parsed.ok) return failure(parsed.reason);
    const header = checkHeader(parsed.parts.header, allowed);
    return failure(typeof header === 'string' ? header : 'header');
  }

  function verifyFully(token: string): VerifyOutcome | Promise<VerifyOutcome> {
    const split = splitCompact(token, maxTokenBytes);
    if (typeof split === 'string') return failure(split);
    const header = checkedHeaderOf(token.slice(0, split.first));
    if (header === undefined) return refusedHeaderReason(token);
    // With the header sound, parseCompact's next answers are the payload's and the
    // signature's encoding (both `encoding`), then the payload's JSON (`malformed`).
    // (The payload's alphabet and spare bits are checked here, without decoding: a
    // re-encoded copy never reaches the key source. Its UTF-8 is checked when decoded.)
    if (!isCanonical(token, split.first + 1, split.second) || !isCanonical(token, split.second + 1, token.length)) {
      return failure('encoding');
    }
    if (impossibleEcdsaSignature(header.alg, token.slice(split.second + 1))) {
      return failure(payloadReason(token, split) ?? 'signature');
    }
    let key: VerificationKey | undefined | Promise<VerificationKey | undefined>;
    try {
      key = keys.key(header.kid);
    } catch {
      return failure(payloadReason(token, split) ?? 'store_unavailable');
    }
    if (isPromise(key)) {
      return key.then(
        (found) => withKey(token, split, header, found),
        () => failure(payloadReason(token, split) ?? 'store_unavailable'),
      );
    }
    return withKey(token, split, header, key);
  }

  return Object.freeze({
    verify(token: string): VerifyOutcome | Promise<VerifyOutcome> {
      if (typeof token !== 'string') return failure('malformed');
      // The size cap comes before the cache lookup too: nothing longer can be in it anyway.
      if (token.length > maxTokenBytes) return failure('too_large');
      if (cache !== undefined) {
        const entry = cache.get(token);
        if (entry !== undefined) return hit(token, entry);
      }
      return verifyFully(token);
    },
    verifiedBefore(token: string): boolean {
      return cache !== undefined && typeof token === 'string' && cache.has(token);
    },
  });
}
