import { type ApiKeyStore, apiKeyAuthenticator } from '@bulwark/api-keys';
import { type Clock, type EventSink, spikeDetector, teeSink } from '@bulwark/core';
import { type PasswordHasher, passwordHasher } from '@bulwark/passwords/node';
import { migrate, postgresRateLimitStore } from '@bulwark/postgres';
import type { RateLimitStore } from '@bulwark/ratelimit';
import { redisRateLimitStore } from '@bulwark/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { EventLog } from './admin/event-log.js';
import { startExpress } from './apps/express.js';
import { startFastify } from './apps/fastify.js';
import { startHono } from './apps/hono.js';
import { startKoa } from './apps/koa.js';
import type { Listening, StartApp } from './apps/types.js';
import { demoApiKeys } from './auth/api-keys.js';
import { authHandlers } from './auth/handlers.js';
import { demoLockout } from './auth/signin.js';
import { demoTokens } from './auth/tokens.js';
import { type DemoConfig, type Framework, REALM } from './config.js';
import { apiKeyHandlers } from './domain/api-keys.js';
import { directoryHandlers } from './domain/directory.js';
import { NoteStore, noteHandlers } from './domain/notes.js';
import { pgUserDirectory } from './domain/pg-users.js';
import { sharedUserIds, type UserDirectory, UserStore } from './domain/users.js';
import { signinCsrf } from './oauth/csrf.js';
import { oauthHandlers } from './oauth/handlers.js';
import { demoAuthorizationServer } from './oauth/server.js';
import { clientLimits, demoPolicies, principalLimits } from './policies.js';
import { demoRoutes } from './routes.js';
import { demoValidators } from './validators.js';

const STARTERS: Record<Framework, StartApp> = {
  express: startExpress,
  fastify: startFastify,
  koa: startKoa,
  hono: startHono,
};

export { REALM } from './config.js';

export interface DemoOptions extends DemoConfig {
  readonly onEvent?: EventSink;
  readonly onError?: (err: unknown) => void;
  /**
   * The clock of the in-memory rate limits and lockout and of the notes' `createdAt` (tests
   * stop it; with Redis, Redis TIME decides the limits and locks). Tokens keep the system clock. Default: the system clock.
   */
  readonly clock?: Clock;
  /** The password hasher (tests share one). Default: `passwordHasher()` of `@bulwark/passwords/node`. */
  readonly hasher?: PasswordHasher;
  /** Where API keys live (tests watch the calls). Default: Redis with REDIS_URL, else memory. */
  readonly apiKeyStore?: ApiKeyStore;
}

export interface RunningDemo extends Listening {
  /** `memory`, or `redis` when REDIS_URL is set. */
  readonly store: string;
  /** Where the users live: `memory` or `postgres` (DATABASE_URL). */
  readonly userStore: string;
  /** Where the signing keys live: `memory`, `redis` or `file`. */
  readonly keyStore: string;
}

/** The notes' `createdAt` from the demo's clock, so that a stopped clock stops it too. */
function noteClock(clock: Clock | undefined): (() => Date) | undefined {
  return clock === undefined ? undefined : () => new Date(clock.now());
}

