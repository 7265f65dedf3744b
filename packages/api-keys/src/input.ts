import { BulwarkError, type Duration, parseDuration } from '@bulwark/core';
import type { CheckedApiKeysOptions } from './options.js';
import type { ApiKeyMetadata } from './port.js';

/** RFC 6749 §3.3's scope-token: printable ASCII but space, `"` and `\`. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_METADATA_JSON = 4096;

/** A refusal of the caller's input: 422 `validation_failed` when it reaches an adapter. */
export function invalidInput(message: string): BulwarkError {
  return new BulwarkError('validation_failed', message);
}

export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new BulwarkError('invalid_argument', `${what}: expected a non-empty string of at most 256 characters`);
  }
  return value;
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200 || CONTROL.test(name)) {
    throw invalidInput('name: expected 1 to 200 characters without control characters');
  }
  return name;
}

/** The key's scopes: a subset of the owner's (default: all of them), each a scope token, no duplicates. */
/** The scopes a caller may hand out (`ownerScopes` of `create` and `rotate`): an array of strings. */
export function checkOwnerScopes(ownerScopes: unknown): readonly string[] {
  if (!Array.isArray(ownerScopes) || !ownerScopes.every((s) => typeof s === 'string')) {
    throw new BulwarkError('invalid_argument', "ownerScopes: expected the owner's scopes, an array of strings");
  }
  return ownerScopes;
}

export function checkScopes(requested: unknown, ownerScopes: unknown): readonly string[] {
  checkOwnerScopes(ownerScopes);
  const scopes = requested === undefined ? ownerScopes : requested;
  if (!Array.isArray(scopes) || scopes.length > 100)
    throw invalidInput('scopes: expected an array of at most 100 scopes');
  const owned = new Set(ownerScopes as string[]);
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE.test(scope))
      throw invalidInput('scopes: each scope is an RFC 6749 scope token');
    // Never more than the owner holds: a key is a narrowing of its owner, not an escalation.
    if (!owned.has(scope)) throw invalidInput(`scopes: "${scope}" is not one of the owner's scopes`);
    seen.add(scope);
  }
  return Object.freeze([...seen]);
}

/** The key's expiry (epoch ms), or `null` for a key that never expires (only when allowed). */
export function checkExpiry(
  expiresIn: Duration | 'never' | undefined,
  config: CheckedApiKeysOptions,
  now: number,
): number | null {
  if (expiresIn === 'never') {
    if (!config.allowNeverExpiring) {
      throw invalidInput('expiresIn: keys that never expire are not allowed (allowNeverExpiring is off)');
    }
    return null;
  }
  let ms: number;
  try {
    ms = expiresIn === undefined ? config.defaultExpiresIn : parseDuration(expiresIn, 'expiresIn');
  } catch {
    throw invalidInput('expiresIn: expected a duration');
  }
  if (ms < 1000 || ms > config.maxExpiresIn) {
    throw invalidInput(`expiresIn: expected at least 1s and at most ${config.maxExpiresIn} ms`);
  }
  return now + ms;
}

export function checkOverlap(overlap: Duration | undefined, config: CheckedApiKeysOptions): number {
  let ms: number;
  try {
    ms = overlap === undefined ? config.defaultOverlap : parseDuration(overlap, 'overlap');
  } catch {
    throw invalidInput('overlap: expected a duration (0: the old key stops at once)');
  }
  if (ms > config.maxOverlap) throw invalidInput(`overlap: expected at most ${config.maxOverlap} ms`);
  return ms;
}

export function checkMetadata(metadata: unknown): ApiKeyMetadata {
  if (metadata === undefined) return Object.freeze({});
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    Array.isArray(metadata) ||
    Object.getPrototypeOf(metadata) !== Object.prototype
  ) {
    throw invalidInput('metadata: expected a plain object');
  }
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const ok =
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw invalidInput('metadata: values are strings, finite numbers, booleans or null');
    out[key] = value as string | number | boolean | null;
  }
  if (JSON.stringify(out).length > MAX_METADATA_JSON)
    throw invalidInput(`metadata: at most ${MAX_METADATA_JSON} bytes of JSON`);
  return Object.freeze(out);
}

export interface CreditsInput {
  /** The credits the key starts with. */
  readonly remaining: number;
  /** Top the credits up to this at each `refillEvery`. Default: `remaining`. */
  readonly refillTo?: number | undefined;
  /** How often to refill. Default: never. */
  readonly refillEvery?: Duration | undefined;
}

export function checkCredits(credits: CreditsInput | undefined, now: number) {
  if (credits === undefined) return null;
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof credits !== 'object' || credits === null || !isCount(credits.remaining)) {
    throw invalidInput('credits.remaining: expected a non-negative integer');
  }
  const refillTo = credits.refillTo ?? credits.remaining;
  if (!isCount(refillTo)) throw invalidInput('credits.refillTo: expected a non-negative integer');
  let refillEvery = 0;
  if (credits.refillEvery !== undefined) {
    try {
      refillEvery = parseDuration(credits.refillEvery, 'credits.refillEvery');
    } catch {
      throw invalidInput('credits.refillEvery: expected a duration');
    }
    if (refillEvery < 1000) throw invalidInput('credits.refillEvery: expected at least 1s');
  }
  return Object.freeze({ remaining: credits.remaining, refillTo, refillEvery, refilledAt: now });
}
