import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { allow, deny, respond } from './decision.js';
import { parseDuration } from './duration.js';
import { decisionForError, notFoundDecision, problemJson } from './error-decision.js';
import { BulwarkError, ConfigError, STATUS_BY_CODE, TITLE_BY_CODE } from './errors.js';
import { jsonLinesSink, maskSecret, type SecurityEvent } from './events.js';
import { applyHeaders, isSafeHeaderValue, isToken, mergeVary } from './headers.js';
import { requestView } from './request-view.js';
import { routeTable } from './route-table.js';

describe('errors and problems', () => {
  it('gives every HTTP code one status and one title', () => {
    expect(Object.keys(STATUS_BY_CODE).sort()).toEqual(Object.keys(TITLE_BY_CODE).sort());
    for (const status of Object.values(STATUS_BY_CODE)) expect(status).toBeGreaterThanOrEqual(400);
  });

  it('builds RFC 9457 problems from a code', () => {
    const d = deny('rate_limited', 'Slow down.', { extensions: { retryAfter: 3 } });
    expect(d.status).toBe(429);
    expect(d.problem).toEqual({
      type: 'urn:bulwark:problem:rate_limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Slow down.',
      code: 'rate_limited',
      retryAfter: 3,
    });
    expect(JSON.parse(problemJson(d))).toEqual(d.problem);
  });

  it('keeps ConfigError a BulwarkError naming the option', () => {
    const err = new ConfigError('maxAge', 'too big');
    expect(err).toBeInstanceOf(BulwarkError);
    expect(err.code).toBe('config_invalid');
    expect(err.option).toBe('maxAge');
    expect(err.message).toContain('"maxAge"');
  });

  it('builds the other decisions', () => {
    expect(allow()).toEqual({ kind: 'allow', headers: [] });
    expect(respond(204, [['vary', 'origin']])).toEqual({ kind: 'respond', status: 204, headers: [['vary', 'origin']] });
  });
});

describe('decisionForError', () => {
  it('maps framework client errors by status and hides their messages', () => {
    const err = Object.assign(new SyntaxError('Unexpected token s in JSON: secret=hunter2'), { status: 400 });
    const d = decisionForError(err);
    expect(d.status).toBe(400);
    expect(problemJson(d)).not.toContain('hunter2');
    expect(decisionForError({ statusCode: 413 }).code).toBe('payload_too_large');
    expect(decisionForError({ statusCode: 418 }).code).toBe('bad_request');
  });

  it('answers 500 for everything else, emitting an event without the message', () => {
    const events: SecurityEvent[] = [];
    const logged: unknown[] = [];
    const err = new TypeError('db password=hunter2');
    const d = decisionForError(err, {
      onError: (e) => logged.push(e),
      onEvent: (e) => events.push(e),
      clock: manualClock(42),
      view: requestView({ method: 'GET', path: '/x' }),
    });
    expect(d.status).toBe(500);
    expect(problemJson(d)).not.toMatch(/hunter2|TypeError|at /);
    expect(events).toEqual([{ type: 'server.error', at: 42, errorName: 'TypeError', method: 'GET', path: '/x' }]);
    expect(logged).toEqual([err]);
    const quiet = { onError: () => {} };
    expect(decisionForError(new BulwarkError('config_invalid', 'x'), quiet).status).toBe(500);
    expect(decisionForError(undefined, quiet).status).toBe(500);
    expect(decisionForError({ status: 302 }, quiet).status).toBe(500);
    expect(
      decisionForError(new Error('x'), {
        onError: () => {
          throw new Error('logger down');
        },
      }).status,
    ).toBe(500);
  });

  it('has a fixed not-found answer', () => {
    expect(notFoundDecision().status).toBe(404);
  });
});

describe('parseDuration', () => {
  it('parses units and numbers', () => {
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('15m', 'x')).toBe(900_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(parseDuration('7d', 'x')).toBe(604_800_000);
    expect(parseDuration(250, 'x')).toBe(250);
  });

  it('refuses anything else, naming the option', () => {
    for (const bad of [
      '15',
      '-1s',
      '1y',
      '',
      'm',
      -5,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      {},
      '1.0001ms',
    ]) {
      expect(() => parseDuration(bad, 'window'), String(bad)).toThrow(/"window"/);
    }
  });

  it('never throws anything but ConfigError (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer()), (value) => {
        try {
          const ms = parseDuration(value, 'x');
          expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });
});

describe('headers', () => {
  it('merges Vary without duplicates', () => {
    expect(mergeVary(undefined, 'Origin')).toBe('Origin');
    expect(mergeVary('Accept-Encoding', 'Origin')).toBe('Accept-Encoding, Origin');
    expect(mergeVary('origin, Accept', 'Origin, Access-Control-Request-Method')).toBe(
      'origin, Accept, Access-Control-Request-Method',
    );
    expect(mergeVary('*', 'Origin')).toBe('*');
  });

  it('applies lists to a sink, merging vary and link', () => {
    const store = new Map<string, string>([['vary', 'Accept-Encoding']]);
    applyHeaders({ get: (n) => store.get(n), set: (n, v) => store.set(n, v), remove: (n) => store.delete(n) }, [
      ['vary', 'Origin'],
      ['link', '<a>; rel="x"'],
      ['link', '<b>; rel="y"'],
      ['x-a', '1'],
    ]);
    expect(Object.fromEntries(store)).toEqual({
      vary: 'Accept-Encoding, Origin',
      link: '<a>; rel="x", <b>; rel="y"',
      'x-a': '1',
    });
  });

  it('refuses header injection', () => {
    expect(isSafeHeaderValue('max-age=1')).toBe(true);
    expect(isSafeHeaderValue('a\r\nSet-Cookie: x')).toBe(false);
    expect(isSafeHeaderValue('a\u0000')).toBe(false);
    expect(isSafeHeaderValue(' a')).toBe(false);
    expect(isSafeHeaderValue('é')).toBe(false);
    expect(isToken('X-Request-Id')).toBe(true);
    expect(isToken('a b')).toBe(false);
  });
});

