import { ConfigError } from '@bulwark/core';

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface DemoConfig {
  readonly framework: Framework;
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
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
  return { framework: framework as Framework, host: env.HOST ?? '127.0.0.1', port, corsOrigins };
}
