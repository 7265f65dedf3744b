import {
  BulwarkError,
  type Clock,
  ConfigError,
  checkOptions,
  type DenyDecision,
  type Duration,
  deny,
  type EventSink,
  emitEvent,
  parseByteSize,
  parseDuration,
  type RefusalDecision,
  type RequestValidator,
  type RequestView,
  standardDeny,
  systemClock,
  type ValidatedRequest,
  type ValidationFailedEvent,
} from '@bulwark/core';
import type { z } from 'zod';
import { parseCookies } from './cookies.js';
import { parseFormBody } from './form.js';
import { type FieldError, fieldErrors, type Location } from './issues.js';
import { decodeJson, inspectJson, RefusedJson } from './json.js';
import { unknownKeyCheck } from './key-check.js';
import { type BodyType, checkMediaType, compileAcceptedTypes, isFieldList, isIdentityEncoding } from './media-type.js';
import { type ErrorFormat, oauthRefusal } from './oauth-error.js';
import { jsonPointer } from './pointer.js';
import { coerceRecord, parseQuery } from './query.js';
import { closedDepth, expectsRecord, objectShape, strictify } from './schema-walk.js';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

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

const MAX_ERRORS = 50;
const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Node's own default `requestTimeout`: a longer body deadline would never be reached there. */
const MAX_BODY_TIMEOUT_MS = 300_000;
const EMPTY = new Uint8Array(0);
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

/**
 * Compiles the validation of one route. Status rules: a missing or wrong content type is
 * 415 (before reading), a body over the limit 413 (while reading), bytes that are not
 * UTF-8 JSON or hide `__proto__`/`constructor`/`prototype` or nest too deep 400, a
 * well-formed body that breaks the schema 422, invalid query, params or headers 400.
 * Objects are strict: unknown fields are errors unless the schema opts out with
 * `z.looseObject()`.
 *
 * @example
 * ```ts
 * const createNote = requestValidator({
 *   body: z.object({ title: z.string().min(1).max(200), tags: z.array(z.string().max(32)).max(10).optional() }),
 *   output: NoteSchema,
 *   bodyLimit: '100kb',
 * });
 * // Express (each adapter's validate() and valid() read the same way):
 * // app.post('/v2/notes', validate(createNote), (req, res) => res.status(201).json(save(valid(req, createNote).body)));
 * ```
 */
export function requestValidator<
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
  H extends Schema | undefined = undefined,
  O extends Schema | undefined = undefined,
