import * as tokens from '@bulwark/tokens';
import {
  accessTokenVerifier,
  type RevocationStore,
  type SigningAlgorithm,
  type VerificationKey,
} from '@bulwark/tokens';
import { createVerifier } from 'fast-jwt';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { compare, compareAsync, type Result } from './harness.js';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'notes-api';

/**
 * The memory revocation store (`memoryRevocationStore`) when this checkout has it, else a
 * Map-backed store of the same contract (synchronous answers), so the bench runs on either.
 */
function memoryRevocations(): RevocationStore {
  const factory = (tokens as Record<string, unknown>).memoryRevocationStore as (() => RevocationStore) | undefined;
  if (factory !== undefined) return factory();
  const until = new Map<string, number>();
  return {
    async revoke(target) {
      until.set(`${target.kind}:${target.id}`, target.until);
    },
    isRevoked(jti, sid, now) {
      return (until.get(`jti:${jti}`) ?? 0) > now || (sid !== undefined && (until.get(`sid:${sid}`) ?? 0) > now);
    },
  };
}

async function keyOf(
  alg: SigningAlgorithm,
): Promise<{ sign: CryptoKey; verify: VerificationKey; secret?: Uint8Array }> {
  if (alg === 'HS256') {
    const secret = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const key = await globalThis.crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    return { sign: key, verify: Object.freeze({ kid: 'bench-hs256', alg, key }), secret };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { sign: privateKey, verify: Object.freeze({ kid: `bench-${alg.toLowerCase()}`, alg, key: publicKey }) };
}

/** An access token as `accessTokens` issues them (RFC 9068 claims), with jti `i`. */
function sign(key: { sign: CryptoKey; verify: VerificationKey }, i: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'notes:read notes:write', client_id: 'notes-api', sid: `session-${i}` })
    .setProtectedHeader({ alg: key.verify.alg, kid: key.verify.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`user-${i}`)
    .setJti(`jti-${i.toString().padStart(18, '0')}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key.sign);
}

/**
 * Our full, uncached verification (every pre-decode check, the header and key checks,
 * jose's signature check, the claims, a memory revocation lookup) against jose's
 * `jwtVerify` with the same key, issuer, audience, typ and alg allowlist.
 */
async function uncached(alg: SigningAlgorithm): Promise<Result> {
  const key = await keyOf(alg);
  const token = await sign(key, 1);
  const ours = accessTokenVerifier({
    keys: { key: (kid) => (kid === key.verify.kid ? key.verify : undefined) },
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [alg],
    revocations: memoryRevocations(),
    cache: false,
  });
  const options = { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] };
  const check = await ours.verify(token);
  if (!check.ok) throw new Error(`bench token refused: ${check.reason}`);
  return compareAsync(
    {
      bench: `tokens.verify.${alg === 'EdDSA' ? 'eddsa' : alg.toLowerCase()}`,
      anchor: 'jose',
      ours: () => ours.verify(token),
      theirs: () => jwtVerify(token, key.verify.key, options),
    },
    { rounds: 12, iterations: 2_000 },
  );
}

/**
 * Our verifier (cache on, memory revocations) and fast-jwt's with its cache, both having
 * seen each of the same 1,000 distinct HS256 tokens once, so every later call is a hit.
 */
async function primedCaches() {
  const key = await keyOf('HS256');
  const list = await Promise.all(Array.from({ length: 1_000 }, (_, i) => sign(key, i)));
  const ours = accessTokenVerifier({
    keys: { key: (kid) => (kid === key.verify.kid ? key.verify : undefined) },
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
    revocations: memoryRevocations(),
  });
  const theirs = createVerifier({
    key: Buffer.from(key.secret as Uint8Array),
    algorithms: ['HS256'],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: 1_000,
  });
  for (const token of list) {
    const outcome = await ours.verify(token);
    if (!outcome.ok) throw new Error(`bench token refused: ${outcome.reason}`);
    theirs(token);
  }
  return { list, ours, theirs };
}

/**
 * A cache hit (exp/nbf/iat re-checked, the memory revocation store asked) against
 * fast-jwt's verifier with its cache (which hashes each token to its cache key), over the
 * same 1,000 distinct HS256 tokens, each seen once before timing.
 */
async function cached(): Promise<Result> {
  const { list, ours, theirs } = await primedCaches();
  if (ours.verify(list[0] as string) instanceof Promise) throw new Error('a cache hit must be synchronous');
  return compare(
    {
      bench: 'tokens.verify.cached',
      anchor: 'fast-jwt',
      ours: (i) => {
        ours.verify(list[i % 1_000] as string);
      },
      theirs: (i) => {
        theirs(list[i % 1_000] as string);
      },
    },
    { rounds: 16, iterations: 50_000 },
  );
}

/**
 * `tokens.verify.cached` with a fresh string per call on both sides, as a server sees
 * them: the HTTP parser makes a new string of every `Authorization` value, so the engine
 * has no hash of it yet. Each call decodes the token's bytes (`latin1`, as Node's parser
 * does) before verifying; that copy costs both sides the same.
 */
async function cachedFresh(): Promise<Result> {
  const { list, ours, theirs } = await primedCaches();
  const bytes = list.map((token) => Buffer.from(token, 'latin1'));
  const fresh = (i: number) => (bytes[i % 1_000] as Buffer).toString('latin1');
  const hit = ours.verify(fresh(0));
  if (hit instanceof Promise || !hit.ok) throw new Error('a fresh copy of a cached token must hit, synchronously');
  return compare(
    {
      bench: 'tokens.verify.cached.fresh',
      anchor: 'fast-jwt',
      ours: (i) => {
        ours.verify(fresh(i));
      },
      theirs: (i) => {
        theirs(fresh(i));
      },
    },
    { rounds: 16, iterations: 50_000 },
  );
}

export async function tokensBench(): Promise<Result[]> {
  return [
    await uncached('ES256'),
    await uncached('EdDSA'),
    await uncached('HS256'),
    await cached(),
    await cachedFresh(),
  ];
}
