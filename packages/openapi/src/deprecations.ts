import { ConfigError, checkOptions } from '@bulwark/core';
import { underPrefix } from './paths.js';
import type { DeprecationDescription, JsonObject } from './types.js';

export interface Deprecation {
  readonly prefix: string;
  readonly deprecatedAt: Date;
  readonly sunsetAt: Date | undefined;
  readonly documentation: string | undefined;
  readonly sunsetDocumentation: string | undefined;
  readonly successor: string | undefined;
  readonly enforceSunset: boolean;
}

const KEYS = [
  'prefix',
  'deprecatedAt',
  'sunsetAt',
  'documentation',
  'sunsetDocumentation',
  'successor',
  'enforceSunset',
];

const instant = (value: unknown, option: string): Date => {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()))
    throw new ConfigError(option, 'expected a Date or an ISO 8601 string');
  return date;
};

const optionalText = (value: unknown, option: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ConfigError(option, 'expected a URL');
  return value;
};

/** Checks the deprecation rules once, as `deprecationPolicy` does. */
export function compileDeprecations(rules: readonly DeprecationDescription[] | undefined): readonly Deprecation[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new ConfigError('deprecations', 'expected a list of deprecation rules');
  return rules.map((rule, i) => {
    const at = `deprecations[${i}]`;
    checkOptions(rule, KEYS, at);
    if (typeof rule.prefix !== 'string' || !rule.prefix.startsWith('/'))
      throw new ConfigError(`${at}.prefix`, 'expected a path prefix starting with /');
    const deprecatedAt = instant(rule.deprecatedAt, `${at}.deprecatedAt`);
    const sunsetAt = rule.sunsetAt === undefined ? undefined : instant(rule.sunsetAt, `${at}.sunsetAt`);
    if (sunsetAt !== undefined && sunsetAt < deprecatedAt)
      throw new ConfigError(`${at}.sunsetAt`, 'the sunset cannot precede the deprecation (RFC 9745 section 3)');
    if (rule.enforceSunset !== undefined && typeof rule.enforceSunset !== 'boolean')
      throw new ConfigError(`${at}.enforceSunset`, 'expected a boolean');
    if (rule.enforceSunset === true && sunsetAt === undefined)
      throw new ConfigError(`${at}.enforceSunset`, 'needs sunsetAt');
    return {
      prefix: rule.prefix,
      deprecatedAt,
      sunsetAt,
      documentation: optionalText(rule.documentation, `${at}.documentation`),
      sunsetDocumentation: optionalText(rule.sunsetDocumentation, `${at}.sunsetDocumentation`),
      successor: optionalText(rule.successor, `${at}.successor`),
      enforceSunset: rule.enforceSunset === true,
    };
  });
}

/** The rule covering a path: the longest matching prefix, as `deprecationPolicy`'s route table picks it. */
export function deprecationFor(rules: readonly Deprecation[], template: string): Deprecation | undefined {
  let best: Deprecation | undefined;
  for (const rule of rules) {
    if (underPrefix(template, rule.prefix) && (best === undefined || rule.prefix.length > best.prefix.length))
      best = rule;
  }
  return best;
}

/** What a deprecated operation says: a sentence, and `x-sunset` / `x-deprecated-at` / `x-successor` for tools. */
export function describeDeprecation(rule: Deprecation): { text: string; extensions: JsonObject } {
  const parts = [`Deprecated since ${rule.deprecatedAt.toISOString()}`];
  if (rule.sunsetAt !== undefined)
    parts.push(
      rule.enforceSunset
        ? `retired on ${rule.sunsetAt.toUTCString()} (410 from then on)`
        : `sunset on ${rule.sunsetAt.toUTCString()}`,
    );
  if (rule.successor !== undefined) parts.push(`successor: ${rule.successor}`);
  if (rule.documentation !== undefined) parts.push(`see ${rule.documentation}`);
  return {
    text: `${parts.join('; ')}. Every answer carries \`Deprecation\`${rule.sunsetAt === undefined ? '' : ', `Sunset`'}${
      (rule.documentation ?? rule.sunsetDocumentation ?? rule.successor) ? ' and `Link`' : ''
    }.`,
    extensions: {
      'x-deprecated-at': rule.deprecatedAt.toISOString(),
      ...(rule.sunsetAt === undefined ? {} : { 'x-sunset': rule.sunsetAt.toISOString() }),
      ...(rule.successor === undefined ? {} : { 'x-successor': rule.successor }),
    },
  };
}

/** The headers every answer of a deprecated operation carries, with their actual values as examples. */
export function deprecationHeaders(rule: Deprecation): Record<string, JsonObject> {
  const text = (description: string, example: string): JsonObject => ({
    description,
    schema: { type: 'string' },
    example,
  });
  const headers: Record<string, JsonObject> = {
    Deprecation: text(
      'When the route was deprecated (RFC 9745).',
      `@${Math.floor(rule.deprecatedAt.getTime() / 1000)}`,
    ),
  };
  if (rule.sunsetAt !== undefined)
    headers.Sunset = text('When the route stops working (RFC 8594).', rule.sunsetAt.toUTCString());
  const links = [
    rule.documentation === undefined ? undefined : `<${rule.documentation}>; rel="deprecation"; type="text/html"`,
    rule.sunsetDocumentation === undefined
      ? undefined
      : `<${rule.sunsetDocumentation}>; rel="sunset"; type="text/html"`,
    rule.successor === undefined ? undefined : `<${rule.successor}>; rel="successor-version"`,
  ].filter((link) => link !== undefined);
  if (links.length > 0)
    headers.Link = text('The deprecation, sunset and successor links (RFC 8288).', links.join(', '));
  return headers;
}
