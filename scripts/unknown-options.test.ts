import { apiKeyAuthenticator, apiKeys, memoryApiKeyStore } from '@bulwark/api-keys';
import { ownedBy, policy, readableFields, roles, writableFields } from '@bulwark/authz';
import {
  type Authenticator,
  authenticationPolicy,
  BulwarkError,
  ConfigError,
  clientIpResolver,
  ecsSink,
  ipKey,
  scopePolicy,
  spikeDetector,
} from '@bulwark/core';
import { corsPolicy, corsPolicyByRoute } from '@bulwark/cors-policy';
import { errorHandler as expressErrorHandler, guard as expressGuard } from '@bulwark/express';
import { problemHandlers as fastifyProblemHandlers, frameworkErrors } from '@bulwark/fastify';
import { apiVersionPolicy, deprecationPolicy, securityHeaders } from '@bulwark/headers';
import { errorHandler as honoErrorHandler, guard as honoGuard, nodeServerErrors } from '@bulwark/hono';
import { problemHandlers as koaProblemHandlers } from '@bulwark/koa';
import { lockout, memoryLockoutStore } from '@bulwark/lockout';
import { openApiDocument } from '@bulwark/openapi';
import { passwordPolicy } from '@bulwark/passwords';
import {
  migrate,
  postgresApiKeyStore,
  postgresAuthorizationCodeStore,
  postgresKeyringStore,
  postgresLockoutStore,
  postgresRateLimitStore,
  postgresRefreshTokenStore,
  postgresRevocationStore,
} from '@bulwark/postgres';
import { memoryStore, rateLimitPolicy } from '@bulwark/ratelimit';
import { redisAuthorizationCodeStore, redisLockoutStore, redisRateLimitStore } from '@bulwark/redis';
import { probeHttp, probeTarget } from '@bulwark/testkit/probe';
import {
  accessTokens,
  accessTokenVerifier,
  authorizationServer,
  keyring,
  memoryAuthorizationCodeStore,
  memoryRefreshTokenStore,
  memoryRevocationStore,
  refreshTokens,
} from '@bulwark/tokens';
import { paginationQuery, requestValidator } from '@bulwark/validation';
import { describe, expect, it } from 'vitest';

// Every factory refuses option keys it does not know, at every level of its options,
// through core's one `checkOptions`; and takes `undefined` for an optional field as absent
// (exactOptionalPropertyTypes: `?: T | undefined`). One row per options object.

type Extra = Record<string, unknown>;

interface OptionsObject {
  /** The factory and, for a nested object, where it sits. */
  readonly label: string;
  /** Builds the factory with valid options, `extra` spread into the object under test. */
  readonly build: (extra: Extra) => unknown;
  /** The path of that object in the factory's options (`''` for the top level). */
  readonly at: string;
  /** A plausible typo and the name meant. */
  readonly typo: string;
  readonly meant: string;
  /** An optional field of the object, to be given as `undefined`. */
  readonly optional?: string;
}

const cors = corsPolicy({ origins: ['https://app.example.com'] });
/**
 * Construction only: `redisRateLimitStore` checks its options before it talks to Redis,
 * and no command of this stand-in is ever called (the store's behaviour is tested against
 * a real Redis in packages/redis).
 */
const unusedRedisClient = {
  defineCommand(this: Record<string, unknown>, name: string) {
    this[name] = () => Promise.reject(new Error('not connected'));
  },
} as unknown as Parameters<typeof redisRateLimitStore>[0];
const rule = { name: 'anon', limit: 10, window: '1m' } as const;
const openApiBase = { info: { title: 'T', version: '1' }, routes: [] };

/**
 * Construction only: the PostgreSQL stores check their options before they use the pool,
 * and every connection this stand-in is asked for fails (the stores are tested against a
 * real PostgreSQL in packages/postgres).
 */
