/**
 * The demo's routes as an OpenAPI 3.1 document, written from DEMO.md for the probe (routes,
 * which are protected and with which scopes, query parameters, JSON bodies, the deprecated
 * v1). The demo's own generated `/openapi.json` is used instead once it serves one.
 */
const bearer = (...scopes: string[]) => [{ bearer: scopes }, { apiKey: scopes }];
const query = (...names: string[]) => names.map((name) => ({ in: 'query', name, schema: { type: 'string' } }));
const id = [{ in: 'path', name: 'id', required: true, schema: { type: 'string', format: 'uuid' } }];
const json = { content: { 'application/json': { schema: { type: 'object' } } } };

export const demoOpenApi = {
  openapi: '3.1.0',
  info: { title: 'notes-api', version: '2' },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
  },
  paths: {
    '/health': { get: { security: [] } },
    '/.well-known/jwks.json': { get: { security: [] } },
    '/.well-known/oauth-authorization-server': { get: { security: [] } },
    '/auth/login': { post: { security: [], requestBody: json } },
    '/auth/refresh': { post: { security: [], requestBody: json } },
    '/auth/logout': { post: { security: bearer() } },
    '/v1/notes': { get: { deprecated: true, security: bearer('notes:read'), parameters: query('limit', 'cursor') } },
    '/v2/users/me': { get: { security: bearer() } },
    '/v2/notes': {
      get: { security: bearer('notes:read'), parameters: query('limit', 'cursor') },
      post: { security: bearer('notes:write'), requestBody: json },
    },
    '/v2/notes/{id}': {
      parameters: id,
      get: { security: bearer('notes:read') },
      patch: { security: bearer('notes:write'), requestBody: json },
      delete: { security: bearer('notes:write') },
    },
    '/v2/users': { get: { security: bearer('notes:read'), parameters: query('email') } },
    '/v2/api-keys': {
      get: { security: bearer('keys:manage') },
      post: { security: bearer('keys:manage'), requestBody: json },
    },
    '/admin/users': { get: { security: bearer('admin'), parameters: query('limit', 'cursor') } },
    '/admin/events': { get: { security: bearer('admin'), parameters: query('limit') } },
  },
} as const;
