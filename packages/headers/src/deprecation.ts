import {
  allow,
  type Clock,
  ConfigError,
  checkOptions,
  type Decision,
  deny,
  type EventSink,
  emitEvent,
  type HeaderList,
  type RequestPolicy,
  type RequestView,
  routeTable,
  systemClock,
} from '@bulwark/core';
import { flag, instant, linkTarget } from './validate.js';

export interface DeprecationRule {
  /** The routes this rule covers: a path prefix such as `/v1` (segment-aligned). */
  readonly prefix: string;
  /** When the routes were (or will be) deprecated. `Deprecation: @<epoch seconds>` (RFC 9745). */
  readonly deprecatedAt: Date | string;
  /** When they stop working. `Sunset: <HTTP-date>` (RFC 8594). Must not precede `deprecatedAt`. */
  readonly sunsetAt?: Date | string | undefined;
  /** Human documentation of the deprecation: `Link: <url>; rel="deprecation"`. */
  readonly documentation?: string | undefined;
  /** Documentation of the sunset: `Link: <url>; rel="sunset"`. */
  readonly sunsetDocumentation?: string | undefined;
  /** The replacement: `Link: <url>; rel="successor-version"`. */
  readonly successor?: string | undefined;
  /** After `sunsetAt`, answer 410 problem+json instead of serving. Default false (keep serving, with headers). */
  readonly enforceSunset?: boolean | undefined;
}

export interface DeprecationOptions {
  readonly rules: readonly DeprecationRule[];
  readonly clock?: Clock | undefined;
  /** Receives `version.sunset` when a retired route is called. */
  readonly onEvent?: EventSink | undefined;
}

/** A compiled deprecation policy. */
export interface DeprecationPolicy extends RequestPolicy {
  evaluate(view: RequestView): Decision;
}

interface CompiledRule {
  readonly prefix: string;
  readonly sunsetMs: number | undefined;
  readonly enforceSunset: boolean;
  readonly headers: HeaderList;
}

/** RFC 8594 uses the IMF-fixdate form, which is exactly what `toUTCString` produces. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function compileRule(rule: DeprecationRule, index: number): CompiledRule {
  const at = `rules[${index}].`;
  checkOptions(
    rule,
    ['prefix', 'deprecatedAt', 'sunsetAt', 'documentation', 'sunsetDocumentation', 'successor', 'enforceSunset'],
    `rules[${index}]`,
  );
  const deprecatedMs = instant(rule.deprecatedAt, `${at}deprecatedAt`);
  const sunsetMs = rule.sunsetAt === undefined ? undefined : instant(rule.sunsetAt, `${at}sunsetAt`);
  if (sunsetMs !== undefined && sunsetMs < deprecatedMs) {
    throw new ConfigError(`${at}sunsetAt`, 'the sunset cannot precede the deprecation (RFC 9745 section 3)');
  }
  const enforceSunset = flag(rule.enforceSunset, `${at}enforceSunset`, false);
  if (enforceSunset && sunsetMs === undefined) throw new ConfigError(`${at}enforceSunset`, 'needs sunsetAt');

  const headers: Array<readonly [string, string]> = [['deprecation', `@${Math.floor(deprecatedMs / 1000)}`]];
  if (sunsetMs !== undefined) headers.push(['sunset', httpDate(sunsetMs)]);
  if (rule.documentation !== undefined) {
    headers.push([
      'link',
      `<${linkTarget(rule.documentation, `${at}documentation`)}>; rel="deprecation"; type="text/html"`,
    ]);
  }
  if (rule.sunsetDocumentation !== undefined) {
    headers.push([
      'link',
      `<${linkTarget(rule.sunsetDocumentation, `${at}sunsetDocumentation`)}>; rel="sunset"; type="text/html"`,
    ]);
  }
  if (rule.successor !== undefined) {
    headers.push(['link', `<${linkTarget(rule.successor, `${at}successor`)}>; rel="successor-version"`]);
  }
  return { prefix: rule.prefix, sunsetMs, enforceSunset, headers };
}

/**
 * Announces deprecated routes or versions with `Deprecation` (RFC 9745), `Sunset`
 * (RFC 8594) and `Link` headers, and optionally retires them with 410 after the sunset.
 *
 * @example
 * ```ts
 * const deprecations = deprecationPolicy({
 *   rules: [{
 *     prefix: '/v1',
 *     deprecatedAt: '2026-01-01T00:00:00Z',
 *     sunsetAt: '2027-06-30T00:00:00Z',
 *     documentation: 'https://api.example.com/docs/v1-deprecation',
 *     successor: '/v2',
 *   }],
 * });
 * ```
 */
export function deprecationPolicy(options: DeprecationOptions): DeprecationPolicy {
  checkOptions(options, ['rules', 'clock', 'onEvent']);
  if (!Array.isArray(options.rules)) throw new ConfigError('rules', 'expected an array of deprecation rules');
  const clock = options.clock ?? systemClock;
  const compiled = options.rules.map(compileRule);
  const none = allow();
  const lookup = routeTable(
    compiled.map((rule) => ({ prefix: rule.prefix, value: rule as CompiledRule | undefined })),
    undefined,
    'rules',
  );
  const allowed = new Map(compiled.map((rule) => [rule, allow(rule.headers)]));

  return {
    name: 'deprecation',
    evaluate(view) {
      const rule = lookup(view.path);
      if (rule === undefined) return none;
      if (rule.enforceSunset && clock.now() >= (rule.sunsetMs as number)) {
        emitEvent(options.onEvent, {
          type: 'version.sunset',
          at: clock.now(),
          version: rule.prefix,
          method: view.method,
          path: view.path,
        });
        return deny('api_sunset', `This API version was retired on ${httpDate(rule.sunsetMs as number)}.`, {
          headers: rule.headers,
        });
      }
      return allowed.get(rule) ?? none;
    },
  };
}
