import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests run against source: every workspace package name resolves to its src/index.ts,
// so no build is needed before `vitest run`.
const alias: Record<string, string> = {};
for (const group of ['packages', 'adapters']) {
  for (const dir of readdirSync(group)) {
    const manifest = join(group, dir, 'package.json');
    const entry = resolve(group, dir, 'src/index.ts');
    if (!existsSync(manifest) || !existsSync(entry)) continue;
    const name = JSON.parse(readFileSync(manifest, 'utf8')).name;
    // A `/node` subpath (@bulwark/passwords/node) first: the package's key would match it as a prefix.
    const nodeEntry = resolve(group, dir, 'src/node/index.ts');
    if (existsSync(nodeEntry)) alias[`${name}/node`] = nodeEntry;
    // Likewise `@bulwark/testkit/probe`: the probe checks without vitest (the CLI imports them).
    const probeEntry = resolve(group, dir, 'src/probe/index.ts');
    if (existsSync(probeEntry)) alias[`${name}/probe`] = probeEntry;
    alias[name] = entry;
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'adapters/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'tests/*/src/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
