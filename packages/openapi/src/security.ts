import { ConfigError, checkOptions } from '@bulwark/core';
import type { JsonObject, SecurityOptions } from './types.js';

/** The names of the security schemes in `components.securitySchemes`. */
export const SCHEME = { bearer: 'bearerAuth', apiKey: 'apiKeyAuth', oauth2: 'oauth2' } as const;

/** RFC 9110 token: a header name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export interface CompiledSecurity {
  readonly schemes: Readonly<Record<string, JsonObject>>;
  /** The operation's `security`: each configured scheme is one alternative, with the scopes. */
  requirement(scopes: readonly string[], option: string): JsonObject[];
  readonly realm: string | undefined;
  readonly configured: boolean;
}

const description = (value: unknown, option: string): { description?: string } => {
  if (value === undefined) return {};
  if (typeof value !== 'string') throw new ConfigError(option, 'expected a string');
  return { description: value };
};

const url = (value: unknown, option: string): string => {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(option, 'expected a URL (absolute or relative to servers)');
  // An authorization or token endpoint in the clear leaks codes and tokens (RFC 6749 §3.1, §3.2).
  if (/^http:\/\//i.test(value) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/i.test(value))
    throw new ConfigError(option, 'OAuth endpoints must use https (http only on loopback)');
  return value;
};

/** Checks the security options once and builds the schemes and the per-operation requirements. */
export function compileSecurity(options: SecurityOptions | undefined): CompiledSecurity {
  if (options === undefined)
    return {
      schemes: {},
      realm: undefined,
      configured: false,
      requirement: (_scopes, option) => {
        throw new ConfigError(
          option,
          'a protected route needs security (bearer, apiKey or oauth2) to say how to authenticate',
        );
      },
    };
  checkOptions(options, ['bearer', 'apiKey', 'oauth2', 'realm'], 'security');
  const schemes: Record<string, JsonObject> = {};
  if (options.bearer !== undefined) {
    checkOptions(options.bearer, ['description'], 'security.bearer');
    schemes[SCHEME.bearer] = {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      ...description(options.bearer.description, 'security.bearer.description'),
    };
  }
  if (options.apiKey !== undefined) {
    checkOptions(options.apiKey, ['header', 'description'], 'security.apiKey');
    const header = options.apiKey.header;
    if (typeof header !== 'string' || !TOKEN.test(header))
      throw new ConfigError('security.apiKey.header', 'expected a header name such as X-API-Key');
    if (header.toLowerCase() === 'authorization')
      throw new ConfigError('security.apiKey.header', 'Authorization is the bearer scheme: use security.bearer');
    schemes[SCHEME.apiKey] = {
      type: 'apiKey',
      in: 'header',
      name: header,
      ...description(options.apiKey.description, 'security.apiKey.description'),
    };
  }
  let scopes: Readonly<Record<string, string>> | undefined;
  if (options.oauth2 !== undefined) {
    const o = options.oauth2;
    checkOptions(o, ['authorizationUrl', 'tokenUrl', 'refreshUrl', 'scopes', 'description'], 'security.oauth2');
    if (typeof o.scopes !== 'object' || o.scopes === null || Array.isArray(o.scopes))
      throw new ConfigError('security.oauth2.scopes', 'expected an object: each scope and its description');
    for (const [name, text] of Object.entries(o.scopes)) {
      if (!SCOPE.test(name)) throw new ConfigError(`security.oauth2.scopes.${name}`, 'not an RFC 6749 scope token');
      if (typeof text !== 'string' || text === '')
        throw new ConfigError(`security.oauth2.scopes.${name}`, 'describe the scope: what does it grant?');
    }
    scopes = o.scopes;
    schemes[SCHEME.oauth2] = {
      type: 'oauth2',
      ...description(o.description, 'security.oauth2.description'),
      flows: {
        authorizationCode: {
          authorizationUrl: url(o.authorizationUrl, 'security.oauth2.authorizationUrl'),
          tokenUrl: url(o.tokenUrl, 'security.oauth2.tokenUrl'),
          ...(o.refreshUrl === undefined ? {} : { refreshUrl: url(o.refreshUrl, 'security.oauth2.refreshUrl') }),
          scopes: { ...o.scopes },
        },
      },
    };
  }
  if (Object.keys(schemes).length === 0)
    throw new ConfigError('security', 'configure at least one of bearer, apiKey and oauth2');
  if (options.realm !== undefined && (typeof options.realm !== 'string' || /["\\]/.test(options.realm)))
    throw new ConfigError('security.realm', 'expected a string without quotes or backslashes');
  const names = Object.keys(schemes);
  return {
    schemes,
    realm: options.realm,
    configured: true,
    requirement(required, option) {
      for (const [i, scope] of required.entries()) {
        if (typeof scope !== 'string' || !SCOPE.test(scope))
          throw new ConfigError(`${option}[${i}]`, 'not an RFC 6749 scope token');
        // A scope no token can be granted would lock the route for everyone: a typo.
        if (scopes !== undefined && !(scope in scopes))
          throw new ConfigError(`${option}[${i}]`, `scope "${scope}" is not among security.oauth2.scopes`);
      }
      return names.map((name) => ({ [name]: [...required] }));
    },
  };
}
