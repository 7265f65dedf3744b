import { expect } from 'vitest';
import { expectProblem, expectProfile, varyTokens } from './expect.js';
import { ALLOWED_ORIGIN } from './fixture.js';
import type { AdapterScenario } from './scenario.js';

// Issue #14, section 2: the HTTP-facing differences from jub0bs/cors, on every framework.
// The fixture's policy lists GET, POST and DELETE, the headers content-type and
// x-request-id, and the pattern https://*.preview.example.com.

const preflight = (method: string, requestHeaders: string): Record<string, string> => ({
  origin: ALLOWED_ORIGIN,
  'access-control-request-method': method,
  'access-control-request-headers': requestHeaders,
});

export const corsScenarios: readonly AdapterScenario[] = [
  {
    name: 'CORS: a preflight for HEAD, a CORS-safelisted method, is allowed though not listed',
    request: { method: 'OPTIONS', path: '/v2/notes', headers: preflight('HEAD', 'x-request-id') },
    check(res) {
      expect(res.status).toBe(204);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(res.header('access-control-allow-methods')).toBe('HEAD');
      expect(res.header('access-control-allow-headers')).toBe('x-request-id');
      expectProfile(res);
    },
  },
  {
    name: 'CORS: empty elements in Access-Control-Request-Headers are ignored',
    request: { method: 'OPTIONS', path: '/v2/notes', headers: preflight('POST', ',,content-type,, x-request-id,') },
    check(res) {
      expect(res.status).toBe(204);
      expect(res.header('access-control-allow-headers')).toBe('content-type,x-request-id');
    },
  },
  {
    name: 'CORS: more than 16 empty elements in Access-Control-Request-Headers are refused 403',
    request: { method: 'OPTIONS', path: '/v2/notes', headers: preflight('POST', `content-type${','.repeat(17)}`) },
    check(res) {
      expectProblem(res, 403, 'cors_preflight_rejected');
      expect(res.header('access-control-allow-origin')).toBeUndefined();
      expect(varyTokens(res)).toContain('origin');
    },
  },
  {
    name: 'CORS: a wildcard pattern matches a label with a leading hyphen, as the URL standard allows',
    request: { method: 'GET', path: '/v2/notes', headers: { origin: 'https://-pr-7-.preview.example.com' } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('access-control-allow-origin')).toBe('https://-pr-7-.preview.example.com');
    },
  },
];
