import { ConfigError, checkOptions } from '@bulwark/core';
import { sharedComponents } from './components.js';
import { compileDeprecations } from './deprecations.js';
import { buildOperation } from './operation.js';
import { compileTiers } from './rate-limits.js';
import { compileSecurity } from './security.js';
import type { JsonObject, OpenApiDocument, OpenApiOptions } from './types.js';

const INFO_KEYS = ['title', 'version', 'summary', 'description', 'termsOfService', 'contact', 'license'];

function info(value: OpenApiOptions['info']): JsonObject {
  checkOptions(value, INFO_KEYS, 'info');
  for (const key of ['title', 'version'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '')
      throw new ConfigError(`info.${key}`, 'expected a non-empty string');
  }
  return { ...value };
}

function servers(value: OpenApiOptions['servers']): JsonObject[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ConfigError('servers', 'expected a list of { url, description? }');
  return value.map((server, i) => {
    checkOptions(server, ['url', 'description'], `servers[${i}]`);
    if (typeof server.url !== 'string' || server.url === '')
      throw new ConfigError(`servers[${i}].url`, 'expected a URL');
    return { ...server };
  });
}

/**
 * Generates the OpenAPI 3.1 document of an API from its routes, their validators and the
 * policies that guard them: the security schemes and each protected route's scopes, the
 * parameters and bodies from the validators' zod schemas (zod's own JSON Schema), every
 * error answer the validator, authentication and limits can give as problem+json with its
 * headers, the rate-limit tiers of each operation and the deprecations with their sunset.
 * Everything is checked at once: an unknown option, a scope no token can hold, a path
 * parameter the schema does not know or two routes on one method and path are a
 * `ConfigError` naming the option. Pure data in, plain JSON out: serve it once, as is.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 *
 * const listNotes = requestValidator({ query: paginationQuery(), output: z.object({ notes: z.array(z.string()) }) });
 * const document = openApiDocument({
 *   info: { title: 'Notes API', version: '2.0.0' },
 *   routes: [
 *     { method: 'GET', path: '/health' },
 *     { method: 'GET', path: '/v2/notes', validator: listNotes, auth: { scopes: ['notes:read'] } },
 *   ],
 *   security: {
 *     bearer: {},
 *     apiKey: { header: 'X-API-Key' },
 *     oauth2: {
 *       authorizationUrl: '/oauth/authorize',
 *       tokenUrl: '/oauth/token',
 *       scopes: { 'notes:read': 'Read your notes' },
 *     },
 *   },
 *   rateLimits: [{ name: 'api', limits: [{ name: 'ip', limit: 1000, window: '15m' }], skipPaths: ['/health'] }],
 *   deprecations: [{ prefix: '/v1', deprecatedAt: '2026-06-01T00:00:00Z', sunsetAt: '2027-06-30T00:00:00Z' }],
 * });
 * const body = JSON.stringify(document); // serve at GET /openapi.json
 * ```
 */
export function openApiDocument(options: OpenApiOptions): OpenApiDocument {
  checkOptions(options, ['info', 'servers', 'routes', 'security', 'rateLimits', 'deprecations']);
  if (!Array.isArray(options.routes)) throw new ConfigError('routes', 'expected a list of routes');
  const security = compileSecurity(options.security);
  const policies = {
    security,
    tiers: compileTiers(options.rateLimits),
    deprecations: compileDeprecations(options.deprecations),
  };
  const paths: Record<string, Record<string, JsonObject>> = {};
  const operationIds = new Map<string, number>();
  options.routes.forEach((route, index) => {
    const built = buildOperation(route, index, policies);
    const item = paths[built.template] ?? {};
    if (item[built.method] !== undefined)
      throw new ConfigError(`routes[${index}]`, `${built.method.toUpperCase()} ${built.template} is already described`);
    const id = built.operation.operationId as string;
    const before = operationIds.get(id);
    if (before !== undefined)
      throw new ConfigError(`routes[${index}].operationId`, `"${id}" is already the operationId of routes[${before}]`);
    operationIds.set(id, index);
    item[built.method] = built.operation;
    paths[built.template] = item;
  });
  const list = servers(options.servers);
  const components = sharedComponents(security.realm);
  return {
    openapi: '3.1.0',
    info: info(options.info),
    ...(list === undefined ? {} : { servers: list }),
    paths,
    components: security.configured ? { ...components, securitySchemes: security.schemes } : components,
  };
}