const unusedPool = {
  query: () => Promise.reject(new Error('not connected')),
  connect: () => Promise.reject(new Error('not connected')),
  on: () => unusedPool,
} as unknown as Parameters<typeof migrate>[0];
/** Key sources the token factories only hold at construction (no key is asked for). */
const noSigningKey = { signingKey: () => Promise.reject(new Error('not asked')) };
const noKeys = { key: () => undefined };
const verifierOptions = {
  keys: noKeys,
  issuer: 'https://issuer.test',
  audience: 'notes-api',
  algorithms: ['ES256'],
} as const;
/** The authorization server only holds its token issuers at construction. */
const oauthOptions = {
  issuer: 'https://issuer.test',
  authorizationEndpoint: 'https://issuer.test/authorize',
  tokenEndpoint: 'https://issuer.test/token',
  jwksUri: 'https://issuer.test/jwks',
  scopes: ['notes:read'],
  accessTokens: { issue: () => Promise.reject(new Error('not asked')) },
  refreshTokens: {
    issue: () => Promise.reject(new Error('not asked')),
    rotate: () => Promise.reject(new Error('not asked')),
    revokeFamily: () => Promise.reject(new Error('not asked')),
    revokeSubject: () => Promise.reject(new Error('not asked')),
    newFamilyId: () => 'not-asked',
  },
} as const;
const oauthClient = {
  id: 'spa',
  type: 'public',
  redirectUris: ['https://app.example.com/cb'],
  scopes: ['notes:read'],
} as const;
const noAuthenticators: Authenticator = {
  name: 'none',
  claim: () => undefined,
  verify: () => ({ ok: false, code: 'invalid_token', reason: 'malformed' }),
};

