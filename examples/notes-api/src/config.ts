import { ConfigError, parseDuration, type TrustProxy } from '@bulwark/core';

/** The realm of every `WWW-Authenticate: Bearer` challenge. */
export const REALM = 'notes-api';

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The algorithms the demo generates keys for (JWT_ALG). Keys from SIGNING_KEYS_FILE keep their own. */
export const JWT_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface DemoConfig {
  readonly framework: Framework;
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  /** From TRUST_PROXY: unset or `false` trusts no proxy; a number is a hop count; else a comma-separated CIDR list. */
  readonly trustProxy: TrustProxy;
  /** From REDIS_URL: when set, every store the demo uses is Redis. */
  readonly redisUrl: string | undefined;
  /** From DATABASE_URL: when set, the users (and, with @bulwark/postgres, the durable records) are in PostgreSQL. */
  readonly databaseUrl: string | undefined;
  /** From ISSUER: the `iss` of every token. Default `http://HOST:PORT`. */
  readonly issuer: string;
  /** From JWT_ALG: the algorithm of generated signing keys. */
  readonly jwtAlg: JwtAlgorithm;
  /** From SIGNING_KEYS_FILE: a JWK Set of private keys to sign with (the first) and verify with (all). */
  readonly signingKeysFile: string | undefined;
  /** From KEY_ENCRYPTION_KEY (32 bytes, base64url): seals private keys in a shared store. Required with REDIS_URL. */
  readonly keyEncryptionKey: Uint8Array | undefined;
  /** From REFRESH_GRACE, in ms: the window in which the previous refresh token may be retried (0 to 60 s). */
  readonly refreshGraceMs: number;
}

function readTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value.trim())) return { hops: Number(value.trim()) };
  const cidrs = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (cidrs.length === 0)
    throw new ConfigError('TRUST_PROXY', 'expected false, a hop count or a comma-separated CIDR list');
  return { cidrs };
}

/** RFC 4648 §5 without padding, canonical: what `KEY_ENCRYPTION_KEY` must be. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function readKeyEncryptionKey(value: string | undefined, shared: string | undefined): Uint8Array | undefined {
  const text = value?.trim() || undefined;
  if (text === undefined) {
    if (shared !== undefined) {
      throw new ConfigError(
        'KEY_ENCRYPTION_KEY',
        `is required with ${shared}: private signing keys are stored there sealed under it (32 random bytes, base64url; e.g. \`openssl rand 32 | basenc --base64url | tr -d =\`)`,
      );
    }
    return undefined;
  }
  const bytes = BASE64URL.test(text) ? Buffer.from(text, 'base64url') : undefined;
  // Re-encoding must give the same text: refuses padding, `+`/`/` and non-zero spare bits.
  if (bytes === undefined || bytes.toString('base64url') !== text || bytes.length !== 32) {
    throw new ConfigError('KEY_ENCRYPTION_KEY', 'expected 32 bytes, base64url without padding (43 characters)');
  }
  return new Uint8Array(bytes);
}

function readIssuer(value: string | undefined, host: string, port: number): string {
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const issuer = value?.trim() || `http://${shownHost}:${port}`;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('ISSUER', 'expected an absolute http(s) URL');
  }
  // RFC 8414 §2: an https URL with no query or fragment (http accepted for a local demo).
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
    throw new ConfigError('ISSUER', 'expected an http(s) URL without query or fragment');
  }
  return issuer;
}

/** Reads the demo's environment, refusing bad values instead of guessing. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): DemoConfig {
  const framework = (env.FRAMEWORK ?? 'fastify').toLowerCase();
  if (!FRAMEWORKS.includes(framework as Framework)) {
    throw new ConfigError('FRAMEWORK', `expected one of ${FRAMEWORKS.join(', ')}`);
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT', 'expected a port number');
  const host = env.HOST ?? '127.0.0.1';
  const corsOrigins = (env.CORS_ORIGINS ?? 'http://localhost:5173')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'expected redis:// or rediss://');
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL', 'expected postgres:// or postgresql://');
  const jwtAlg = env.JWT_ALG?.trim() || 'ES256';
  if (!JWT_ALGORITHMS.includes(jwtAlg as JwtAlgorithm)) {
    throw new ConfigError('JWT_ALG', `expected one of ${JWT_ALGORITHMS.join(', ')}`);
  }
  const refreshGraceMs = parseDuration(env.REFRESH_GRACE?.trim() || '10s', 'REFRESH_GRACE');
  // At most a minute (the refresh-token library's own bound): the window only covers a
  // client that lost an answer, and every second of it is a second a stolen token can race.
  if (refreshGraceMs < 0 || refreshGraceMs > 60_000) {
    throw new ConfigError('REFRESH_GRACE', 'expected a duration from 0s to 60s');
  }
  return {
    framework: framework as Framework,
    host,
    port,
    corsOrigins,
    trustProxy: readTrustProxy(env.TRUST_PROXY),
    redisUrl,
    databaseUrl,
    issuer: readIssuer(env.ISSUER, host, port),
    jwtAlg: jwtAlg as JwtAlgorithm,
    signingKeysFile: env.SIGNING_KEYS_FILE?.trim() || undefined,
    keyEncryptionKey: readKeyEncryptionKey(
      env.KEY_ENCRYPTION_KEY,
      redisUrl !== undefined ? 'REDIS_URL' : databaseUrl !== undefined ? 'DATABASE_URL' : undefined,
    ),
    refreshGraceMs,
  };
}
