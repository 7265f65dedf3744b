import {
  type Clock,
  ConfigError,
  checkOptions,
  type Duration,
  type EventSink,
  parseByteSize,
  parseDuration,
  systemClock,
} from '@bulwark/core';
import type { z } from 'zod';
import { type BodyType, compileAcceptedTypes } from './media-type.js';
import type { ErrorFormat } from './oauth-error.js';
import { expectsRecord, objectShape } from './schema-walk.js';

type Schema = z.ZodType;

export interface ValidatorOptions<
  B extends Schema | undefined,
  Q extends Schema | undefined,
  P extends Schema | undefined,
  H extends Schema | undefined,
  O extends Schema | undefined,
> {
  /**
   * The body. A route with a body schema requires a body of an accepted type: JSON by
   * default, `application/x-www-form-urlencoded` with `bodyType: 'form'`.
   */
  readonly body?: B | undefined;
  /**
   * How the body is parsed. `'json'` (default): see `accepts` and `maxDepth`. `'form'`:
   * `application/x-www-form-urlencoded` only (a `charset` other than UTF-8 is 415), read
   * with the same limit and deadline, parsed by the WHATWG `URLSearchParams` after a
   * strict UTF-8 check; malformed percent-encoding, `%XX` bytes that are not UTF-8, a
   * field given twice and `__proto__`/`constructor`/`prototype` are 400. The schema gets
   * a null-prototype `Record<string, string>` (no coercion: use `z.coerce` where a number
   * is meant), so it must take an object (or a union of objects); objects are strict.
   */
  readonly bodyType?: BodyType | undefined;
  /**
   * How refusals are rendered. `'problem'` (default): RFC 9457 problem+json. `'oauth'`:
   * the OAuth 2.0 error response (RFC 6749 §5.2) for token endpoints: `application/json`
   * `{"error":"invalid_request","error_description":"..."}` with `Cache-Control: no-store`
   * and `Pragma: no-cache`, status 400 for every refusal but 408, 413 and 415, which keep
   * theirs. The `validation.failed` event is emitted either way, with the status sent.
   */
  readonly errorFormat?: ErrorFormat | undefined;
  /** The query string, as an object schema. Numbers and booleans are coerced. */
  readonly query?: Q | undefined;
  /** Path parameters, as an object schema. */
  readonly params?: P | undefined;
  /** Headers, as an object schema with lower-case names; only declared headers are read. */
  readonly headers?: H | undefined;
  /**
   * Cookies (parsed from the `Cookie` header, so the same on every framework), as an object
   * schema; only declared cookies are read. Typed data: `valid(...).cookies`.
   */
  readonly cookies?: z.ZodType | undefined;
  /** Output schema: undeclared fields are dropped from 2xx answers (API3, excessive data exposure). */
  readonly output?: O | undefined;
  /** Accepted body media types. Default `['application/json']`; JSON types only (not with `bodyType: 'form'`). */
  readonly accepts?: readonly string[] | undefined;
  /** Body limit, enforced while reading: bytes or `"100kb"`. Default 100 KiB. */
  readonly bodyLimit?: number | string | undefined;
  /**
   * How long the whole body may take to arrive, from the moment Bulwark starts reading it
   * to its last byte: milliseconds or a duration such as `"30s"`. Past it the answer is
   * 408 `request_timeout` and the connection is closed, however steadily bytes trickle in.
   * Default 10 s (with the default 100 KiB limit, a client slower than about 80 kbit/s);
   * at most 5 minutes. Raise it with `bodyLimit` on routes that take large bodies.
   */
  readonly bodyTimeout?: Duration | undefined;
  /** Deepest nesting of a JSON body. Default 32. A form body is flat. */
  readonly maxDepth?: number | undefined;
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
}

const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Node's own default `requestTimeout`: a longer body deadline would never be reached there. */
const MAX_BODY_TIMEOUT_MS = 300_000;
const KNOWN = [
  'body',
  'bodyType',
  'errorFormat',
  'query',
  'params',
  'headers',
  'cookies',
  'output',
  'accepts',
  'bodyLimit',
  'bodyTimeout',
  'maxDepth',
  'onEvent',
  'clock',
];

function isSchema(value: unknown): value is Schema {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function' &&
    '_zod' in value
  );
}

/** The settings of a validator, checked once at the factory. */
export interface ValidatorSettings {
  readonly bodyType: BodyType;
  readonly errorFormat: ErrorFormat;
  readonly accepted: readonly string[];
  readonly bodyLimit: number;
  readonly bodyTimeout: number;
  readonly maxDepth: number;
  readonly clock: Clock;
  /** The declared headers, by lower-case name. */
  readonly headerShape: Readonly<Record<string, z.ZodType>>;
}

/** Checks `requestValidator`'s options, throwing a `ConfigError` that names the first bad one. */
export function validatorSettings(
  options: ValidatorOptions<
    Schema | undefined,
    Schema | undefined,
    Schema | undefined,
    Schema | undefined,
    Schema | undefined
  >,
): ValidatorSettings {
  checkOptions(options, KNOWN);
  for (const key of ['body', 'query', 'params', 'headers', 'cookies', 'output'] as const) {
    if (options[key] !== undefined && !isSchema(options[key])) throw new ConfigError(key, 'expected a zod 4 schema');
  }
  for (const key of ['query', 'params', 'headers', 'cookies'] as const) {
    const schema = options[key];
    if (schema !== undefined && objectShape(schema) === undefined)
      throw new ConfigError(key, 'expected an object schema');
  }
  const headerShape = options.headers ? (objectShape(options.headers) ?? {}) : {};
  for (const name of Object.keys(headerShape)) {
    if (name !== name.toLowerCase()) throw new ConfigError(`headers.${name}`, 'header names must be lower-case');
  }
  const bodyType = options.bodyType ?? 'json';
  if (bodyType !== 'json' && bodyType !== 'form') throw new ConfigError('bodyType', "expected 'json' or 'form'");
  if (bodyType === 'form' && options.body !== undefined && !expectsRecord(options.body))
    throw new ConfigError('body', 'a form body is a flat record of strings: expected an object schema');
  const errorFormat = options.errorFormat ?? 'problem';
  if (errorFormat !== 'problem' && errorFormat !== 'oauth')
    throw new ConfigError('errorFormat', "expected 'problem' or 'oauth'");
  const accepted = compileAcceptedTypes(options.accepts, bodyType);
  const bodyLimit = parseByteSize(options.bodyLimit ?? 100 * 1024);
  if (bodyLimit === undefined || bodyLimit < 1)
    throw new ConfigError('bodyLimit', 'expected a positive number of bytes or a size such as "100kb"');
  const bodyTimeout =
    options.bodyTimeout === undefined ? DEFAULT_BODY_TIMEOUT_MS : parseDuration(options.bodyTimeout, 'bodyTimeout');
  if (bodyTimeout < 1 || bodyTimeout > MAX_BODY_TIMEOUT_MS)
    throw new ConfigError(
      'bodyTimeout',
      'expected a duration from 1 ms to 5 minutes (a body must not hold a connection open indefinitely)',
    );
  const maxDepth = options.maxDepth ?? 32;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > 512)
    throw new ConfigError('maxDepth', 'expected an integer from 1 to 512');
  const clock = options.clock ?? systemClock;
  return { bodyType, errorFormat, accepted, bodyLimit, bodyTimeout, maxDepth, clock, headerShape };
}