const OBJECTS: readonly OptionsObject[] = [
  {
    label: 'corsPolicy',
    build: (x) => corsPolicy({ origins: ['https://app.example.com'], ...x }),
    at: '',
    typo: 'credentails',
    meant: 'credentials',
    optional: 'maxAge',
  },
  {
    label: 'corsPolicyByRoute routes[i]',
    build: (x) => corsPolicyByRoute([{ prefix: '/public', value: cors, ...x }], cors),
    at: 'routes[0]',
    typo: 'prefx',
    meant: 'prefix',
  },
  {
    label: 'securityHeaders',
    build: (x) => securityHeaders({ ...x }),
    at: '',
    typo: 'nosniff',
    meant: 'noSniff',
    optional: 'hsts',
  },
  {
    label: 'securityHeaders hsts',
    build: (x) => securityHeaders({ hsts: { maxAge: 31_536_000, ...x } }),
    at: 'hsts',
    typo: 'preloads',
    meant: 'preload',
    optional: 'includeSubDomains',
  },
  {
    label: 'securityHeaders cacheControlRoutes[i]',
    build: (x) => securityHeaders({ cacheControlRoutes: [{ prefix: '/public', value: 'max-age=60', ...x }] }),
    at: 'cacheControlRoutes[0]',
    typo: 'vaule',
    meant: 'value',
  },
  {
    label: 'apiVersionPolicy',
    build: (x) => apiVersionPolicy({ supported: ['v1'], ...x }),
    at: '',
    typo: 'defaultVersoin',
    meant: 'defaultVersion',
    optional: 'header',
  },
  {
    label: 'deprecationPolicy',
    build: (x) => deprecationPolicy({ rules: [], ...x }),
    at: '',
    typo: 'onEvnt',
    meant: 'onEvent',
    optional: 'clock',
  },
  {
    label: 'deprecationPolicy rules[i]',
    build: (x) => deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z', ...x }] }),
    at: 'rules[0]',
    typo: 'sunset',
    meant: 'sunsetAt',
    optional: 'successor',
  },
  {
    label: 'rateLimitPolicy',
    build: (x) => rateLimitPolicy({ limits: [rule], ...x }),
    at: '',
    typo: 'legacyHeader',
    meant: 'legacyHeaders',
    optional: 'store',
  },
  {
    label: 'rateLimitPolicy limits[i]',
    build: (x) => rateLimitPolicy({ limits: [{ ...rule, ...x }] }),
    at: 'limits[0]',
    typo: 'windw',
    meant: 'window',
    optional: 'block',
  },
  {
    label: 'rateLimitPolicy failure',
    build: (x) => rateLimitPolicy({ limits: [rule], failure: { mode: 'fail-open', ...x } }),
    at: 'failure',
    typo: 'timout',
    meant: 'timeout',
    optional: 'timeout',
  },
  {
    label: 'accessTokens',
    build: (x) => accessTokens({ keys: noSigningKey, issuer: 'https://issuer.test', audience: 'notes-api', ...x }),
    at: '',
    typo: 'tll',
    meant: 'ttl',
    optional: 'ttl',
  },
  {
    label: 'accessTokenVerifier',
    build: (x) => accessTokenVerifier({ ...verifierOptions, ...x }),
    at: '',
    typo: 'clockTolerence',
    meant: 'clockTolerance',
    optional: 'revocations',
  },
  {
    label: 'accessTokenVerifier cache',
    build: (x) => accessTokenVerifier({ ...verifierOptions, cache: { maxEntries: 100, ...x } }),
    at: 'cache',
    typo: 'maxEntires',
    meant: 'maxEntries',
    optional: 'maxBytes',
  },
  {
    label: 'memoryRevocationStore',
    build: (x) => memoryRevocationStore({ ...x }),
    at: '',
    typo: 'maxEntires',
    meant: 'maxEntries',
    optional: 'maxEntries',
  },
  {
    label: 'memoryRefreshTokenStore',
    build: (x) => memoryRefreshTokenStore({ ...x }),
    at: '',
    typo: 'maxFamilys',
    meant: 'maxFamilies',
    optional: 'clock',
  },
  {
    label: 'refreshTokens',
    build: (x) => refreshTokens({ ...x }),
    at: '',
    typo: 'grcae',
    meant: 'grace',
    optional: 'pepper',
  },
  {
    label: 'refreshTokens revocations',
    build: (x) => refreshTokens({ revocations: { store: memoryRevocationStore(), accessTokenTtl: '15m', ...x } }),
    at: 'revocations',
    typo: 'clockTolerence',
    meant: 'clockTolerance',
    optional: 'clockTolerance',
  },
  {
    label: 'authorizationServer',
    build: (x) => authorizationServer({ ...oauthOptions, clients: [oauthClient], ...x }),
    at: '',
    typo: 'codeTTL',
    meant: 'codeTtl',
    optional: 'codeTtl',
  },
  {
    label: 'authorizationServer clients[i]',
    build: (x) => authorizationServer({ ...oauthOptions, clients: [{ ...oauthClient, ...x }] }),
    at: 'clients[0]',
    typo: 'redirectUri',
    meant: 'redirectUris',
    optional: 'grantTypes',
  },
  {
    label: 'memoryAuthorizationCodeStore',
    build: (x) => memoryAuthorizationCodeStore({ ...x }),
    at: '',
    typo: 'maxEntires',
    meant: 'maxEntries',
    optional: 'clock',
  },
  {
    label: 'redisAuthorizationCodeStore',
    build: (x) => redisAuthorizationCodeStore({ client: unusedRedisClient, ...x }),
    at: '',
    typo: 'keyPrefx',
    meant: 'keyPrefix',
    optional: 'keyPrefix',
  },
  {
    label: 'keyring',
    build: (x) => keyring({ ...x }),
    at: '',
    typo: 'rotateEvry',
    meant: 'rotateEvery',
    optional: 'algorithm',
  },
  {
    label: 'apiKeys',
    build: (x) => apiKeys({ ...x }),
    at: '',
    typo: 'defaultOverlp',
    meant: 'defaultOverlap',
    optional: 'pepper',
  },
  {
    label: 'apiKeys cache',
    build: (x) => apiKeys({ cache: { maxEntries: 10, ...x } }),
    at: 'cache',
    typo: 'maxEntires',
    meant: 'maxEntries',
    optional: 'ttl',
  },
  {
    label: 'memoryApiKeyStore',
    build: (x) => memoryApiKeyStore({ ...x }),
    at: '',
    typo: 'maxKey',
    meant: 'maxKeys',
    optional: 'retention',
  },
  {
    label: 'apiKeyAuthenticator',
    build: (x) => apiKeyAuthenticator(apiKeys(), { ...x }),
    at: '',
    typo: 'headr',
    meant: 'header',
    optional: 'bearer',
  },
  {
    label: 'roles role',
    build: (x) => roles({ viewer: ['notes:read'], admin: { inherits: ['viewer'], ...x } }),
    at: 'admin',
    typo: 'inherit',
    meant: 'inherits',
    optional: 'scopes',
  },
  {
    label: 'ownedBy',
    build: (x) => ownedBy({ load: () => undefined, owner: () => 'nobody', ...x }),
    at: '',
    typo: 'alow',
    meant: 'allow',
    optional: 'allow',
  },
  {
    label: 'policy',
    build: (x) => policy({}, { ...x }),
    at: '',
    typo: 'deniedA',
    meant: 'deniedAs',
    optional: 'deniedAs',
  },
  {
    label: 'readableFields rule',
    build: (x) => readableFields({ email: { requires: 'users:read', ...x } }),
    at: 'email',
    typo: 'otherwse',
    meant: 'otherwise',
    optional: 'otherwise',
  },
  {
    label: 'writableFields',
    build: (x) => writableFields({ title: true }, { ...x }),
    at: '',
    typo: 'resorce',
    meant: 'resource',
    optional: 'resource',
  },
  {
    label: 'passwordPolicy',
    build: (x) => passwordPolicy({ ...x }),
    at: '',
    typo: 'minLenght',
    meant: 'minLength',
    optional: 'maxLength',
  },
  {
    label: 'authenticationPolicy',
    build: (x) => authenticationPolicy(noAuthenticators, { ...x }),
    at: '',
    typo: 'relm',
    meant: 'realm',
    optional: 'realm',
  },
  {
    label: 'scopePolicy',
    build: (x) => scopePolicy('notes:read', { ...x }),
    at: '',
    typo: 'relm',
    meant: 'realm',
    optional: 'realm',
  },
  {
    label: 'memoryStore',
    build: (x) => memoryStore({ ...x }),
    at: '',
    typo: 'maxkeys',
    meant: 'maxKeys',
    optional: 'clock',
  },
  {
    label: 'redisRateLimitStore',
    build: (x) => redisRateLimitStore(unusedRedisClient, { ...x }),
    at: '',
    typo: 'prefx',
    meant: 'prefix',
    optional: 'hashTag',
  },
  {
    label: 'postgresApiKeyStore',
    build: (x) => postgresApiKeyStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'maxStalenes',
    meant: 'maxStaleness',
    optional: 'retention',
  },
  {
    label: 'postgresRevocationStore',
    build: (x) => postgresRevocationStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'failurePolcy',
    meant: 'failurePolicy',
    optional: 'listener',
  },
  {
    label: 'postgresKeyringStore',
    build: (x) => postgresKeyringStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'shema',
    meant: 'schema',
    optional: 'timeout',
  },
  {
    label: 'migrate',
    build: (x) => {
      const running = migrate(unusedPool, { ...x });
      running.catch(() => {});
      return running;
    },
    at: '',
    typo: 'schemas',
    meant: 'schema',
    optional: 'schema',
  },
  {
    label: 'lockout',
    build: (x) => lockout({ ...x }),
    at: '',
    typo: 'accountkey',
    meant: 'accountKey',
    optional: 'onEvent',
  },
  {
    label: 'lockout pair',
    build: (x) => lockout({ pair: { ...x } }),
    at: 'pair',
    typo: 'atempts',
    meant: 'attempts',
    optional: 'lockFor',
  },
  {
    label: 'memoryLockoutStore',
    build: (x) => memoryLockoutStore({ ...x }),
    at: '',
    typo: 'maxEntrys',
    meant: 'maxEntries',
    optional: 'clock',
  },
  {
    label: 'postgresRefreshTokenStore',
    build: (x) => postgresRefreshTokenStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'endedRetension',
    meant: 'endedRetention',
    optional: 'endedRetention',
  },
  {
    label: 'postgresAuthorizationCodeStore',
    build: (x) => postgresAuthorizationCodeStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'shema',
    meant: 'schema',
    optional: 'schema',
  },
  {
    label: 'postgresRateLimitStore',
    build: (x) => postgresRateLimitStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'shema',
    meant: 'schema',
    optional: 'preparedStatements',
  },
  {
    label: 'postgresLockoutStore',
    build: (x) => postgresLockoutStore({ pool: unusedPool, ...x }),
    at: '',
    typo: 'timout',
    meant: 'timeout',
    optional: 'clock',
  },
  {
    label: 'redisLockoutStore',
    build: (x) => redisLockoutStore({ client: unusedRedisClient, ...x }),
    at: '',
    typo: 'keyPrefx',
    meant: 'keyPrefix',
    optional: 'timeout',
  },
  {
    label: 'spikeDetector',
    build: (x) => spikeDetector({ ...x }),
    at: '',
    typo: 'factr',
    meant: 'factor',
    optional: 'floor',
  },
  {
    label: 'ecsSink',
    build: (x) => ecsSink(undefined, { ...x }),
    at: '',
    typo: 'serviceNme',
    meant: 'serviceName',
    optional: 'ip',
  },
  {
    label: 'clientIpResolver',
    build: (x) => clientIpResolver({ ...x }),
    at: '',
    typo: 'trustproxy',
    meant: 'trustProxy',
    optional: 'header',
  },
  {
    label: 'clientIpResolver trustProxy',
    build: (x) => clientIpResolver({ trustProxy: { hops: 1, ...x } }),
    at: 'trustProxy',
    typo: 'hop',
    meant: 'hops',
  },
  {
    label: 'ipKey',
    build: (x) => ipKey({ ...x }),
    at: '',
    typo: 'ipv6prefix',
    meant: 'ipv6Prefix',
    optional: 'ipv4Prefix',
  },
  {
    label: 'requestValidator',
    build: (x) => requestValidator({ ...x }),
    at: '',
    typo: 'bodylimit',
    meant: 'bodyLimit',
    optional: 'body',
  },
  {
    label: 'paginationQuery',
    build: (x) => paginationQuery({ ...x }),
    at: '',
    typo: 'maxLimt',
    meant: 'maxLimit',
    optional: 'defaultLimit',
  },
  {
    label: 'probeTarget (runProbe)',
    build: (x) => probeTarget({ baseUrl: 'http://127.0.0.1:3000', ...x }),
    at: '',
    typo: 'protectedPath',
    meant: 'protectedPaths',
    optional: 'origin',
  },
  {
    label: 'probeHttp',
    build: (x) =>
      probeHttp({ baseUrl: 'http://127.0.0.1:3000', budget: 1, rate: 1, allowWrites: false, timeoutMs: 1, ...x }),
    at: '',
    typo: 'budjet',
    meant: 'budget',
    optional: 'headers',
  },
  {
    // An adapter adds its own key to the client-IP options: it is known, a typo is not.
    label: 'hono guard',
    build: (x) => honoGuard(cors, { getPeerAddress: () => '192.0.2.1', ...x }),
    at: '',
    typo: 'trustProxi',
    meant: 'trustProxy',
    optional: 'getPeerAddress',
  },
  // The adapters' error and not-found handlers: one key list in core
  // (problemHandlerOptions), checked when the handler is built.
  ...(
    [
      ['express errorHandler', (x: Extra) => expressErrorHandler({ onError: () => {}, ...x })],
      ['fastify problemHandlers', (x: Extra) => fastifyProblemHandlers({ onError: () => {}, ...x })],
      ['koa problemHandlers', (x: Extra) => koaProblemHandlers({ onError: () => {}, ...x })],
      ['hono errorHandler', (x: Extra) => honoErrorHandler({ onError: () => {}, ...x })],
      ['fastify frameworkErrors', (x: Extra) => frameworkErrors({ policies: [], onError: () => {}, ...x })],
      ['hono nodeServerErrors', (x: Extra) => nodeServerErrors({ policies: [], onError: () => {}, ...x })],
    ] as const
  ).map(
    ([label, build]): OptionsObject => ({
      label,
      build,
      at: '',
      typo: 'onErorr',
      meant: 'onError',
      optional: 'onEvent',
    }),
  ),
  {
    label: 'openApiDocument',
    build: (x) => openApiDocument({ ...openApiBase, ...x }),
    at: '',
    typo: 'rateLimit',
    meant: 'rateLimits',
    optional: 'servers',
  },
  {
    label: 'openApiDocument info',
    build: (x) => openApiDocument({ ...openApiBase, info: { ...openApiBase.info, ...x } }),
    at: 'info',
    typo: 'verison',
    meant: 'version',
    optional: 'description',
  },
  {
    label: 'openApiDocument routes[i]',
    build: (x) => openApiDocument({ ...openApiBase, routes: [{ method: 'GET', path: '/x', ...x }] }),
    at: 'routes[0]',
    typo: 'sumary',
    meant: 'summary',
    optional: 'validator',
  },
  {
    label: 'openApiDocument routes[i].responses[status]',
    build: (x) =>
      openApiDocument({
        ...openApiBase,
        routes: [{ method: 'GET', path: '/x', responses: { 200: { description: 'OK', ...x } } }],
      }),
    at: 'routes[0].responses.200',
    typo: 'header',
    meant: 'headers',
    optional: 'codes',
  },
  {
    label: 'openApiDocument security',
    build: (x) => openApiDocument({ ...openApiBase, security: { bearer: {}, ...x } }),
    at: 'security',
    typo: 'apikey',
    meant: 'apiKey',
    optional: 'realm',
  },
  {
    label: 'openApiDocument security.oauth2',
    build: (x) =>
      openApiDocument({
        ...openApiBase,
        security: { oauth2: { authorizationUrl: '/authorize', tokenUrl: '/token', scopes: {}, ...x } },
      }),
    at: 'security.oauth2',
    typo: 'tokenUri',
    meant: 'tokenUrl',
    optional: 'refreshUrl',
  },
  {
    label: 'openApiDocument rateLimits[i]',
    build: (x) => openApiDocument({ ...openApiBase, rateLimits: [{ limits: [rule], ...x }] }),
    at: 'rateLimits[0]',
    typo: 'skipPath',
    meant: 'skipPaths',
    optional: 'name',
  },
  {
    label: 'openApiDocument rateLimits[i].limits[j]',
    build: (x) => openApiDocument({ ...openApiBase, rateLimits: [{ limits: [{ ...rule, ...x }] }] }),
    at: 'rateLimits[0].limits[0]',
    typo: 'windw',
    meant: 'window',
    optional: 'paths',
  },
  {
    label: 'openApiDocument deprecations[i]',
    build: (x) =>
      openApiDocument({
        ...openApiBase,
        deprecations: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z', ...x }],
      }),
    at: 'deprecations[0]',
    typo: 'sunsetAtt',
    meant: 'sunsetAt',
    optional: 'successor',
  },
];

