import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allow, deny, respond } from './decision.js';
import type { RequestPolicy } from './policy.js';
import { evaluatePolicy, requestTargetPath } from './request-target.js';
import { requestView } from './request-view.js';

/** The reference readings: a segment that is `.` or `..`; a `%XX` that encodes an RFC 3986 unreserved character. */
const hasDotSegment = (path: string) => path.split('/').some((segment) => segment === '.' || segment === '..');
const encodesUnreserved = (path: string) =>
  (path.match(/%[0-9A-Fa-f]{2}/g) ?? []).some((triplet) =>
    /^[A-Za-z0-9\-._~]$/.test(String.fromCharCode(Number.parseInt(triplet.slice(1), 16))),
  );

describe('requestTargetPath', () => {
  it.each([
    ['/v2/reports', '/v2/reports'],
    ['/v2/reports?x=1', '/v2/reports'],
    ['/v2/reports#x', '/v2/reports'],
    ['/v2/reports#x?y', '/v2/reports'],
    ['/v2/reports?a=\\b', '/v2/reports'],
    ['//x/v2/reports', '//x/v2/reports'],
    ['/v2/%2f/x;y', '/v2/%2f/x;y'],
    ['/.well-known/jwks.json', '/.well-known/jwks.json'],
    ['/v2/.x/..y/...', '/v2/.x/..y/...'],
    ['/v2/%7B%20%E2%82%AC', '/v2/%7B%20%E2%82%AC'],
    ['/', '/'],
    ['http://api.example.com/v2/reports?x', '/v2/reports'],
    ['https://api.example.com:8443/v2/reports', '/v2/reports'],
    ['http://api.example.com:/v2/reports', '/v2/reports'],
    ['http://[::1]/v2/reports', '/v2/reports'],
    ['http://10.0.0.1:65535/v2', '/v2'],
    ['http://api.example.com', '/'],
    ['http://api.example.com?x=1', '/'],
    ['http://a_b.example/v2', '/v2'],
  ])('accepts %j as %j', (target, path) => {
    expect(requestTargetPath(target)).toBe(path);
  });

  it.each([
    'http://x:99999/v2/reports',
    'http:///v2/reports',
    'http://x@/v2/reports',
    'http://user:pw@x/v2/reports',
    'HTTP://x/v2/reports',
    'Http://x/v2/reports',
    'ftp://x/v2/reports',
    'foo://x/v2/reports',
    'http:/v2/reports',
    'http://x~y/v2/reports',
    'http://x!y/v2/reports',
    'http://x%41/v2/reports',
    'http://1.2.3.999/v2/reports',
    'http://[::g]/v2/reports',
    'http://x/v2/reports#f',
    'http://x/v2\\reports',
    'http://x\\v2\\reports',
    '/v2\\reports',
    '/v2\\reports#x',
    '/v2/reports#\\x',
    '//x@y/v2/reports#z',
    '//v2/reports#z',
    '\\v2\\reports',
    '/v2/./notes',
    '/v2/../health',
    '/v2/notes/..',
    '/v2/notes/.',
    '/./v2',
    '/v2/%2e%2e/x;y',
    '/v2/%2E/notes',
    '/v2/%6eotes',
    '/%76%32/notes',
    '/v2/notes%7e',
    '/v2/a%5Fb',
    '/v2/a%2Db',
    'http://api.example.com/v2/./notes',
    'http://api.example.com/v2/%6Eotes',
    'v2/reports',
    '*',
    '',
  ])('refuses %j', (target) => {
    expect(requestTargetPath(target)).toBeUndefined();
  });

  it('refuses a path whose percent-encoding does not decode, in either form; its query may hold anything', () => {
    for (const path of ['/v2/notes/%E0%A4%A', '/%', '/a%2', '/%zz', '/%C0%AF', '/%ED%A0%80'])
      for (const target of [path, `${path}?x=1`, `${path}#f`, `http://api.example.com${path}`]) {
        expect(requestTargetPath(target), target).toBeUndefined();
      }
    expect(requestTargetPath('/v2/%E2%82%AC?q=%zz')).toBe('/v2/%E2%82%AC');
    expect(requestTargetPath('/v2/a#%zz')).toBe('/v2/a');
  });

  it('accepts a path with percent signs exactly when it percent-decodes and encodes no unreserved character (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', '/', '-', '%'),
      fc
        .tuple(fc.constantFrom(...'0123456789abcdefABCDEFgz'), fc.constantFrom(...'0123456789abcdefgz'))
        .map(([h, l]) => `%${h}${l}`),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const path = `/${pieces.join('')}`;
        let decodes = true;
        try {
          decodeURIComponent(path);
        } catch {
          decodes = false;
        }
        const accepted = decodes && !encodesUnreserved(path);
        expect(requestTargetPath(path)).toBe(accepted ? path : undefined);
        expect(requestTargetPath(`http://h${path}?q`)).toBe(accepted ? path : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every origin-form path and drops whatever follows a ? or # (property)', () => {
    // Percent signs only as escapes that decode: a malformed one is refused (next test).
    // Dot segments are refused (their own property below).
    const pathChar = fc.constantFrom(...'abz09-._~/;:@!$&()*+,='.split(''), '%2F', '%20', '%e2%82%ac');
    const path = fc
      .array(pathChar, { maxLength: 20 })
      .map((cs) => `/${cs.join('')}`)
      .filter((p) => !hasDotSegment(p));
    fc.assert(
      fc.property(path, fc.constantFrom('?', '#'), fc.string(), (p, mark, rest) => {
        expect(requestTargetPath(p)).toBe(p);
        const target = `${p}${mark}${rest}`;
        const backslashBeforeQuery = mark === '#' && rest.split('?')[0]?.includes('\\');
        const doubleSlashWithHash = p.startsWith('//') && target.includes('#');
        expect(requestTargetPath(target)).toBe(backslashBeforeQuery || doubleSlashWithHash ? undefined : p);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a path exactly when one of its segments is . or .. (property)', () => {
    const path = fc
      .array(fc.constantFrom('a', '.', '..', '...', '.a', 'a.', ''), { maxLength: 6 })
      .map((segments) => `/${segments.join('/')}`);
    fc.assert(
      fc.property(path, (p) => {
        expect(requestTargetPath(p)).toBe(hasDotSegment(p) ? undefined : p);
        expect(requestTargetPath(`http://h${p}?q`)).toBe(hasDotSegment(p) ? undefined : p);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, and an accepted path always starts with / (property)', () => {
    const target = fc.oneof(
      fc.string(),
      fc.string().map((s) => `http://${s}`),
      fc.string().map((s) => `https://x${s}`),
    );
    fc.assert(
      fc.property(target, (t) => {
        const path = requestTargetPath(t);
        if (path !== undefined) expect(path.startsWith('/')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('evaluatePolicy', () => {
  const headers = allow([['x-frame-options', 'DENY']]);
  const profile: RequestPolicy = {
    name: 'profile',
    evaluate: () => ({ ...headers, removeHeaders: ['x-powered-by'] }),
  };
  const refused = { ...requestView({ method: 'GET', path: '/' }), targetRefused: true };

  it('hands an accepted view to the policy unchanged', async () => {
    const decision = await evaluatePolicy(profile, requestView({ method: 'GET', path: '/v2' }));
    expect(decision.kind).toBe('allow');
  });

  it('answers 400 for a refused target, with the allow headers and removals of the policy', async () => {
    const decision = await evaluatePolicy(profile, refused);
    expect(decision).toMatchObject({
      kind: 'deny',
      status: 400,
      code: 'bad_request',
      headers: [['x-frame-options', 'DENY']],
      removeHeaders: ['x-powered-by'],
    });
  });

  it('answers 400 for a refused target whatever the policy decides, without its headers', async () => {
    for (const decided of [
      deny('rate_limited', 'x', { headers: [['retry-after', '1']] }),
      respond(204, [['a', 'b']]),
    ]) {
      const decision = await evaluatePolicy({ name: 'p', evaluate: async () => decided }, refused);
      expect(decision).toMatchObject({ kind: 'deny', status: 400, code: 'bad_request', headers: [] });
    }
  });
});
