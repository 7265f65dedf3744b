import {
  BulwarkError,
  type DenyDecision,
  deny,
  emitEvent,
  type RefusalDecision,
  type RequestView,
  type ValidatedRequest,
  type ValidationFailedEvent,
} from '@bulwark/core';
import type { z } from 'zod';
import { parseCookies } from './cookies.js';
import type { DescribedValidator, ValidatorSchemas } from './described.js';
import { parseFormBody } from './form.js';
import { type FieldError, fieldErrors, type Location } from './issues.js';
import { decodeJson, inspectJson, RefusedJson } from './json.js';
import { unknownKeyCheck } from './key-check.js';
import { checkMediaType, isFieldList, isIdentityEncoding } from './media-type.js';
import { oauthRefusal } from './oauth-error.js';
import { pointedError } from './pointer.js';
import { coerceRecord, parseQuery } from './query.js';
import { fixedRefusals, type MalformedBody } from './refusals.js';
import { closedDepth, objectShape, strictify } from './schema-walk.js';
import { type ValidatorOptions, validatorSettings } from './validator-options.js';

/** The 400 detail per part of the request: one sentence, grammatical for each. */
const INVALID_PART: Readonly<Record<Location, string>> = Object.freeze({
  body: 'The request body is not valid.',
  query: 'The query string is not valid.',
  params: 'The path parameters are not valid.',
  headers: 'The request headers are not valid.',
  cookies: 'The cookies are not valid.',
});

export type { ValidatorOptions } from './validator-options.js';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

const MAX_ERRORS = 50;
const EMPTY = new Uint8Array(0);

/**
 * Compiles the validation of one route. Status rules: a missing or wrong content type is
 * 415 (before reading), a body over the limit 413 (while reading), bytes that are not
 * UTF-8 JSON or hide `__proto__`/`constructor`/`prototype` or nest too deep 400, a
 * well-formed body that breaks the schema 422, invalid query, params or headers 400.
 * Objects are strict: unknown fields are errors unless the schema opts out with
 * `z.looseObject()`. `bodyType: 'form'` takes `application/x-www-form-urlencoded` bodies
 * under the same limits (a repeated field, malformed escapes and non-UTF-8 bytes are
 * 400); `errorFormat: 'oauth'` answers every refusal in the RFC 6749 §5.2 form.
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
 *
 * // An OAuth token endpoint: form fields in, RFC 6749 §5.2 errors out.
 * const tokenRequest = requestValidator({
 *   bodyType: 'form',
 *   errorFormat: 'oauth',
 *   body: z.looseObject({ grant_type: z.string() }),
 *   bodyLimit: '8kb',
 * });
 * ```
 */
export function requestValidator<
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
  H extends Schema | undefined = undefined,
  O extends Schema | undefined = undefined,
>(options: ValidatorOptions<B, Q, P, H, O>): DescribedValidator<Out<B>, Out<Q>, Out<P>, Out<H>, Out<O>> {
  const { bodyType, errorFormat, accepted, bodyLimit, bodyTimeout, maxDepth, clock, headerShape } =
    validatorSettings(options);
  // Strict copies, made once: zod then reports unknown keys itself (mass assignment).
  const strict = <S extends Schema | undefined>(schema: S) => (schema === undefined ? undefined : strictify(schema));
  const bodySchema = strict(options.body);
  // A closed body schema (see closedDepth) accepts nothing the hostile-JSON walk would
  // refuse, so the walk runs only when zod refuses, to tell a 400 from a 422: the same
  // answers, one walk fewer on every valid body. (A form body is flat: neither applies.)
  const bodyDepth = bodySchema === undefined || bodyType === 'form' ? undefined : closedDepth(bodySchema);
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
        : deny('bad_request', INVALID_PART[where], { extensions: { errors: list } });
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
  const refusals = fixedRefusals(accepted, maxDepth);
  const hostile = (view: RequestView, reason: MalformedBody) => report(view, 'body', refusals.malformed[reason], 1);
  const schemas: ValidatorSchemas = Object.freeze({
    body: bodySchema,
    bodyType,
    accepts: Object.freeze([...accepted]),
    query: querySchema,
    params: paramsSchema,
    headers: headersSchema,
    cookies: cookiesSchema,
    output,
    bodyLimit,
    errorFormat,
  });

  return {
    schemas,
    hasBody: bodySchema !== undefined,
    bodyLimit,
    bodyTimeout,
    hasOutput: output !== undefined,
    checkHead(view) {
      if (bodySchema === undefined) return undefined;
      const contentType = view.header('content-type');
      if (contentType !== undefined && isFieldList(contentType))
        return report(view, 'content-type', refusals.twoContentTypes, 1);
      if (checkMediaType(contentType, accepted) !== 'ok') return report(view, 'content-type', refusals.unsupported, 1);
      if (!isIdentityEncoding(view.header('content-encoding')))
        return report(view, 'content-encoding', refusals.encoded, 1);
      const length = view.header('content-length');
      if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > bodyLimit)) {
        return report(view, 'size', /^\d+$/.test(length) ? refusals.tooLarge : refusals.badLength, 1);
      }
      return undefined;
    },
    tooLarge(view) {
      return report(view, 'size', refusals.tooLarge, 1);
    },
    timedOut(view) {
      return report(view, 'body', refusals.timedOut, 1);
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
          // The policy of query strings, and RFC 6749 §3.1 and §3.2: a parameter is given once.
          const repeated = { ...pointedError([form.key ?? ''], 'Given more than once.'), in: 'body' as const };
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
