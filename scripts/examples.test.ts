import { describe, expect, it } from 'vitest';
import { checkExamples } from './examples/check.js';
import { extractExamples } from './examples/extract.js';

// Every ```ts block of a TSDoc `@example` in packages/*/src and adapters/*/src compiles
// against the public API, with the repository's compiler options: an example that calls a
// function that does not exist, or passes an option the factory does not take, fails here.
// See scripts/examples/check.ts for what each example may use without importing it.

const format = (d: { file: string; line: number; message: string }) => `${d.file}:${d.line} ${d.message}`;

describe('@example blocks', () => {
  it('all type-check', { timeout: 120_000 }, () => {
    const { checked, diagnostics } = checkExamples();
    expect(checked).toBeGreaterThan(50);
    expect(diagnostics.map(format)).toEqual([]);
  });

  it('flags an example that calls a function that does not exist (securityHeaders before this check)', {
    timeout: 120_000,
  }, () => {
    // The example securityHeaders carried until this check existed.
    const source = [
      '/**',
      ' * @example',
      ' * ```ts',
      ' * const headers = securityHeaders({',
      ' *   hsts: { maxAge: 63072000, preload: true },',
      " *   cacheControlRoutes: [{ prefix: '/public', value: 'public, max-age=300' }],",
      ' * });',
      " * app.use(securityHeadersMiddleware(headers)); // see your framework's adapter",
      ' * ```',
      ' */',
    ].join('\n');
    const only = extractExamples('packages/headers/src/profile.ts', source);
    expect(only).toHaveLength(1);
    const { diagnostics } = checkExamples({ only });
    expect(diagnostics.map(format)).toEqual([
      "packages/headers/src/profile.ts:8 Cannot find name 'securityHeadersMiddleware'.",
    ]);
  });

  it('flags an option the factory does not take', { timeout: 120_000 }, () => {
    const only = extractExamples(
      'packages/ratelimit/src/policy.ts',
      "/**\n * @example\n * ```ts\n * rateLimitPolicy({ limits: [{ name: 'a', limit: 1, windw: '1m' }] });\n * ```\n */",
    );
    const { diagnostics } = checkExamples({ only });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toContain('windw');
  });
});

describe('extractExamples', () => {
  it('takes ts blocks after @example only, and no other language', () => {
    const source = [
      '/**',
      ' * Prose with a block that is no example:',
      ' * ```ts',
      ' * notAnExample();',
      ' * ```',
      ' * @param x what it is',
      ' * @example',
      ' * ```ts',
      ' * first();',
      ' * ```',
      ' * ```json',
      ' * { "no": "ts" }',
      ' * ```',
      ' */',
      'export function f() {}',
    ].join('\n');
    expect(extractExamples('f.ts', source)).toEqual([{ file: 'f.ts', line: 9, code: 'first();' }]);
  });
});
