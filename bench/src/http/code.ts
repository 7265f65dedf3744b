import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which Bulwark code the servers run. `dist` is what users run: the packages' build
 * (tsup, no name-keeping). `src` is the TypeScript sources through tsx, which compiles with
 * esbuild's `keepNames`: every function or arrow created at run time is wrapped in
 * `__name(fn, "...")`, an `Object.defineProperty` call, so a closure built per request
 * costs about 0.3-0.7 µs more than in the build (seen in the profiles of issue #13).
 */
export type CodeUnderTest = 'src' | 'dist';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** The workspace packages the servers import (and what they import). */
const PACKAGES = [
  'packages/core',
  'packages/cors-policy',
  'packages/headers',
  'packages/ratelimit',
  'packages/tokens',
  'adapters/node',
  'adapters/express',
  'adapters/fastify',
  'adapters/koa',
  'adapters/hono',
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Packages whose build is missing or older than their sources. */
export function staleBuilds(): string[] {
  return PACKAGES.filter((pkg) => {
    try {
      return statSync(join(ROOT, pkg, 'dist/index.js')).mtimeMs < newestSource(join(ROOT, pkg, 'src'));
    } catch {
      return true;
    }
  });
}

/**
 * The tsconfig tsx reads in the server process: the root one maps `@bulwark/*` to the
 * sources; the base one has no paths, so the imports resolve through the packages'
 * `exports` to `dist/`.
 */
export const tsconfigFor = (code: CodeUnderTest) => join(ROOT, code === 'src' ? 'tsconfig.json' : 'tsconfig.base.json');

/**
 * BENCH_HTTP_CODE=dist|src, or by default the build when it is fresh (else the sources, saying
 * why): a stale build would measure yesterday's code.
 */
export function codeUnderTest(): CodeUnderTest {
  const wanted = process.env.BENCH_HTTP_CODE ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'src' && wanted !== 'dist')
    throw new Error(`BENCH_HTTP_CODE: auto, src or dist, got ${wanted}`);
  if (wanted === 'src') return 'src';
  const stale = staleBuilds();
  if (stale.length === 0) return 'dist';
  if (wanted === 'dist')
    throw new Error(`BENCH_HTTP_CODE=dist: build missing or older than src in ${stale.join(', ')}: run pnpm build`);
  console.log(
    `measuring the TypeScript sources under tsx (no fresh build in ${stale.join(', ')}); run \`pnpm build\` first for the figures users get`,
  );
  return 'src';
}
