import { type Clock, ConfigError, type EventSink, isToken, systemClock } from '@bulwark/core';
import { type OriginPattern, parseOriginPattern } from './pattern.js';

export interface CorsOptions {
  /**
   * Allowed origins: exact serialized origins (`https://app.example.com`,
   * `http://localhost:5173`) or structured patterns: `https://*.example.com` (any subdomain,
   * not the apex) and `https://example.com:*` (any port). `['*']` allows every origin
   * without credentials. No regexes, no `null`.
   */
  readonly origins: readonly string[];
  /** Allow cookies and HTTP auth (`Access-Control-Allow-Credentials: true`). Default false. */
  readonly credentials?: boolean;
  /** Methods allowed at preflight. Default `['GET', 'HEAD', 'POST']`. */
  readonly methods?: readonly string[];
  /** Request headers allowed at preflight (case-insensitive). Default none: nothing is reflected. */
  readonly allowedHeaders?: readonly string[];
  /** Response headers scripts may read. Default none. */
  readonly exposedHeaders?: readonly string[];
  /**
   * Preflight cache lifetime in seconds, 0..86400 (browsers cap it: Firefox at 86400,
   * Chromium at 7200, Safari at 600). Default 600. `0` sends `Access-Control-Max-Age: 0`,
   * which tells browsers not to cache the preflight at all; `'omit'` sends no
   * `Access-Control-Max-Age`, and browsers then cache it for 5 seconds (the Fetch default).
   */
  readonly maxAge?: number | 'omit';
  /** Answer Private Network Access preflights (`Access-Control-Allow-Private-Network`). Default false. */
  readonly privateNetworkAccess?: boolean;
  /**
   * What to do with a non-preflight request from an origin that is not allowed.
   * `'omit-headers'` (default): let it through without CORS headers, so the browser hides
   * the answer (same-origin pages and non-browser clients keep working).
   * `'reject'`: answer 403 problem+json before the handler runs.
   */
  readonly onDisallowedOrigin?: 'omit-headers' | 'reject';
  /** Dangerous: trust plain `http://` origins (other than loopback) together with credentials. */
  readonly dangerouslyAllowInsecureOriginsWithCredentials?: boolean;
  /** Receives a `cors.rejected` event for every refused origin, method or header. */
  readonly onEvent?: EventSink;
  readonly clock?: Clock;
}

export interface CompiledCorsOptions {
  readonly allowAll: boolean;
  readonly patterns: readonly OriginPattern[];
  readonly credentials: boolean;
  readonly methods: ReadonlySet<string>;
  readonly methodList: string;
  readonly allowedHeaders: ReadonlySet<string>;
  readonly exposedHeaders: string;
  /** The `Access-Control-Max-Age` value, or `undefined` to send none. */
  readonly maxAge: string | undefined;
  readonly privateNetworkAccess: boolean;
  readonly rejectDisallowed: boolean;
  readonly onEvent: EventSink | undefined;
  readonly clock: Clock;
}

const KNOWN_OPTIONS = new Set([
  'origins',
  'credentials',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'maxAge',
  'privateNetworkAccess',
  'onDisallowedOrigin',
  'dangerouslyAllowInsecureOriginsWithCredentials',
  'onEvent',
  'clock',
]);
// Fetch normalises these methods to upper case; every other method is case-sensitive.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
// Browsers never let scripts send these (Fetch's forbidden request-header names), so
// allowing them only hides a misunderstanding.
const FORBIDDEN_REQUEST_HEADER =
  /^(accept-charset|accept-encoding|access-control-request-.*|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/;
// CORS response headers: a client that sends one (a common copy-paste mistake) has
// misunderstood CORS; allowing it at preflight would hide that instead of fixing it.
const CORS_RESPONSE_HEADER =
  /^access-control-(allow-origin|allow-credentials|allow-methods|allow-headers|allow-private-network|expose-headers|max-age)$/;
// Fetch's forbidden response-header names: scripts can never read them.
const FORBIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2']);
// Names that never appear on an answer to an actual request (request headers, and the
// preflight-only response headers), so exposing them can never work.
const NOT_ON_ACTUAL_RESPONSES =
  /^(origin|access-control-request-.*|access-control-(allow-methods|allow-headers|allow-private-network|max-age))$/;

function bool(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'expected true or false');
  return value;
}

function stringList(value: unknown, option: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigError(option, 'expected an array of strings');
  }
  return value as string[];
}

function compileMethods(list: readonly string[]): Set<string> {
  const methods = new Set<string>();
  list.forEach((raw, index) => {
    const option = `methods[${index}]`;
    if (raw === '*') throw new ConfigError(option, 'list the methods explicitly; "*" is not supported');
    if (!isToken(raw)) throw new ConfigError(option, `"${raw}" is not a valid method name`);
    const upper = raw.toUpperCase();
    if (FORBIDDEN_METHODS.has(upper)) throw new ConfigError(option, `${upper} is a forbidden method`);
    methods.add(NORMALISED_METHODS.has(upper) ? upper : raw);
  });
  return methods;
}

