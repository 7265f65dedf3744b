import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRateLimitField } from './checks/ratelimit-fields.js';
import { lookAlikes } from './checks/support.js';
import { decodeJws, reforge, tamperSignature } from './jwt.js';
import { fillPath, parseLoginRecipe, routesFromOpenApi } from './target.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const count = fc.nat({ max: 1_000_000 });

describe('parseRateLimitField', () => {
  it('reads every well-formed policy list (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, count, fc.option(count, { nil: undefined })), { minLength: 1, maxLength: 4 }),
        (items) => {
          const value = items.map(([n, q, w]) => `"${n}";q=${q}${w === undefined ? '' : `;w=${w}`}`).join(', ');
          const parsed = parseRateLimitField(value, 'policy');
          expect(parsed.map((p) => p.policy)).toEqual(items.map(([n]) => n));
          expect(parsed.map((p) => p.params.get('q'))).toEqual(items.map(([, q]) => q));
        },
      ),
    );
  });

  it('refuses what the draft does not allow', () => {
    for (const bad of [
      'ip;q=10',
      '"ip";w=60',
      '"ip";q=-1',
      '"ip";q=1.5',
      '"ip";q=10;w="60"',
      '"ip" q=1',
      '("a" "b");q=1',
    ]) {
      expect(() => parseRateLimitField(bad, 'policy'), bad).toThrow();
    }
    expect(() => parseRateLimitField('"ip";q=100', 'limit')).toThrow(/r/);
    expect(parseRateLimitField('"ip";r=0;t=5', 'limit')[0]?.params.get('t')).toBe(5);
  });

  it('never throws anything but an Error on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        try {
          parseRateLimitField(value, 'limit');
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
        }
      }),
    );
  });
});

describe('parseLoginRecipe', () => {
  it('reads a recipe with a refresh step', () => {
    expect(parseLoginRecipe('{"path":"/auth/login","body":{"email":"a"},"refresh":{"path":"/auth/refresh"}}')).toEqual({
      path: '/auth/login',
      body: { email: 'a' },
      refresh: { path: '/auth/refresh' },
    });
  });

  it('names what is wrong', () => {
    expect(() => parseLoginRecipe('{')).toThrow(/"login"/);
    expect(() => parseLoginRecipe('{"path":"auth","body":{}}')).toThrow(/login\.path/);
    expect(() => parseLoginRecipe('{"path":"/a"}')).toThrow(/login\.body/);
    expect(() => parseLoginRecipe('{"path":"/a","body":{},"url":"x"}')).toThrow(/login\.url/);
    expect(() => parseLoginRecipe('{"path":"/a","body":{},"refresh":{"path":3}}')).toThrow(/login\.refresh/);
  });
});

describe('routesFromOpenApi', () => {
  const doc = {
    openapi: '3.1.0',
    security: [{ bearer: [] }],
    paths: {
      '/health': { get: { security: [] } },
      '/v2/notes/{id}': { parameters: [{ in: 'path', name: 'id' }], get: { security: [{ bearer: ['notes:read'] }] } },
      '/v2/notes': {
        get: { parameters: [{ in: 'query', name: 'limit' }] },
        post: { requestBody: { content: { 'application/json': {} } } },
      },
      '/v1/notes': { get: { deprecated: true, security: [{ bearer: [] }, {}] } },
    },
  };

  it('reads methods, protection, scopes, query names, bodies and deprecation', () => {
    const routes = routesFromOpenApi(doc);
    const find = (m: string, p: string) => routes.find((r) => r.method === m && r.path === p);
    expect(find('GET', '/health')?.protected).toBe(false);
    expect(find('GET', '/v2/notes/{id}')).toMatchObject({ protected: true, scopes: ['notes:read'] });
    expect(find('GET', '/v2/notes')).toMatchObject({ protected: true, query: ['limit'], jsonBody: false });
    expect(find('POST', '/v2/notes')?.jsonBody).toBe(true);
    // An empty alternative makes authentication optional.
    expect(find('GET', '/v1/notes')).toMatchObject({ protected: false, deprecated: true });
  });

  it('refuses what is not a document', () => {
    expect(() => routesFromOpenApi({ openapi: '3.1.0' })).toThrow(/openapi/);
  });

  it('fills path parameters in both styles', () => {
    expect(fillPath('/a/{id}/b/:key', 'x')).toBe('/a/x/b/x');
  });
});

describe('token forgery helpers', () => {
  const token = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.AbCd`;

  it('decodes, reforges and tampers', () => {
    const jws = decodeJws(token);
    expect(jws?.header.alg).toBe('ES256');
    expect(decodeJws('not.a-token')).toBeUndefined();
    expect(decodeJws('notes_live_abc')).toBeUndefined();
    const forged = reforge(jws as NonNullable<typeof jws>, { alg: 'none' }, { sub: 'b' }, '');
    expect(decodeJws(forged)?.payload.sub).toBe('b');
  });

  it('changes the first signature character, whatever it is (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{2,20}$/), (sig) => {
        const changed = tamperSignature(sig);
        expect(changed).not.toBe(sig);
        expect(changed.slice(1)).toBe(sig.slice(1));
      }),
    );
  });
});

describe('lookAlikes', () => {
  it('derives suffix, prefix, scheme, port and unescaped-dot variants, never the origin itself', () => {
    const list = lookAlikes('https://app.example.com');
    expect(list).toEqual([
      'https://app.example.com.bulwark-probe.invalid',
      'https://bulwarkprobeapp.example.com',
      'http://app.example.com',
      'https://app.example.com:444',
      'https://appxexample.com',
    ]);
    expect(lookAlikes('http://localhost:5173')).not.toContain('http://localhost:5173');
  });
});