const pathOf = (at: string, key: string) => (at === '' ? key : `${at}.${key}`);

function refusal(build: () => unknown): ConfigError {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the factory accepted the options');
}

describe.each(OBJECTS)('$label', ({ build, at, typo, meant, optional }) => {
  it('accepts its valid options', () => {
    expect(() => build({})).not.toThrow();
  });

  it('refuses an unknown key with a ConfigError naming its path and the name meant', () => {
    const err = refusal(() => build({ [typo]: 1 }));
    expect(err).toBeInstanceOf(BulwarkError);
    expect(err.code).toBe('config_invalid');
    expect(err.option).toBe(pathOf(at, typo));
    expect(err.message).toContain(`did you mean "${meant}"?`);
  });

  it('refuses an unknown key even when its value is undefined', () => {
    expect(refusal(() => build({ [typo]: undefined })).option).toBe(pathOf(at, typo));
  });

  it('names no suggestion for a key close to nothing', () => {
    const err = refusal(() => build({ zzzzzzzzzz: true }));
    expect(err.option).toBe(pathOf(at, 'zzzzzzzzzz'));
    expect(err.message).not.toContain('did you mean');
  });

  // Only rows that name an optional field have this case; the others register nothing
  // rather than a skipped test.
  if (optional !== undefined) {
    it('takes an optional field given as undefined as absent', () => {
      expect(() => build({ [optional]: undefined })).not.toThrow();
    });
  }
});

