// Checks every published package the way a consumer sees it: publint on the manifest and
// files, and @arethetypeswrong/cli on the packed tarball (ESM, CJS and every TypeScript
// module resolution). Run after `turbo run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'adapters'];
const failures = [];

for (const root of roots) {
  for (const dir of readdirSync(root).sort()) {
    const manifestPath = join(root, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    const cwd = join(root, dir);
    for (const [label, cmd, args] of [
      ['publint', 'pnpm', ['exec', 'publint', '--strict', '--pack', 'pnpm']],
      ['attw', 'pnpm', ['--dir', process.cwd(), 'exec', 'attw', '--pack', cwd, '--format', 'ascii']],
    ]) {
      try {
        execFileSync(cmd, args, { cwd: label === 'publint' ? cwd : process.cwd(), stdio: 'pipe', encoding: 'utf8' });
        console.log(`ok   ${label.padEnd(8)} ${manifest.name}`);
      } catch (err) {
        failures.push(`${label} ${manifest.name}`);
        console.log(`FAIL ${label.padEnd(8)} ${manifest.name}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      }
    }
  }
}
if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nall published packages pass publint and attw');
