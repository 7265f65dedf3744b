import { ConfigError, type RequestValidator } from '@bulwark/core';
import { paginationQuery, requestValidator } from '@bulwark/validation';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type OpenApiOptions, type OpenApiRoute, openApiDocument, pathTemplate } from './index.js';
import { documentProblems } from './test-helpers.js';

type Op = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { headers?: Record<string, { example?: string; $ref?: string }>; content?: Record<string, Contentish> }
  >;
  security?: Array<Record<string, string[]>>;
  deprecated?: boolean;
  description?: string;
  'x-bulwark-rate-limits'?: unknown;
  'x-sunset'?: string;
};

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON, read at depth.
type Contentish = any;
type Problemish = { properties: { errors: { items: { required: string[] } } } };
type Schemeish = Record<string, unknown> & { flows: { authorizationCode: unknown } };
type Brokenish = { paths: { '/v2/notes/{id}': { get: { parameters: unknown } } }; info: { version?: string } };

const security = {
  bearer: {},
  apiKey: { header: 'X-API-Key' },
  oauth2: {
    authorizationUrl: '/oauth/authorize',
    tokenUrl: '/oauth/token',
    scopes: { 'notes:read': 'Read notes', 'notes:write': 'Write notes' },
  },
  realm: 'notes-api',
} as const;

const note = z.object({ id: z.string(), title: z.string() });
const v = {
  get: requestValidator({ params: z.object({ id: z.uuid() }), output: note }),
  create: requestValidator({ body: z.object({ title: z.string().max(200) }), output: note, bodyLimit: '4kb' }),
  list: requestValidator({
    query: paginationQuery(),
    headers: z.object({ 'x-trace': z.string().optional(), authorization: z.string().optional() }),
    cookies: z.object({ sid: z.string() }),
  }),
  form: requestValidator({ bodyType: 'form', errorFormat: 'oauth', body: z.record(z.string(), z.string()) }),
};

const build = (routes: OpenApiRoute[], extra: Partial<OpenApiOptions> = {}) =>
  openApiDocument({ info: { title: 'T', version: '1' }, routes, security, ...extra });
const op = (doc: ReturnType<typeof build>, path: string, method: string) => doc.paths[path]?.[method] as unknown as Op;
const refusal = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe('pathTemplate', () => {
  it.each([
    ['/', '/', []],
    ['/v2/notes', '/v2/notes', []],
    ['/v2/notes/:id', '/v2/notes/{id}', ['id']],
    ['/v2/api-keys/:id/rotate', '/v2/api-keys/{id}/rotate', ['id']],
    ['/a/:x/b/:y', '/a/{x}/b/{y}', ['x', 'y']],
    ['/a/{x}', '/a/{x}', ['x']],
    ['/.well-known/jwks.json', '/.well-known/jwks.json', []],
  ])('%s -> %s', (path, template, params) => {
    expect(pathTemplate(path, 'p')).toEqual({ template, params });
  });

  it.each(['v2/notes', '/a/:id?', '/a/:id(\\d+)', '/a/*', '/a/x:id', '/a/:id/:id', '/a//b', '/a/', '/a/{x'])(
    'refuses %s (no OpenAPI form, or not a route)',
    (path) => {
      expect(refusal(() => pathTemplate(path, 'routes[0].path')).option).toBe('routes[0].path');
    },
  );
});