// Compile-time half of the `undefined` rule: with exactOptionalPropertyTypes, each call
// below is a type error unless the option's type says `?: T | undefined` (pnpm typecheck
// covers this file). A value read from the environment can be passed as it is.
describe('optional option fields typed to accept undefined', () => {
  const unset = undefined as string | undefined;
  it('compiles and constructs with every optional field given as undefined', () => {
    const built = [
      corsPolicy({
        origins: ['https://app.example.com'],
        credentials: undefined,
        maxAge: undefined,
        onEvent: undefined,
      }),
      securityHeaders({ hsts: { maxAge: undefined, preload: undefined }, cacheControl: undefined }),
      apiVersionPolicy({ supported: ['v1'], header: undefined, defaultVersion: unset }),
      deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z', sunsetAt: unset }] }),
      rateLimitPolicy({
        limits: [{ ...rule, key: undefined, block: undefined, paths: undefined }],
        store: undefined,
        failure: { mode: undefined, timeout: unset },
        clock: undefined,
        ipv6Prefix: undefined,
      }),
      memoryStore({ maxKeys: undefined, clock: undefined }),
      redisRateLimitStore(unusedRedisClient, { prefix: unset, hashTag: undefined }),
      clientIpResolver({ trustProxy: undefined, header: undefined }),
      ipKey({ ipv6Prefix: undefined, ipv4Prefix: undefined }),
      requestValidator({ body: undefined, bodyLimit: unset, onEvent: undefined }),
      paginationQuery({ maxLimit: undefined }),
      authorizationServer({
        ...oauthOptions,
        clients: [{ ...oauthClient, grantTypes: undefined }],
        codes: undefined,
        codeTtl: unset,
        onEvent: undefined,
        realm: unset,
        clock: undefined,
      }),
      memoryAuthorizationCodeStore({ maxEntries: undefined, clock: undefined }),
      redisAuthorizationCodeStore({ client: unusedRedisClient, keyPrefix: unset }),
      postgresRefreshTokenStore({ pool: unusedPool, schema: unset, timeout: undefined, endedRetention: undefined }),
      postgresAuthorizationCodeStore({ pool: unusedPool, schema: unset, timeout: undefined }),
      postgresLockoutStore({ pool: unusedPool, schema: unset, timeout: undefined, clock: undefined }),
      postgresRateLimitStore({ pool: unusedPool, schema: unset, timeout: undefined, preparedStatements: undefined }),
      roles({ viewer: { inherits: undefined, scopes: undefined } }),
      ownedBy({ load: () => undefined, owner: () => 'nobody', allow: undefined, resource: unset, onEvent: undefined }),
      policy({}, { resource: unset, deniedAs: undefined, clock: undefined }),
      readableFields({ email: { requires: 'users:read', otherwise: undefined } }),
      writableFields({ title: true }, { resource: unset, onEvent: undefined }),
    ];
    expect(built.every((value) => value !== undefined)).toBe(true);
  });
});