function compileAllowedHeaders(list: readonly string[], credentials: boolean): Set<string> {
  const names = new Set<string>();
  list.forEach((raw, index) => {
    const option = `allowedHeaders[${index}]`;
    if (raw === '*') {
      throw new ConfigError(
        option,
        `list the headers explicitly; "*" would allow any header${credentials ? ' with credentials' : ''}`,
      );
    }
    if (!isToken(raw)) throw new ConfigError(option, `"${raw}" is not a valid header name`);
    const name = raw.toLowerCase();
    if (FORBIDDEN_REQUEST_HEADER.test(name)) throw new ConfigError(option, `browsers never let scripts set "${name}"`);
    if (CORS_RESPONSE_HEADER.test(name)) {
      throw new ConfigError(
        option,
        `"${name}" is a response header the server sends; a client that sends it has misunderstood CORS (remove it from the client instead)`,
      );
    }
    names.add(name);
  });
  return names;
}

function compileExposedHeaders(list: readonly string[], credentials: boolean): string {
  // A Set: a name listed twice (in any case) is sent once.
  const names = new Set<string>();
  list.forEach((raw, index) => {
    const option = `exposedHeaders[${index}]`;
    const name = raw.toLowerCase();
    if (raw === '*') {
      if (credentials)
        throw new ConfigError(option, '"*" is not honoured by browsers with credentials; list the headers');
      if (list.length > 1) throw new ConfigError(option, '"*" cannot be combined with names');
    } else if (!isToken(raw)) {
      throw new ConfigError(option, `"${raw}" is not a valid header name`);
    } else if (FORBIDDEN_RESPONSE_HEADERS.has(name)) {
      throw new ConfigError(option, `"${raw}" can never be exposed to scripts`);
    } else if (NOT_ON_ACTUAL_RESPONSES.test(name)) {
      throw new ConfigError(
        option,
        `"${raw}" never appears on an answer to an actual request (it is a request header or preflight-only), so exposing it can never work`,
      );
    }
    names.add(name);
  });
  return [...names].join(', ');
}

function compileMaxAge(value: unknown): string | undefined {
  if (value === 'omit') return undefined;
  const maxAge = value === undefined ? 600 : value;
  if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > 86400) {
    throw new ConfigError(
      'maxAge',
      'expected whole seconds from 0 to 86400 (browsers ignore more), or "omit" to send no Access-Control-Max-Age',
    );
  }
  return String(maxAge);
}

/** Validates every option once, at construction; throws ConfigError naming the first bad one. */
export function compileCorsOptions(options: CorsOptions): CompiledCorsOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'expected an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ConfigError(key, 'unknown option (a typo would otherwise be ignored)');
  }
  const credentials = bool(options.credentials, 'credentials', false);
  const allowInsecure = bool(
    options.dangerouslyAllowInsecureOriginsWithCredentials,
    'dangerouslyAllowInsecureOriginsWithCredentials',
    false,
  );
  const origins = stringList(options.origins, 'origins', []);
  if (options.origins === undefined || origins.length === 0) {
    throw new ConfigError('origins', 'list at least one origin (an empty allowlist is almost always a mistake)');
  }
  const allowAll = origins.includes('*');
  if (allowAll && credentials) {
    throw new ConfigError(
      'origins',
      '"*" cannot be combined with credentials: it would let every site read credentialed answers',
    );
  }
  if (allowAll && origins.length > 1) throw new ConfigError('origins', '"*" cannot be combined with other origins');
  const patterns = allowAll
    ? []
    : origins.map((entry, index) =>
        parseOriginPattern(entry, index, { credentials, allowInsecureWithCredentials: allowInsecure }),
      );

  const maxAge = compileMaxAge(options.maxAge);
  const onDisallowed = options.onDisallowedOrigin ?? 'omit-headers';
  if (onDisallowed !== 'omit-headers' && onDisallowed !== 'reject') {
    throw new ConfigError('onDisallowedOrigin', 'expected "omit-headers" or "reject"');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }
  const methods = compileMethods(stringList(options.methods, 'methods', ['GET', 'HEAD', 'POST']));
  return {
    allowAll,
    patterns,
    credentials,
    methods,
    methodList: [...methods].join(', '),
    allowedHeaders: compileAllowedHeaders(stringList(options.allowedHeaders, 'allowedHeaders', []), credentials),
    exposedHeaders: compileExposedHeaders(stringList(options.exposedHeaders, 'exposedHeaders', []), credentials),
    maxAge,
    privateNetworkAccess: bool(options.privateNetworkAccess, 'privateNetworkAccess', false),
    rejectDisallowed: onDisallowed === 'reject',
    onEvent: options.onEvent,
    clock: options.clock ?? systemClock,
  };
}
