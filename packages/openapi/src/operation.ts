import { ConfigError, checkOptions, type RequestValidator } from '@bulwark/core';
import { schemasOf, type ValidatorSchemas } from '@bulwark/validation';
import { type HeaderName, REF } from './components.js';
import { type Deprecation, deprecationFor, deprecationHeaders, describeDeprecation } from './deprecations.js';
import { addError, checkCodes, codesOf, type ErrorAnswer, errorContent, errorDescription } from './errors.js';
import { jsonSchemaOf, objectProperties } from './json-schema.js';
import { pathTemplate } from './paths.js';
import { describeTiers, policyField, type Tier, tiersFor } from './rate-limits.js';
import type { CompiledSecurity } from './security.js';
import type { JsonObject, OpenApiRoute, RouteResponse } from './types.js';

const ROUTE_KEYS = [
  'method',
  'path',
  'summary',
  'description',
  'operationId',
  'tags',
  'validator',
  'auth',
  'responses',
];
const RESPONSE_KEYS = ['description', 'content', 'codes', 'headers'];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];
/** OpenAPI 3.1 §4.8.12.1: header parameters with these names are ignored; security and requestBody say them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export interface Policies {
  readonly security: CompiledSecurity;
  readonly tiers: readonly Tier[];
  readonly deprecations: readonly Deprecation[];
}

export interface BuiltOperation {
  readonly template: string;
  /** Lower-case, as OpenAPI keys path items. */
  readonly method: string;
  readonly operation: JsonObject;
}

const optionalString = (value: unknown, option: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(option, 'expected a string');
  return value;
};

/** `GET /v2/notes/{id}` -> `getV2NotesId`. */
function defaultOperationId(method: string, template: string): string {
  const words = template
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]?.toUpperCase() + w.slice(1));
  return method.toLowerCase() + (words.join('') || 'Root');
}

function describedSchemas(validator: RequestValidator | undefined, option: string): ValidatorSchemas | undefined {
  if (validator === undefined) return undefined;
  const schemas = schemasOf(validator);
  // A hand-written validator checks things no schema here says: documenting it as checking
  // nothing would be a silent lie.
  if (schemas === undefined)
    throw new ConfigError(option, 'not made by requestValidator: its schemas are unknown, so it cannot be documented');
  return schemas;
}

