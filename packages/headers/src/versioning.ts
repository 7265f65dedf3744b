import {
  allow,
  type Clock,
  ConfigError,
  checkOptions,
  type Decision,
  deny,
  type EventSink,
  emitEvent,
  type RequestPolicy,
  type RequestView,
  routingPath,
  systemClock,
} from '@bulwark/core';

export interface ApiVersionOptions {
  /** Supported versions, written `v1`, `v2`, ... */
  readonly supported: readonly string[];
  /** Read the version from the first path segment (`/v2/...`). Default true. */
  readonly fromPath?: boolean | undefined;
  /** Read the version from this header (`Accept-Version: 2` or `v2`); `false` to ignore headers. Default `accept-version`. */
  readonly header?: string | false | undefined;
  /** The version used when a request names none. Default: none (the request passes without one). */
  readonly defaultVersion?: string | undefined;
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
}

/** A compiled version negotiation policy. */
export interface ApiVersionPolicy extends RequestPolicy {
  evaluate(view: RequestView): Decision;
}

const VERSION = /^v[1-9]\d{0,3}$/;
// Matched against routingPath(), which is lower-case already.
const PATH_VERSION = /^\/(v\d{1,6})(?:\/|$)/;

/**
 * Picks the API version of a request from its path (`/v2/notes`) or an `Accept-Version`
 * header and refuses unknown versions with 406 problem+json listing the supported ones.
 * When both name a version they must agree. The chosen version is exposed to handlers as
 * `apiVersion` in the adapter's state.
 *
 * @example
 * ```ts
 * const versions = apiVersionPolicy({ supported: ['v1', 'v2'] });
 * // GET /v3/notes -> 406 { code: 'unsupported_api_version', supportedVersions: ['v1', 'v2'] }
 * ```
 */
export function apiVersionPolicy(options: ApiVersionOptions): ApiVersionPolicy {
  checkOptions(options, ['supported', 'fromPath', 'header', 'defaultVersion', 'onEvent', 'clock']);
  if (!Array.isArray(options.supported) || options.supported.length === 0) {
    throw new ConfigError('supported', 'list at least one version such as "v1"');
  }
  options.supported.forEach((v, i) => {
    if (typeof v !== 'string' || !VERSION.test(v))
      throw new ConfigError(`supported[${i}]`, 'expected "v" and a number, such as "v2"');
  });
  const supported = new Set(options.supported);
  const supportedList = [...supported];
  const fromPath = options.fromPath ?? true;
  const header = options.header === undefined ? 'accept-version' : options.header;
  if (header !== false && (typeof header !== 'string' || !/^[a-z0-9-]+$/i.test(header))) {
    throw new ConfigError('header', 'expected a header name or false');
  }
  const headerName = header === false ? undefined : header.toLowerCase();
  if (!fromPath && headerName === undefined)
    throw new ConfigError('header', 'with fromPath false a header is required');
  const fallback = options.defaultVersion;
  if (fallback !== undefined && !supported.has(fallback))
    throw new ConfigError('defaultVersion', 'must be one of supported');
  const clock = options.clock ?? systemClock;
  const vary = headerName === undefined ? [] : ([['vary', headerName]] as const);
  const decisions = new Map(supportedList.map((v) => [v, allow(vary, { apiVersion: v })]));
  const unversioned = allow(vary, fallback === undefined ? {} : { apiVersion: fallback });

  const refuse = (view: RequestView, requested: string, detail: string) => {
    emitEvent(options.onEvent, {
      type: 'version.rejected',
      at: clock.now(),
      requested,
      method: view.method,
      path: view.path,
    });
    return deny('unsupported_api_version', `${detail} Supported versions: ${supportedList.join(', ')}.`, {
      headers: vary,
      extensions: { supportedVersions: supportedList },
    });
  };

  return {
    name: 'api-versions',
    evaluate(view) {
      // The decoded path, as Fastify and Hono route it: `/%761/notes` is `/v1/notes` there.
      const pathMatch = fromPath ? PATH_VERSION.exec(routingPath(view.path)) : null;
      const pathVersion = pathMatch?.[1];
      const raw = headerName === undefined ? undefined : view.header(headerName)?.trim();
      const headerVersion =
        raw === undefined || raw === '' ? undefined : /^\d+$/.test(raw) ? `v${raw}` : raw.toLowerCase();

      if (pathVersion !== undefined && !supported.has(pathVersion)) {
        return refuse(view, pathVersion, 'The API version in the path is not supported.');
      }
      if (headerVersion !== undefined && !supported.has(headerVersion)) {
        return refuse(view, headerVersion.slice(0, 16), 'The requested API version is not supported.');
      }
      if (pathVersion !== undefined && headerVersion !== undefined && pathVersion !== headerVersion) {
        return refuse(view, headerVersion, 'The path and the version header name different versions.');
      }
      const chosen = pathVersion ?? headerVersion;
      return chosen === undefined ? unversioned : (decisions.get(chosen) ?? unversioned);
    },
  };
}
