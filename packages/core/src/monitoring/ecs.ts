import { ConfigError } from '../errors.js';
import { type EventSink, jsonLinesSink, type SecurityEvent } from '../events.js';
import { checkOptions } from '../options.js';

/** The ECS version the documents follow. */
export const ECS_VERSION = '8.11.0';

type Kind = 'event' | 'alert';
type Outcome = 'success' | 'failure' | 'unknown';

interface Classification {
  readonly kind: Kind;
  readonly category: readonly string[];
  readonly type: readonly string[];
  readonly outcome: Outcome;
}

type EventOf<T extends SecurityEvent['type']> = Extract<SecurityEvent, { type: T }>;
type Classifier<T extends SecurityEvent['type']> = Classification | ((event: EventOf<T>) => Classification);

const c = (kind: Kind, category: string[], type: string[], outcome: Outcome): Classification =>
  Object.freeze({ kind, category, type, outcome });

/**
 * Every event type's ECS classification (event.kind, category, type and outcome use only
 * ECS's allowed values). A `Record` over the union: a new event type that is not mapped
 * here does not compile.
 */
const CLASSIFICATION: { readonly [T in SecurityEvent['type']]: Classifier<T> } = {
  'auth.failed': c('event', ['authentication'], ['info'], 'failure'),
  'authz.denied': c('event', ['web'], ['access', 'denied'], 'failure'),
  'cors.rejected': c('event', ['web'], ['access', 'denied'], 'failure'),
  'version.rejected': c('event', ['web'], ['denied'], 'failure'),
  'version.sunset': c('event', ['web'], ['info'], 'unknown'),
  'server.error': c('event', ['web'], ['error'], 'failure'),
  'config.warning': c('event', ['configuration'], ['info'], 'unknown'),
  'validation.failed': c('event', ['web'], ['denied'], 'failure'),
  'ratelimit.exceeded': (e) =>
    e.shadow ? c('event', ['web'], ['allowed'], 'success') : c('event', ['web'], ['denied'], 'failure'),
  'ratelimit.store_failure': c('event', ['database'], ['error'], 'failure'),
  'ratelimit.fallback': c('event', ['database'], ['change'], 'unknown'),
  'keyring.key_created': c('event', ['configuration'], ['creation'], 'success'),
  'keyring.store_failure': c('event', ['database'], ['error'], 'failure'),
  'jwks.fetch_failed': c('event', ['network'], ['error'], 'failure'),
  'jwks.key_skipped': c('event', ['configuration'], ['info'], 'unknown'),
  'revocation.store_failure': c('event', ['database'], ['error'], 'failure'),
  'token.reuse_detected': c('alert', ['authentication', 'session'], ['end'], 'failure'),
  'login.failed': c('event', ['authentication'], ['start'], 'failure'),
  lockout: c('alert', ['authentication'], ['change'], 'success'),
  'lockout.cleared': c('event', ['authentication'], ['change'], 'success'),
  alert: c('alert', ['intrusion_detection'], ['indicator'], 'unknown'),
};

export interface EcsOptions {
  /** `masked`: source.ip keeps an IPv4 /24 or an IPv6 /48 (`192.0.2.0`, `2001:db8:1::`). Default `full`. */
  readonly ip?: 'full' | 'masked' | undefined;
  /** ECS `service.name`, when you run several services into one index. */
  readonly serviceName?: string | undefined;
}

/** Keeps the network part of an address: IPv4 /24, IPv6 /48 (three groups). */
export function maskIp(ip: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.replace(/\.\d{1,3}$/, '.0');
  if (ip.includes(':')) {
    const head = ip.split('::')[0]?.split(':') ?? [];
    return `${head.slice(0, 3).join(':')}::`;
  }
  return '-';
}

/**
 * One SecurityEvent as an Elastic Common Schema document: `@timestamp`, `event.*`
 * (kind, category, type, outcome, action: the Bulwark type, reason, code), `source.ip`,
 * `http.request.method`, `url.path`, `user.id` (an account tag, already minimised: never
 * an identifier), and every other field of the event under `bulwark.*`. A SIEM takes it
 * as it is.
 *
 * @example
 * ```ts
 * ecsDocument({ type: 'login.failed', at: 0, clientIp: '192.0.2.1', account: 'tag', reason: 'locked', attempts: 0 })
 * // { '@timestamp': '1970-01-01T00:00:00.000Z', event: { kind: 'event', category: ['authentication'], ... } }
 * ```
 */
export function ecsDocument(event: SecurityEvent, options: EcsOptions = {}): Record<string, unknown> {
  const classifier = CLASSIFICATION[event.type] as Classifier<SecurityEvent['type']>;
  const klass = typeof classifier === 'function' ? classifier(event as never) : classifier;
  const { type, at, method, path, clientIp, ...rest } = event;
  const fields = rest as Record<string, unknown>;
  const reason = typeof fields.reason === 'string' ? fields.reason : undefined;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const account = typeof fields.account === 'string' ? fields.account : undefined;
  return {
    '@timestamp': new Date(at).toISOString(),
    ecs: { version: ECS_VERSION },
    event: {
      kind: klass.kind,
      category: klass.category,
      type: klass.type,
      outcome: klass.outcome,
      action: type,
      dataset: 'bulwark.security',
      ...(reason === undefined ? {} : { reason }),
      ...(code === undefined ? {} : { code }),
    },
    ...(clientIp === undefined ? {} : { source: { ip: options.ip === 'masked' ? maskIp(clientIp) : clientIp } }),
    ...(method === undefined ? {} : { http: { request: { method } } }),
    ...(path === undefined ? {} : { url: { path } }),
    ...(account === undefined ? {} : { user: { id: account } }),
    ...(options.serviceName === undefined ? {} : { service: { name: options.serviceName } }),
    ...(Object.keys(fields).length === 0 ? {} : { bulwark: fields }),
  };
}

/**
 * A sink writing each event as one ECS JSON line, through {@link jsonLinesSink} (so with its
 * control-character stripping and length bounds on every string).
 *
 * @example
 * ```ts
 * const onEvent = ecsSink((line) => process.stderr.write(line));
 * ```
 */
export function ecsSink(write?: (line: string) => void, options: EcsOptions = {}): EventSink {
  checkOptions(options, ['ip', 'serviceName']);
  if (options.ip !== undefined && options.ip !== 'full' && options.ip !== 'masked') {
    throw new ConfigError('ip', 'expected "full" or "masked"');
  }
  const lines = jsonLinesSink(write);
  // jsonLinesSink writes { level: 'security', ...document }: `level` is a field ECS leaves free.
  return (event) => lines(ecsDocument(event, options) as unknown as SecurityEvent);
}
