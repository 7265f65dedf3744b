import type { IncomingMessage } from 'node:http';
import { parse as legacyParse } from 'node:url';
import { routingPath } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeRequestView, pathOf } from './request-view.js';

describe('pathOf', () => {
  it('ends the path at the query or at a fragment, as the routers do', () => {
    expect(pathOf('/v2/reports')).toBe('/v2/reports');
    expect(pathOf('/v2/reports?x=1')).toBe('/v2/reports');
    expect(pathOf('/v2/reports#x')).toBe('/v2/reports');
    expect(pathOf('/v2/reports#x?y')).toBe('/v2/reports');
    expect(pathOf('/v2/reports?y#x')).toBe('/v2/reports');
    expect(pathOf('/v2/reports%23x')).toBe('/v2/reports%23x');
    expect(pathOf('http://h/v2/reports?x')).toBe('/v2/reports');
    // Fastify refuses a fragment in an absolute-form target: refused on all four.
    expect(pathOf('http://h/v2/reports#y')).toBeUndefined();
  });

  it('answers / for a missing target, and refuses an empty, asterisk or unparseable one', () => {
    expect(pathOf(undefined)).toBe('/');
    expect(pathOf('')).toBeUndefined();
    expect(pathOf('*')).toBeUndefined();
    expect(pathOf('http://')).toBeUndefined();
  });

  it('refuses the targets Express and Koa route past the policies', () => {
    const targets = [
      'http://x:99999/v2/reports',
      'http:///v2/reports',
      'http://x@/v2/reports',
      '/v2\\reports#x',
      '//x@y/v2/reports#z',
    ];
    for (const target of targets) {
      expect(pathOf(target)).toBeUndefined();
      // What Express and Koa route (parseurl falls back to url.parse for these): the limited route.
      expect(legacyParse(target).pathname).toBe('/v2/reports');
    }
  });

  // What parseurl (Express, Koa) routes: an origin-form target without `#` (Node's parser
  // refuses the whitespace that would also trigger it) as is, up to `?`; else url.parse.
  const parseurlPathname = (target: string): string | null =>
    target.startsWith('/') && !target.includes('#') ? (target.split('?')[0] ?? target) : legacyParse(target).pathname;

  it('sees the path Express and Koa route (parseurl) for every target it accepts (property)', () => {
    const hostChar = fc.constantFrom(...'ab09.-_~!@:[]%'.split(''));
    const pathChar = fc.constantFrom(...'ab/.%2e;:@?#\\'.split(''));
    const host = fc.array(hostChar, { maxLength: 12 }).map((cs) => cs.join(''));
    const path = fc.array(pathChar, { maxLength: 16 }).map((cs) => cs.join(''));
    const target = fc.oneof(
      path.map((p) => `/${p}`),
      fc.tuple(host, path).map(([h, p]) => `//${h}/${p}`),
      fc.tuple(fc.constantFrom('http://', 'https://'), host, path).map(([s, h, p]) => `${s}${h}/${p}`),
      fc.tuple(fc.constantFrom('http://', 'https://'), host, path).map(([s, h, p]) => `${s}${h}${p}`),
    );
    fc.assert(
      fc.property(target, (t) => {
        const seen = pathOf(t);
        if (seen === undefined) return;
        // url.parse percent-escapes a few characters, so compare the forms rules match on.
        expect(routingPath(seen)).toBe(routingPath(parseurlPathname(t) ?? '/'));
        if (!t.startsWith('/')) expect(new URL(t).host.length).toBeGreaterThan(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps every path and drops whatever follows a ? or # (property)', () => {
    // Percent signs only as escapes that decode and encode no unreserved character, and no
    // dot segment: those are refused (core's requestTargetPath).
    const pathChar = fc.constantFrom(...'abz09-._~/;:@!$&()*+,='.split(''), '%2F', '%20', '%e2%82%ac');
    const path = fc
      .array(pathChar, { maxLength: 20 })
      .map((cs) => `/${cs.join('')}`)
      .filter((p) => !p.split('/').some((segment) => segment === '.' || segment === '..'));
    fc.assert(
      fc.property(path, fc.constantFrom('?', '#'), fc.string(), (p, mark, rest) => {
        expect(pathOf(p)).toBe(p);
        const target = `${p}${mark}${rest}`;
        // Refused: a backslash before the query, a `//` path with a `#` (see requestTargetPath).
        const refused =
          (mark === '#' && rest.split('?')[0]?.includes('\\')) || (p.startsWith('//') && target.includes('#'));
        expect(pathOf(target)).toBe(refused ? undefined : p);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.string(), (target) => {
        const path = pathOf(target);
        if (path !== undefined) expect(path.startsWith('/')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nodeRequestView', () => {
  const req = (url: string) => ({ method: 'GET', url, headers: {}, socket: {} }) as unknown as IncomingMessage;

  it('marks a refused target, with / as the path its policies see', () => {
    const view = nodeRequestView(req('http://x:99999/v2/reports'));
    expect(view.targetRefused).toBe(true);
    expect(view.path).toBe('/');
  });

  it('accepts origin-form and plain absolute-form targets', () => {
    for (const url of ['/v2/reports?x', 'http://api.example.com/v2/reports']) {
      const view = nodeRequestView(req(url));
      expect(view.targetRefused).toBe(false);
      expect(view.path).toBe('/v2/reports');
    }
  });
});

describe('nodeRequestView: repeated Authorization fields', () => {
  // What Node's parser builds for a request with these raw lines: `headers` keeps the first
  // Authorization only (it is one of the fields whose duplicates Node discards).
  const request = (rawHeaders: string[]) => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as string).toLowerCase();
      headers[name] ??= rawHeaders[i + 1] as string;
    }
    return { method: 'GET', url: '/', rawHeaders, headers, socket: {} } as unknown as IncomingMessage;
  };

  it('sees every Authorization field, joined as Web Headers join them', () => {
    const view = nodeRequestView(request(['Host', 'h', 'Authorization', 'Bearer a', 'AUTHORIZATION', 'Bearer b']));
    expect(view.header('authorization')).toBe('Bearer a, Bearer b');
    expect(view.header('Authorization')).toBe('Bearer a, Bearer b');
    expect(nodeRequestView(request(['Authorization', 'Bearer a'])).header('authorization')).toBe('Bearer a');
    expect(nodeRequestView(request(['Host', 'h'])).header('authorization')).toBeUndefined();
    // Other singleton fields keep Node's reading.
    expect(nodeRequestView(request(['User-Agent', 'a', 'User-Agent', 'b'])).header('user-agent')).toBe('a');
  });

  it('agrees with Web Headers on generated header lists (property)', () => {
    const name = fc.constantFrom(
      'Authorization',
      'authorization',
      'AuthoriZation',
      'Host',
      'X-Api-Key',
      'Authorisation',
    );
    const value = fc.stringMatching(/^[A-Za-z0-9 ._~+/=-]{0,12}$/).map((v) => v.trim());
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), (lines) => {
        const raw = lines.flat();
        const web = new Headers(lines.map(([n, v]) => [n, v] as [string, string]));
        expect(nodeRequestView(request(raw)).header('authorization')).toBe(web.get('authorization') ?? undefined);
      }),
    );
  });
});