describe('trustProxy shapes', () => {
  it.each([
    [{ hops: 1, cidrs: ['loopback'] }, 'trustProxy', 'give { hops } or { cidrs }, not both'],
    [{ hop: 1 }, 'trustProxy.hop', 'did you mean "hops"?'],
    [{ cidr: ['loopback'] }, 'trustProxy.cidr', 'did you mean "cidrs"?'],
    [{ cidrs: ['loopback'], hops: undefined }, 'trustProxy', 'not both'],
    [['10.0.0.0/8'], 'trustProxy', 'expected false, { hops: number } or { cidrs: string[] }'],
  ])('%o is refused at %s', (trustProxy, option, reason) => {
    const err = refusal(() => clientIpResolver({ trustProxy: trustProxy as never }));
    expect(err.option).toBe(option);
    expect(err.message).toContain(reason);
  });
});

describe('guards share resolvers for equal client-IP settings', () => {
  it('and still refuse a typo next to settings already cached', () => {
    expressGuard(cors, { trustProxy: { hops: 1 } });
    const typo = { trustProxy: { hops: 1 }, hedaer: undefined } as never;
    expect(refusal(() => expressGuard(cors, typo)).option).toBe('hedaer');
    const nested = { trustProxy: { hops: 1, hop: undefined } } as never;
    expect(refusal(() => expressGuard(cors, nested)).option).toBe('trustProxy.hop');
  });
});
