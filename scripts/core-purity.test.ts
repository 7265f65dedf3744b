import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md principle 2: core packages run on any runtime with Web Crypto, so they import
// no web framework, no store client and no Node built-in. Store and tooling packages are
// exempt by design.
const EXEMPT = new Set(['redis', 'postgres', 'cli', 'testkit']);
const FORBIDDEN =
  /^(node:.*|express|fastify|fastify-plugin|koa|@koa\/.*|hono|hono\/.*|@hono\/.*|ioredis|pg|redis|fs|path|crypto|http|https|net|os|child_process|stream|buffer|url|util|events)$/;
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function forbiddenImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? '';
    if (FORBIDDEN.test(specifier)) found.push(specifier);
  }
  return found;
}

describe('core purity', () => {
  it('detects the imports it must forbid', () => {
    expect(forbiddenImports("import { createHash } from 'node:crypto';")).toEqual(['node:crypto']);
    expect(forbiddenImports("import type { Request } from 'express';")).toEqual(['express']);
    expect(forbiddenImports("const r = require('ioredis');")).toEqual(['ioredis']);
    expect(forbiddenImports("export { x } from 'pg';")).toEqual(['pg']);
    expect(forbiddenImports("import { z } from 'zod';\nimport { corsPolicy } from '@bulwark/cors-policy';")).toEqual(
      [],
    );
  });

  const corePackages = readdirSync('packages').filter((name) => !EXEMPT.has(name));
  it.each(corePackages)('@bulwark/%s imports no framework, store client or node: module', (name) => {
    const offenders = sourceFiles(join('packages', name, 'src')).flatMap((file) =>
      forbiddenImports(readFileSync(file, 'utf8')).map((specifier) => `${file}: ${specifier}`),
    );
    expect(offenders).toEqual([]);
    const manifest = JSON.parse(readFileSync(join('packages', name, 'package.json'), 'utf8'));
    const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
    expect(deps.filter((dep) => FORBIDDEN.test(dep))).toEqual([]);
  });
});
