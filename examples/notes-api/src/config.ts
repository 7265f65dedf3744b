import { ConfigError, type TrustProxy } from '@bulwark/core';

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface DemoConfig {
  readonly framework: Framework;
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  /** From TRUST_PROXY: unset or `false` trusts no proxy; a number is a hop count; else a comma-separated CIDR list. */
  readonly trustProxy: TrustProxy;
  /** From REDIS_URL: when set, every store the demo uses is Redis. */
  readonly redisUrl: string | undefined;
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

/** Reads the demo's environment, refusing bad values instead of guessing. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): DemoConfig {
  const framework = (env.FRAMEWORK ?? 'fastify').toLowerCase();
  if (!FRAMEWORKS.includes(framework as Framework)) {
    throw new ConfigError('FRAMEWORK', `expected one of ${FRAMEWORKS.join(', ')}`);
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT', 'expected a port number');
  const corsOrigins = (env.CORS_ORIGINS ?? 'http://localhost:5173')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'expected redis:// or rediss://');
  return {
    framework: framework as Framework,
    host: env.HOST ?? '127.0.0.1',
    port,
    corsOrigins,
    trustProxy: readTrustProxy(env.TRUST_PROXY),
    redisUrl,
  };
}