describe('requestView', () => {
  it('looks headers up case-insensitively', () => {
    const view = requestView({ method: 'GET', path: '/', headers: { Origin: 'https://a.example' } });
    expect(view.header('origin')).toBe('https://a.example');
    expect(view.header('ORIGIN')).toBe('https://a.example');
    expect(view.clientIp).toBeUndefined();
  });
});

describe('routeTable', () => {
  it('matches on segment boundaries, longest prefix first, ignoring case', () => {
    const lookup = routeTable(
      [
        { prefix: '/v1', value: 'v1' },
        { prefix: '/v1/admin/', value: 'admin' },
      ],
      'none',
      'routes',
    );
    expect(lookup('/v1')).toBe('v1');
    expect(lookup('/v1/notes')).toBe('v1');
    expect(lookup('/V1/notes')).toBe('v1');
    expect(lookup('/v10/notes')).toBe('none');
    expect(lookup('/v1/admin/x')).toBe('admin');
    expect(lookup('/v2')).toBe('none');
    expect(() => routeTable([{ prefix: 'v1', value: 1 }], 0, 'routes')).toThrow(/routes\[0\]\.prefix/);
  });

  // Fastify (find-my-way) and Hono route the decoded path: `/%761/notes` reaches `/v1/notes`.
  const versions = routeTable(
    [
      { prefix: '/v1', value: 'v1' },
      { prefix: '/v1/admin', value: 'admin' },
    ],
    'none',
    'routes',
  );

  it('matches percent-encoded spellings of a prefix, as routers that decode do', () => {
    expect(versions('/v1/%6eotes')).toBe('v1');
    expect(versions('/%761/notes')).toBe('v1');
    expect(versions('/%76%31')).toBe('v1');
    expect(versions('/v1/%61dmin/x')).toBe('admin');
    expect(versions('/v1/%41DMIN')).toBe('admin');
    // An encoded slash counts as one: wider than some routers, never narrower.
    expect(versions('/v1%2Fadmin')).toBe('admin');
    expect(versions('/v1%2Dx')).toBe('none');
    expect(versions('/%7631')).toBe('none');
  });

  it('merges runs of slashes and ends a prefix at a semicolon, as router options allow', () => {
    expect(versions('//v1//admin')).toBe('admin');
    expect(versions('/v1///admin/x')).toBe('admin');
    expect(versions('/v1;jsessionid=1')).toBe('v1');
    expect(versions('/v1/admin;x/y')).toBe('admin');
    expect(versions('/v10;x')).toBe('none');
    expect(versions('/v1/adminx;y')).toBe('v1');
    // Dot segments stay: resolving them could move a path out from under a prefix.
    expect(versions('/v1/admin/../x')).toBe('admin');
    const trailing = routeTable([{ prefix: '/a//', value: 'a' }], 'none', 'routes');
    expect(trailing('/a/x')).toBe('a');
    expect(trailing('/ab')).toBe('none');
  });

  it('decodes what it can of a malformed encoding', () => {
    expect(versions('/v1/%E0%A4%A/%61dmin')).toBe('v1');
    expect(versions('/%76%31/%ZZ')).toBe('v1');
    expect(versions('/%761/%')).toBe('v1');
  });

  it('gives every percent-encoded spelling of a path the lookup of the path itself', () => {
    const unreserved = fc.constantFrom(...'abcxyzABCXYZ0129-._~'.split(''));
    const segment = fc.array(unreserved, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`);
    const table = routeTable(
      [
        { prefix: '/a', value: 'a' },
        { prefix: '/a/b', value: 'a/b' },
        { prefix: '/x.y/~z', value: 'x.y/~z' },
      ],
      'none',
      'routes',
    );
    fc.assert(
      fc.property(
        path,
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.boolean(),
        (plain, pick, upper) => {
          const encoded = [...plain]
            .map((c, i) => {
              if (c === '/' || !pick[i]) return c;
              const hex = c.charCodeAt(0).toString(16);
              return `%${upper ? hex.toUpperCase() : hex}`;
            })
            .join('');
          expect(table(encoded)).toBe(table(plain));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never answers less than the raw path would for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (rest) => {
        const raw = `/v1/${rest}`;
        expect(versions(raw)).not.toBe('none');
        expect(() => versions(`/${rest}`)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('events', () => {
  it('writes sanitised JSON lines', () => {
    const lines: string[] = [];
    const sink = jsonLinesSink((l) => lines.push(l));
    sink({
      type: 'cors.rejected',
      at: 1,
      origin: `https://evil\n${'x'.repeat(400)}`,
      reason: 'origin_not_allowed',
      preflight: false,
    });
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(line);
    expect(parsed.level).toBe('security');
    expect(parsed.origin).not.toContain('\n');
    expect(parsed.origin.length).toBeLessThanOrEqual(257);
  });

  it('masks secrets', () => {
    expect(maskSecret('sk_live_abcdefghijklmnop')).toBe('sk_l…(24 chars)');
    expect(maskSecret('short')).toBe('*****');
  });
});