function parameters(template: string, names: readonly string[], schemas: ValidatorSchemas | undefined, option: string) {
  const list: JsonObject[] = [];
  const paramsSchema =
    schemas?.params === undefined ? undefined : objectProperties(jsonSchemaOf(schemas.params, 'input'));
  for (const name of Object.keys(paramsSchema?.properties ?? {})) {
    if (!names.includes(name))
      throw new ConfigError(option, `the params schema names "${name}", which the path ${template} does not have`);
  }
  for (const name of names) {
    list.push({ name, in: 'path', required: true, schema: paramsSchema?.properties[name] ?? { type: 'string' } });
  }
  const from = (schema: ValidatorSchemas['query'], where: 'query' | 'header' | 'cookie') => {
    if (schema === undefined) return;
    const { properties, required } = objectProperties(jsonSchemaOf(schema, 'input'));
    for (const [name, property] of Object.entries(properties)) {
      if (where === 'header' && IGNORED_HEADERS.has(name)) continue;
      const { description, ...rest } = property as { description?: unknown };
      list.push({
        name,
        in: where,
        required: required.includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  };
  from(schemas?.query, 'query');
  from(schemas?.headers, 'header');
  from(schemas?.cookies, 'cookie');
  return list;
}

function requestBody(schemas: ValidatorSchemas): JsonObject | undefined {
  if (schemas.body === undefined) return undefined;
  const schema = jsonSchemaOf(schemas.body, 'input');
  return {
    required: true,
    description: `At most ${schemas.bodyLimit} bytes (413 beyond). Unknown fields are refused unless the schema is open.`,
    content: Object.fromEntries(schemas.accepts.map((type) => [type, { schema }])),
  };
}

/** The error answers the route's validator, authentication and limits can give. */
function generatedErrors(
  names: readonly string[],
  schemas: ValidatorSchemas | undefined,
  route: OpenApiRoute,
  tiers: readonly Tier[],
  deprecation: Deprecation | undefined,
): Map<number, ErrorAnswer> {
  const errors = new Map<number, ErrorAnswer>();
  // Every route: the adapters refuse a request they cannot take as it is (a body on a route
  // that takes none, an unparseable target) before any route logic.
  addError(errors, 'bad_request');
  if (route.auth !== undefined) {
    const challenge: HeaderName[] = ['WWW-Authenticate'];
    addError(errors, 'invalid_request', { headers: challenge });
    for (const code of ['unauthenticated', 'invalid_token', 'invalid_api_key'])
      addError(errors, code, { headers: challenge });
    if (route.auth.scopes.length > 0) addError(errors, 'insufficient_scope', { headers: challenge });
  }
  if (schemas !== undefined) {
    const oauth = schemas.errorFormat === 'oauth';
    const format = oauth ? 'oauth' : 'problem';
    if (schemas.query ?? schemas.params ?? schemas.headers ?? schemas.cookies)
      addError(errors, 'bad_request', { format });
    if (schemas.body !== undefined) {
      addError(errors, 'bad_request', { format });
      addError(errors, 'request_timeout', { format });
      addError(errors, 'payload_too_large', { format });
      addError(errors, 'unsupported_media_type', { format });
      // The OAuth form answers a schema mismatch 400 invalid_request, like any malformed request.
      addError(errors, 'validation_failed', oauth ? { format, status: 400 } : {});
    }
  }
  if (names.length > 0) addError(errors, 'not_found');
  if (tiers.length > 0) addError(errors, 'rate_limited', { headers: ['Retry-After'] });
  if (deprecation?.enforceSunset) addError(errors, 'api_sunset');
  return errors;
}

function normalizeResponse(
  value: string | RouteResponse,
  status: number,
  option: string,
): RouteResponse & { codes: readonly string[] } {
  if (typeof value === 'string') return { description: value, codes: [] };
  checkOptions(value, RESPONSE_KEYS, option);
  if (typeof value.description !== 'string') throw new ConfigError(`${option}.description`, 'expected a string');
  const content = value.content;
  if (content !== undefined && typeof content !== 'object' && !['output', 'problem', 'none'].includes(content))
    throw new ConfigError(`${option}.content`, "expected 'output', 'problem', 'none' or media types");
  if (value.headers !== undefined && (typeof value.headers !== 'object' || value.headers === null))
    throw new ConfigError(`${option}.headers`, 'expected header objects by name');
  return { ...value, codes: checkCodes(value.codes, status, `${option}.codes`) };
}

function statusOf(key: string, option: string): number {
  const status = /^[1-5]\d\d$/.test(key) ? Number(key) : Number.NaN;
  if (Number.isNaN(status)) throw new ConfigError(option, 'expected a status code such as "200"');
  return status;
}

/** Builds one operation of the document from a route and the policies. */
export function buildOperation(route: OpenApiRoute, index: number, policies: Policies): BuiltOperation {
  const at = `routes[${index}]`;
  checkOptions(route, ROUTE_KEYS, at);
  const method = typeof route.method === 'string' ? route.method.toUpperCase() : '';
  if (!METHODS.includes(method)) throw new ConfigError(`${at}.method`, `expected one of ${METHODS.join(', ')}`);
  const { template, params: names } = pathTemplate(route.path, `${at}.path`);
  const schemas = describedSchemas(route.validator, `${at}.validator`);
  let security: JsonObject[] | undefined;
  if (route.auth !== undefined) {
    checkOptions(route.auth, ['scopes'], `${at}.auth`);
    if (!Array.isArray(route.auth.scopes)) throw new ConfigError(`${at}.auth.scopes`, 'expected a list of scopes');
    security = policies.security.requirement(route.auth.scopes, `${at}.auth.scopes`);
  }
  const tiers = tiersFor(policies.tiers, method, template, route.auth !== undefined);
  const deprecation = deprecationFor(policies.deprecations, template);

  // Headers every answer of this operation carries: the limits' fields and the deprecation's.
  const everyAnswer: Record<string, JsonObject> = {};
  if (tiers.length > 0) {
    everyAnswer.RateLimit = { $ref: REF.header('RateLimit') };
    everyAnswer['RateLimit-Policy'] = {
      description: `The limits applied (here at most: \`${policyField(tiers)}\`).`,
      schema: { type: 'string' },
      example: policyField(tiers),
    };
  }
  const deprecated = deprecation === undefined ? {} : deprecationHeaders(deprecation);
  // Not on 429: the rate limits run first (before the deprecation policy), and a refusal
  // ends the pipeline, so a limit's 429 does not carry them.
  const headersAt = (status: number): Record<string, JsonObject> =>
    status === 429 ? { ...everyAnswer } : { ...everyAnswer, ...deprecated };

  const responses: Record<string, JsonObject> = {};
  const given = route.responses ?? {};
  if (typeof given !== 'object' || given === null)
    throw new ConfigError(`${at}.responses`, 'expected responses by status');
  const errors = generatedErrors(names, schemas, route, tiers, deprecation);
  const output = schemas?.output === undefined ? undefined : jsonSchemaOf(schemas.output, 'output');
  const entries = Object.entries(given).map(([key, value]) => {
    const status = statusOf(key, `${at}.responses.${key}`);
    return [status, normalizeResponse(value, status, `${at}.responses.${key}`)] as const;
  });
  if (!entries.some(([status]) => status < 400)) entries.unshift([200, { description: 'OK', codes: [] }]);
  for (const [status, response] of entries) {
    const content =
      response.content ?? (status >= 400 ? 'problem' : status === 204 || status >= 300 || !output ? 'none' : 'output');
    const headers = { ...headersAt(status), ...(response.headers ?? {}) };
    const generated = errors.get(status);
    errors.delete(status);
    // What the validator, authentication or limits answer at this status joins the route's own.
    for (const name of generated?.headers ?? []) headers[name] = { $ref: REF.header(name) };
    let body: JsonObject | undefined;
    if (content === 'output') {
      if (output === undefined)
        throw new ConfigError(`${at}.responses.${status}.content`, "'output' needs a validator with an output schema");
      body = { 'application/json': { schema: output } };
    } else if (content === 'problem') {
      const codes = new Set([...(generated?.codes ?? []), ...response.codes]);
      body = errorContent(status, { codes, oauthCodes: generated?.oauthCodes ?? new Set(), headers: new Set() });
    } else if (content !== 'none') body = { ...content };
    if (generated !== undefined && content !== 'problem') body = { ...body, ...errorContent(status, generated) };
    responses[String(status)] = {
      description:
        generated === undefined
          ? response.description
          : `${response.description}. Also ${errorDescription(codesOf(generated))}`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(body === undefined ? {} : { content: body }),
    };
  }
  for (const [status, answer] of [...errors].sort(([a], [b]) => a - b)) {
    const headers = headersAt(status);
    for (const name of answer.headers) headers[name] = { $ref: REF.header(name) };
    responses[String(status)] = {
      description: errorDescription(codesOf(answer)),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: errorContent(status, answer),
    };
  }

  const description = [
    optionalString(route.description, `${at}.description`),
    tiers.length > 0 ? describeTiers(tiers).text : undefined,
    deprecation === undefined ? undefined : describeDeprecation(deprecation).text,
  ].filter((part) => part !== undefined);
  const operationId = optionalString(route.operationId, `${at}.operationId`) ?? defaultOperationId(method, template);
  if (route.tags !== undefined && (!Array.isArray(route.tags) || route.tags.some((t) => typeof t !== 'string')))
    throw new ConfigError(`${at}.tags`, 'expected a list of strings');
  const body = schemas === undefined ? undefined : requestBody(schemas);
  const list = parameters(template, names, schemas, `${at}.validator`);
  const operation: JsonObject = {
    operationId,
    ...(route.summary === undefined ? {} : { summary: optionalString(route.summary, `${at}.summary`) }),
    ...(description.length > 0 ? { description: description.join('\n\n') } : {}),
    ...(route.tags === undefined ? {} : { tags: [...route.tags] }),
    ...(list.length > 0 ? { parameters: list } : {}),
    ...(body === undefined ? {} : { requestBody: body }),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    ...(security === undefined ? {} : { security }),
    ...(deprecation === undefined ? {} : { deprecated: true, ...describeDeprecation(deprecation).extensions }),
    ...(tiers.length > 0 ? { 'x-bulwark-rate-limits': describeTiers(tiers).extension } : {}),
  };
  return { template, method: method.toLowerCase(), operation };
}