async function connectRedis(url: string): Promise<Redis> {
  // Fail fast while disconnected: a command queued offline would run after its request
  // was already answered by the fallback, and count twice.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  // Serve once connected; if Redis is unreachable, start anyway: the rate limits fall back
  // to per-process counting (every fallback use emits a ratelimit.fallback event).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

/** Starts the notes API on one framework: the same policies, the same handlers. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const redis = options.redisUrl === undefined ? undefined : await connectRedis(options.redisUrl);
  // Bounded: a request waits at most 5 s for a connection and a statement runs at most 5 s.
  const database =
    options.databaseUrl === undefined
      ? undefined
      : new pg.Pool({
          connectionString: options.databaseUrl,
          max: 10,
          connectionTimeoutMillis: 5000,
          statement_timeout: 5000,
        });
  database?.on('error', () => {});
  try {
    return await startWith(options, redis, database);
  } catch (error) {
    redis?.disconnect();
    await database?.end();
    throw error;
  }
}

/** The users: PostgreSQL with DATABASE_URL, else memory (with ids shared through Redis when REDIS_URL is set). */
async function demoUsers(
  options: DemoOptions,
  hasher: PasswordHasher,
  redis: Redis | undefined,
  database: pg.Pool | undefined,
): Promise<UserDirectory> {
  if (database !== undefined) return pgUserDirectory(database, hasher);
  return UserStore.seed(hasher, new Date(options.clock?.now() ?? Date.now()), redis ? sharedUserIds(redis) : undefined);
}

async function startWith(
  options: DemoOptions,
  redis: Redis | undefined,
  database: pg.Pool | undefined,
): Promise<RunningDemo> {
  // Counters belong in Redis; without it, PostgreSQL shares them between processes too.
  const store: RateLimitStore | undefined = redis
    ? redisRateLimitStore(redis)
    : database
      ? postgresRateLimitStore({ pool: database })
      : undefined;
  // Every event goes to the admin log and on to the caller's sink, and through the spike
  // detector, whose `alert` events (a failure rate far above its baseline) go the same way.
  const events = new EventLog();
  const logged = events.sink(options.onEvent);
  const detector = spikeDetector({ onEvent: logged, ...(options.clock ? { clock: options.clock } : {}) });
  const onEvent = teeSink(logged, detector.sink);
  // The durable records' tables (keyring, denylist, families, codes, API keys, lockout): at
  // every start, idempotent, safe from several processes at once.
  if (database !== undefined) await migrate(database);
  const tokens = await demoTokens(options, redis, onEvent, database);
  const hasher = options.hasher ?? passwordHasher();
  const users = await demoUsers(options, hasher, redis, database);
  const signIns = {
    users,
    hasher,
    lockout: demoLockout({
      redis,
      database,
      keyEncryptionKey: options.keyEncryptionKey,
      clock: options.clock,
      onEvent,
    }),
  };
  const keys = demoApiKeys({
    redis,
    database,
    keyEncryptionKey: options.keyEncryptionKey,
    clock: options.clock,
    store: options.apiKeyStore,
    // The lifecycle goes to the admin log; each use (`apikey.used`) would only flood it.
    onKeyEvent: (event) => {
      if (event.type !== 'apikey.used') events.record(event);
    },
  });
  const limits = { store, clock: options.clock, onEvent };
  const clientTier = clientLimits(limits);
  const policies = demoPolicies({ ...limits, corsOrigins: options.corsOrigins, clientTier });
  const handlers = {
    notes: noteHandlers(new NoteStore(), noteClock(options.clock), onEvent),
    auth: authHandlers(users, signIns, tokens),
    directory: directoryHandlers(users, events),
    keys: apiKeyHandlers(keys),
    oauth: oauthHandlers({
      server: demoAuthorizationServer(options.issuer, tokens, redis, onEvent, database),
      signIns,
      csrf: signinCsrf(options.keyEncryptionKey),
      secureCookie: options.issuer.startsWith('https:'),
    }),
  };
  const server = await STARTERS[options.framework](
    {
      policies,
      // The header profile: also on answers to requests refused before the framework.
      profile: policies.filter((policy) => policy.name === 'security-headers'),
      clientIp: { trustProxy: options.trustProxy },
      routes: demoRoutes(handlers, demoValidators(onEvent)),
      protection: {
        // An API key (X-API-Key, or a Bearer value with the key prefix) or an access token.
        authenticators: [apiKeyAuthenticator(keys), tokens.authenticator],
        realm: REALM,
        principalTier: principalLimits(limits, clientTier),
        onEvent,
      },
      onEvent,
      onError: options.onError ?? ((err) => console.error('[notes-api] unhandled error', err)),
    },
    options.host,
    options.port,
  );
  return {
    url: server.url,
    store: redis ? 'redis' : 'memory',
    userStore: database ? 'postgres' : 'memory',
    keyStore: tokens.keyStore,
    close: async () => {
      await server.close();
      await tokens.close();
      await keys.close();
      redis?.disconnect();
      await database?.end();
    },
  };
}
