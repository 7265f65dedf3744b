import type { Clock, EventSink } from '@bulwark/core';
import type { RateLimitStore } from '@bulwark/ratelimit';
import { redisRateLimitStore } from '@bulwark/redis';
import { Redis } from 'ioredis';
import { startExpress } from './apps/express.js';
import { startFastify } from './apps/fastify.js';
import { startHono } from './apps/hono.js';
import { startKoa } from './apps/koa.js';
import type { Listening, StartApp } from './apps/types.js';
import type { DemoConfig, Framework } from './config.js';
import { NoteStore, noteHandlers } from './domain/notes.js';
import { demoPolicies } from './policies.js';
import { demoRoutes } from './routes.js';
import { demoValidators } from './validators.js';

const STARTERS: Record<Framework, StartApp> = {
  express: startExpress,
  fastify: startFastify,
  koa: startKoa,
  hono: startHono,
};

export interface DemoOptions extends DemoConfig {
  readonly onEvent?: EventSink;
  readonly onError?: (err: unknown) => void;
  /**
   * The clock of the in-memory rate limits and of the notes' `createdAt` (tests stop it;
   * with Redis, Redis TIME decides the limits). Default: the system clock.
   */
  readonly clock?: Clock;
}

export interface RunningDemo extends Listening {
  /** `memory`, or `redis` when REDIS_URL is set. */
  readonly store: string;
}

/** Starts the notes API on one framework: the same policies, the same handlers. */
/** The notes' `createdAt` from the demo's clock, so that a stopped clock stops it too. */
function noteClock(clock: Clock | undefined): (() => Date) | undefined {
  return clock === undefined ? undefined : () => new Date(clock.now());
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  let store: RateLimitStore | undefined;
  let redis: Redis | undefined;
  if (options.redisUrl !== undefined) {
    // Fail fast while disconnected: a command queued offline would run after its request
    // was already answered by the fallback, and count twice.
    redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    store = redisRateLimitStore(redis);
    // Serve once connected; if Redis is unreachable, start anyway on the per-process
    // fallback (every fallback use emits a ratelimit.fallback event).
    const client = redis;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const onEvent = options.onEvent;
  const policies = demoPolicies({
    corsOrigins: options.corsOrigins,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(onEvent ? { onEvent } : {}),
    ...(store ? { store } : {}),
  });
  const server = await STARTERS[options.framework](
    {
      policies,
      // The header profile: also on answers to requests refused before the framework.
      profile: policies.filter((policy) => policy.name === 'security-headers'),
      clientIp: { trustProxy: options.trustProxy },
      routes: demoRoutes(noteHandlers(new NoteStore(), noteClock(options.clock)), demoValidators(onEvent)),
      ...(onEvent ? { onEvent } : {}),
      onError: options.onError ?? ((err) => console.error('[notes-api] unhandled error', err)),
    },
    options.host,
    options.port,
  );
  return {
    url: server.url,
    store: redis ? 'redis' : 'memory',
    close: async () => {
      await server.close();
      redis?.disconnect();
    },
  };
}