describe('openApiDocument', () => {
  const doc = build(
    [
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/v2/notes', validator: v.list, auth: { scopes: ['notes:read'] } },
      {
        method: 'POST',
        path: '/v2/notes',
        validator: v.create,
        auth: { scopes: ['notes:write'] },
        responses: { 201: 'Created' },
      },
      { method: 'GET', path: '/v2/notes/:id', validator: v.get, auth: { scopes: ['notes:read'] } },
      { method: 'GET', path: '/v2/users/me', auth: { scopes: [] } },
      { method: 'POST', path: '/oauth/token', validator: v.form },
      { method: 'GET', path: '/v1/notes', auth: { scopes: ['notes:read'] } },
    ],
    {
      rateLimits: [
        {
          name: 'client',
          limits: [
            { name: 'ip', limit: 1000, window: '15m' },
            { name: 'signin', limit: 20, window: '60s', paths: ['/oauth/token'], methods: ['POST'] },
          ],
          skipPaths: ['/health'],
        },
        { name: 'user', limits: [{ name: 'user', key: 'principal', limit: 100, window: '60s', paths: ['/v2'] }] },
      ],
      deprecations: [
        {
          prefix: '/v1',
          deprecatedAt: '2026-06-01T00:00:00Z',
          sunsetAt: '2027-06-30T00:00:00Z',
          documentation: '/docs/v1',
          successor: '/v2/notes',
        },
      ],
    },
  );

  it('is a valid OpenAPI 3.1 document for both validators', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(await documentProblems(doc)).toEqual([]);
  });

  it('the validators do find a broken document (so the check above can fail)', async () => {
    const broken = structuredClone(doc) as unknown as Brokenish;
    broken.paths['/v2/notes/{id}'].get.parameters = [];
    delete broken.info.version;
    const problems = await documentProblems(broken);
    expect(problems.join('\n')).toContain('version');
    expect(problems.some((p) => p.startsWith('spec:'))).toBe(true);
  });

  it('converts Express paths and takes the path parameters from the params schema', () => {
    expect(Object.keys(doc.paths)).toContain('/v2/notes/{id}');
    const get = op(doc, '/v2/notes/{id}', 'get');
    expect(get.operationId).toBe('getV2NotesId');
    expect(get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ format: 'uuid' }) },
    ]);
  });

  it('declares the three schemes, and each protected operation takes any of them with its scopes', () => {
    const schemes = doc.components.securitySchemes as Record<string, Schemeish>;
    expect(schemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(schemes.apiKeyAuth).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(schemes.oauth2?.flows.authorizationCode).toEqual({
      authorizationUrl: '/oauth/authorize',
      tokenUrl: '/oauth/token',
      scopes: { 'notes:read': 'Read notes', 'notes:write': 'Write notes' },
    });
    expect(op(doc, '/v2/notes', 'post').security).toEqual([
      { bearerAuth: ['notes:write'] },
      { apiKeyAuth: ['notes:write'] },
      { oauth2: ['notes:write'] },
    ]);
    expect(op(doc, '/v2/users/me', 'get').security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }, { oauth2: [] }]);
    expect(op(doc, '/health', 'get').security).toBeUndefined();
  });

  it('documents 401 and 403 with WWW-Authenticate on protected routes; no 403 without scopes', () => {
    const post = op(doc, '/v2/notes', 'post');
    for (const status of ['401', '403']) {
      expect(post.responses[status]?.headers?.['WWW-Authenticate']).toEqual({
        $ref: '#/components/headers/WWW-Authenticate',
      });
      expect(post.responses[status]?.content?.['application/problem+json']).toBeDefined();
    }
    expect(post.responses['401']?.content?.['application/problem+json'].schema.allOf[1].properties.code.enum).toEqual([
      'invalid_api_key',
      'invalid_token',
      'unauthenticated',
    ]);
    expect(op(doc, '/v2/users/me', 'get').responses['403']).toBeUndefined();
    expect(op(doc, '/health', 'get').responses['401']).toBeUndefined();
  });

  it('documents the body, its media type and its refusals: 400, 408, 413, 415, 422 (with the errors array)', () => {
    const post = op(doc, '/v2/notes', 'post');
    expect(post.requestBody?.content['application/json']?.schema).toMatchObject({
      additionalProperties: false,
      required: ['title'],
    });
    expect(Object.keys(post.responses)).toEqual(['201', '400', '401', '403', '408', '413', '415', '422', '429']);
    expect(post.responses['201']?.content?.['application/json'].schema).toMatchObject({
      properties: { id: {}, title: {} },
    });
    expect(post.responses['422']?.content?.['application/problem+json'].schema.allOf[0]).toEqual({
      $ref: '#/components/schemas/ValidationProblem',
    });
    const problem = (doc.components.schemas as Record<string, Problemish>).Problem;
    expect(problem?.properties.errors.items.required).toEqual(['pointer', 'detail', 'in']);
    const form = op(doc, '/oauth/token', 'post');
    expect(Object.keys(form.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    // errorFormat 'oauth': the validator's refusals are RFC 6749 §5.2 errors, a schema mismatch 400.
    // (A 400 the adapters give before the validator, say a second Content-Type field, stays problem+json.)
    const oauthError = { schema: { $ref: '#/components/schemas/OAuthError' } };
    expect(form.responses['400']?.content?.['application/json']).toEqual(oauthError);
    expect(form.responses['413']?.content).toEqual({ 'application/json': oauthError });
    expect(form.responses['422']).toBeUndefined();
  });

  it('documents query, header and cookie parameters, but not Authorization (security says it)', () => {
    const list = op(doc, '/v2/notes', 'get').parameters ?? [];
    expect(list.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'query:limit:false',
      'query:cursor:false',
      'header:x-trace:false',
      'cookie:sid:true',
    ]);
    expect(list[0]?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
  });

  it('describes the rate-limit tiers on each operation they cover, with RateLimit headers and 429 Retry-After', () => {
    const post = op(doc, '/v2/notes', 'post');
    expect(post['x-bulwark-rate-limits']).toEqual([
      { policy: 'client', name: 'ip', limit: 1000, window: 900, key: 'ip' },
      { policy: 'user', name: 'user', limit: 100, window: 60, key: 'principal', paths: ['/v2'] },
    ]);
    expect(post.responses['201']?.headers?.['RateLimit-Policy']?.example).toBe('"ip";q=1000;w=900, "user";q=100;w=60');
    expect(post.responses['422']?.headers?.RateLimit).toEqual({ $ref: '#/components/headers/RateLimit' });
    expect(post.responses['429']?.headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/Retry-After' });
    expect(post.description).toContain('`user` 100 per 60 s per authenticated caller');
    // Methods and paths scope a limit; a principal limit never covers a public route.
    const token = op(doc, '/oauth/token', 'post');
    expect(token.responses['200']?.headers?.['RateLimit-Policy']?.example).toBe(
      '"ip";q=1000;w=900, "signin";q=20;w=60',
    );
    expect(op(doc, '/v2/notes', 'get').responses['200']?.headers?.['RateLimit-Policy']?.example).toBe(
      '"ip";q=1000;w=900, "user";q=100;w=60',
    );
    // skipPaths: /health is never counted, so it has no 429 and no RateLimit fields.
    const health = op(doc, '/health', 'get');
    expect(health.responses['429']).toBeUndefined();
    expect(health.responses['200']?.headers).toBeUndefined();
  });

  it('marks deprecated routes with the Sunset information and the headers of every answer but 429', () => {
    const v1 = op(doc, '/v1/notes', 'get');
    expect(v1.deprecated).toBe(true);
    expect(v1['x-sunset']).toBe('2027-06-30T00:00:00.000Z');
    expect(v1.description).toContain('sunset on Wed, 30 Jun 2027 00:00:00 GMT');
    const headers = v1.responses['200']?.headers ?? {};
    expect(headers.Deprecation?.example).toBe('@1780272000');
    expect(headers.Sunset?.example).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    expect(headers.Link?.example).toBe(
      '</docs/v1>; rel="deprecation"; type="text/html", </v2/notes>; rel="successor-version"',
    );
    expect(v1.responses['401']?.headers?.Deprecation).toBeDefined();
    expect(v1.responses['429']?.headers?.Deprecation).toBeUndefined();
    expect(op(doc, '/v2/notes', 'get').deprecated).toBeUndefined();
  });

  it('adds 410 to a deprecation that enforces its sunset', () => {
    const retired = build([{ method: 'GET', path: '/v1/x' }], {
      deprecations: [
        { prefix: '/v1', deprecatedAt: '2020-01-01T00:00:00Z', sunsetAt: '2021-01-01T00:00:00Z', enforceSunset: true },
      ],
    });
    expect(op(retired, '/v1/x', 'get').responses['410']).toBeDefined();
  });

  it("merges a route's own answers with the generated ones at the same status", () => {
    const d = build(
      [
        {
          method: 'POST',
          path: '/auth/login',
          validator: v.create,
          responses: {
            200: 'Tokens',
            401: { description: 'Wrong password', codes: ['invalid_credentials'] },
            429: { description: 'Locked', codes: ['login_locked'] },
          },
        },
      ],
      { rateLimits: [{ limits: [{ name: 'ip', limit: 5, window: 60_000 }] }] },
    );
    const login = op(d, '/auth/login', 'post');
    expect(login.responses['429']?.content?.['application/problem+json'].schema.allOf[1].properties.code.enum).toEqual([
      'login_locked',
      'rate_limited',
    ]);
    expect(login.responses['429']?.headers?.['Retry-After']).toBeDefined();
    expect(login.responses['401']?.headers?.['WWW-Authenticate']).toBeUndefined();
  });
});

describe('openApiDocument refuses at once', () => {
  const ok: OpenApiRoute = { method: 'GET', path: '/x' };
  it.each<[string, () => unknown, string]>([
    [
      'a protected route without security',
      () => openApiDocument({ info: { title: 'T', version: '1' }, routes: [{ ...ok, auth: { scopes: [] } }] }),
      'routes[0].auth.scopes',
    ],
    [
      'a scope the OAuth scheme does not list',
      () => build([{ ...ok, auth: { scopes: ['notes:raed'] } }]),
      'routes[0].auth.scopes[0]',
    ],
    ['two routes on one method and path', () => build([ok, { method: 'get', path: '/x' }]), 'routes[1]'],
    ['a params schema naming what the path lacks', () => build([{ ...ok, validator: v.get }]), 'routes[0].validator'],
    [
      'a hand-written validator',
      () => build([{ ...ok, validator: { hasBody: false } as unknown as RequestValidator }]),
      'routes[0].validator',
    ],
    [
      'a code under another status',
      () => build([{ ...ok, responses: { 401: { description: 'x', codes: ['not_found'] } } }]),
      'routes[0].responses.401.codes[0]',
    ],
    ['an unknown method', () => build([{ ...ok, method: 'BREW' }]), 'routes[0].method'],
    [
      'an OAuth endpoint in the clear',
      () => build([ok], { security: { oauth2: { ...security.oauth2, tokenUrl: 'http://auth.example.com/token' } } }),
      'security.oauth2.tokenUrl',
    ],
    [
      'the API key in Authorization',
      () => build([ok], { security: { apiKey: { header: 'Authorization' } } }),
      'security.apiKey.header',
    ],
    ['no scheme at all', () => build([ok], { security: {} }), 'security'],
    [
      'a sunset before the deprecation',
      () => build([ok], { deprecations: [{ prefix: '/v1', deprecatedAt: '2027-01-01', sunsetAt: '2026-01-01' }] }),
      'deprecations[0].sunsetAt',
    ],
    [
      'a bad window',
      () => build([ok], { rateLimits: [{ limits: [{ name: 'a', limit: 1, window: 'soon' as never }] }] }),
      'rateLimits[0].limits[0].window',
    ],
    ['a route key typo', () => build([{ ...ok, sumary: 'x' } as OpenApiRoute]), 'routes[0].sumary'],
  ])('%s', (_what, fn, option) => {
    expect(refusal(fn).option).toBe(option);
  });
});