>(options: ValidatorOptions<B, Q, P, H, O>): RequestValidator<Out<B>, Out<Q>, Out<P>, Out<H>, Out<O>> {
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
  // Strict copies, made once: zod then reports unknown keys itself (mass assignment).
  const strict = <S extends Schema | undefined>(schema: S) => (schema === undefined ? undefined : strictify(schema));
  const bodySchema = strict(options.body);
  // A closed body schema (see closedDepth) accepts nothing the hostile-JSON walk would
  // refuse, so the walk runs only when zod refuses, to tell a 400 from a 422: the same
  // answers, one walk fewer on every valid body.
  const bodyDepth = bodySchema === undefined ? undefined : closedDepth(bodySchema);
  const walkFirst = bodyDepth === undefined || bodyDepth > maxDepth;
  // Where the strict check can be done without zod (see unknownKeyCheck), valid bodies take
  // the cheaper pair: that check, then the schema as given (which strips, and here has
  // nothing to strip). Any refusal goes down the strict path, so the answers are the same.
  const keyCheck = walkFirst || bodySchema === undefined ? undefined : unknownKeyCheck(bodySchema);
  const fast = keyCheck === undefined ? undefined : { schema: options.body as Schema, check: keyCheck ?? (() => true) };
  const querySchema = strict(options.query);
  const paramsSchema = strict(options.params);
  // Headers and cookies are never strict: requests carry many the route does not declare.
  const headersSchema = options.headers;
  const cookiesSchema = options.cookies;
  const cookieNames = cookiesSchema ? Object.keys(objectShape(cookiesSchema) ?? {}) : [];
  const output = options.output;
  type Data = ValidatedRequest<Out<B>, Out<Q>, Out<P>, Out<H>>;

  // The OAuth form of a refusal, made once per refusal object: the fixed refusals below
  // are rendered once, not on every request.
  const rendered = new WeakMap<DenyDecision, RefusalDecision>();
  const render =
    errorFormat === 'problem'
      ? (decision: DenyDecision): RefusalDecision => decision
      : (decision: DenyDecision): RefusalDecision => {
          let answer = rendered.get(decision);
          if (answer === undefined) {
            answer = oauthRefusal(decision);
            rendered.set(decision, answer);
          }
          return answer;
        };
  const report = (
    view: RequestView,
    target: ValidationFailedEvent['target'],
    decision: DenyDecision,
    errorCount: number,
  ): RefusalDecision => {
    const answer = render(decision);
    emitEvent(options.onEvent, {
      type: 'validation.failed',
      at: clock.now(),
      target,
      status: answer.status,
      errorCount,
      method: view.method,
      path: view.path,
    });
    return answer;
  };
  const invalid = (view: RequestView, where: Location, status: 400 | 422, errors: FieldError[]) => {
    const list = errors.slice(0, MAX_ERRORS);
    const decision =
      status === 422
        ? deny('validation_failed', 'The request body does not match the schema.', { extensions: { errors: list } })
        : deny('bad_request', `The request ${where} is not valid.`, { extensions: { errors: list } });
    return report(view, where, decision, errors.length);
  };
  const check = (
    schema: Schema,
    value: unknown,
    where: Location,
  ): { ok: true; value: unknown } | { ok: false; errors: FieldError[] } => {
    const result = schema.safeParse(value);
    return result.success
      ? { ok: true, value: result.data }
      : { ok: false, errors: fieldErrors(result.error.issues, value, where) };
  };
  const tooLargeDecision = standardDeny('payload_too_large', [['connection', 'close']]);
  // The rest of the body may still come: the connection cannot be reused.
  const timedOutDecision = deny('request_timeout', 'The request body did not arrive in time.', {
    headers: [['connection', 'close']],
  });
  // Node keeps the first of two Content-Type fields, Web Headers join them: each framework
  // would read a different type. A request that says two things is refused, not guessed.
  const twoContentTypes = deny('bad_request', 'The request has more than one Content-Type field.');
  const unsupported = deny('unsupported_media_type', `This endpoint accepts ${accepted.join(', ')}.`, {
    extensions: { accepted: [...accepted] },
  });
  // RFC 9110 section 15.5.16: a 415 caused by a content coding names the accepted codings.
  const encoded = deny('unsupported_media_type', 'This endpoint accepts bodies without a content coding.', {
    headers: [['accept-encoding', 'identity']],
    extensions: { accepted: [...accepted] },
  });
  const malformed = {
    encoding: 'The request body is not valid UTF-8.',
    syntax: 'The request body is not valid JSON.',
    percent_encoding: 'The request body has a % that does not start a %XX escape.',
    surrogate: 'The request body has a string with an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF).',
    forbidden_key: 'The request body uses a forbidden key (__proto__, constructor or prototype).',
    depth: `The request body nests deeper than ${maxDepth} levels.`,
  } as const;
  const hostile = (view: RequestView, reason: keyof typeof malformed) =>
    report(view, 'body', deny('bad_request', malformed[reason]), 1);

  return {
    hasBody: bodySchema !== undefined,
    bodyLimit,
    bodyTimeout,
    hasOutput: output !== undefined,
    checkHead(view) {
      if (bodySchema === undefined) return undefined;
      const contentType = view.header('content-type');
      if (contentType !== undefined && isFieldList(contentType))
        return report(view, 'content-type', twoContentTypes, 1);
      if (checkMediaType(contentType, accepted) !== 'ok') return report(view, 'content-type', unsupported, 1);
      if (!isIdentityEncoding(view.header('content-encoding'))) return report(view, 'content-encoding', encoded, 1);
      const length = view.header('content-length');
      if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > bodyLimit)) {
        return report(view, 'size', /^\d+$/.test(length) ? tooLargeDecision : standardDeny('bad_request'), 1);
      }
      return undefined;
    },
    tooLarge(view) {
      return report(view, 'size', tooLargeDecision, 1);
    },
    timedOut(view) {
      return report(view, 'body', timedOutDecision, 1);
    },
    validate(parts) {
      const { view } = parts;
      // Allocated only when something fails: the success path stays allocation-light.
      let errors: FieldError[] | undefined;
      let headers: unknown;
      let cookies: unknown;
      let params: unknown;
      let query: unknown;
      if (headersSchema !== undefined) {
        const raw: Record<string, string | undefined> = {};
        for (const name of Object.keys(headerShape)) raw[name] = view.header(name);
        const result = check(headersSchema, coerceRecord(raw, headersSchema), 'headers');
        if (result.ok) headers = result.value;
        else errors = [...(errors ?? []), ...result.errors];
      }
      if (cookiesSchema !== undefined) {
        const all = parseCookies(view.header('cookie'));
        const raw: Record<string, string | undefined> = {};
        for (const name of cookieNames) raw[name] = all[name];
        const result = check(cookiesSchema, coerceRecord(raw, cookiesSchema), 'cookies');
        if (result.ok) cookies = result.value;
        else errors = [...(errors ?? []), ...result.errors];
      }
      if (paramsSchema !== undefined) {
        const result = check(paramsSchema, coerceRecord(parts.params, paramsSchema), 'params');
        if (result.ok) params = result.value;
        else errors = [...(errors ?? []), ...result.errors];
      }
      if (querySchema !== undefined) {
        const parsed = parseQuery(parts.rawQuery, querySchema);
        const result = parsed.ok ? check(querySchema, parsed.value, 'query') : parsed;
        if (result.ok) query = result.value;
        else errors = [...(errors ?? []), ...result.errors];
      }
      if (errors !== undefined) return { ok: false, decision: invalid(view, errors[0]?.in ?? 'query', 400, errors) };

      let body: unknown;
      if (bodySchema !== undefined && bodyType === 'form') {
        const form = parseFormBody(parts.body ?? EMPTY);
        if (!form.ok) {
          if (form.reason !== 'duplicate_key') return { ok: false, decision: hostile(view, form.reason) };
          // The policy of query strings and RFC 6749 §3.1: a parameter is given once.
          const repeated = {
            pointer: jsonPointer([form.key ?? '']),
            detail: 'Given more than once.',
            in: 'body' as const,
          };
          return { ok: false, decision: invalid(view, 'body', 400, [repeated]) };
        }
        const result = bodySchema.safeParse(form.value);
        if (!result.success)
          return {
            ok: false,
            decision: invalid(view, 'body', 422, fieldErrors(result.error.issues, form.value, 'body')),
          };
        body = result.data;
      } else if (bodySchema !== undefined) {
        const value = decodeJson(parts.body ?? EMPTY, maxDepth);
        if (RefusedJson.is(value)) return { ok: false, decision: hostile(view, value.reason) };
        if (fast?.check(value)) {
          const result = fast.schema.safeParse(value);
          if (result.success) return { ok: true, data: { body: result.data, query, params, headers, cookies } as Data };
        }
        if (walkFirst) {
          const failure = inspectJson(value, maxDepth);
          if (failure !== undefined) return { ok: false, decision: hostile(view, failure) };
        }
        const result = bodySchema.safeParse(value);
        if (!result.success) {
          // A closed schema refused: the walk now tells a hostile body (400) from a wrong one (422).
          const failure = walkFirst ? undefined : inspectJson(value, maxDepth);
          if (failure !== undefined) return { ok: false, decision: hostile(view, failure) };
          return {
            ok: false,
            decision: invalid(view, 'body', 422, fieldErrors(result.error.issues, value, 'body')),
          };
        }
        body = result.data;
      }
      return { ok: true, data: { body, query, params, headers, cookies } as Data };
    },
    filterOutput(value) {
      if (output === undefined) return value as Out<O>;
      const result = output.safeParse(value);
      if (!result.success) throw new OutputValidationError(result.error.issues.length);
      return result.data as Out<O>;
    },
  };
}

/**
 * A handler answered with a value its output schema refuses: a server bug, answered 500.
 * A `BulwarkError` with code `output_invalid`.
 */
export class OutputValidationError extends BulwarkError {
  constructor(issueCount: number) {
    super('output_invalid', `The response did not match its output schema (${issueCount} issue(s)); it was not sent.`);
    this.name = 'OutputValidationError';
  }
}
