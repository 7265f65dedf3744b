import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './test-helpers.js';

// `pnpm demo` as a user runs it: the banner on stdout, security events on stderr as ECS
// JSON lines, and alerts (a lockout here) as `[notes-api] ALERT` lines.

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');

describe('notes-api demo as a process (src/main.ts)', () => {
  let child: ChildProcess;
  let url = '';
  let stderr = '';
  beforeAll(async () => {
    child = spawn(process.execPath, [tsx, '--tsconfig', join(here, '../../../tsconfig.json'), join(here, 'main.ts')], {
      env: { ...process.env, PORT: '0', FRAMEWORK: 'koa', REDIS_URL: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${stderr}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const found = /listening at (http:\/\/\S+)/.exec(stdout);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}; stderr: ${stderr}`)));
    });
  }, 40_000);
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('writes each security event as one ECS JSON line, and a lock as an ALERT line too', async () => {
    const c = client({ url });
    for (let i = 0; i < 5; i++) expect((await c.login('alice@example.com', 'wrong')).status).toBe(401);
    expect((await c.login('alice@example.com', 'alice-demo-password')).status).toBe(429);
    // stderr is a pipe: give the last lines a moment to arrive.
    for (let i = 0; i < 50 && !stderr.includes('ALERT'); i++) await new Promise((r) => setTimeout(r, 100));
    const lines = stderr.split('\n').filter((line) => line.startsWith('{'));
    type Ecs = { event?: { action?: string }; source?: { ip?: string } };
    const documents = lines.map((line) => JSON.parse(line) as Ecs);
    const failed = documents.filter((d) => d.event?.action === 'login.failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed[0]).toMatchObject({
      ecs: { version: expect.any(String) },
      event: { kind: 'event', category: ['authentication'], outcome: 'failure' },
      service: { name: 'notes-api' },
    });
    // The client address is masked to its network; no email, no password in any line.
    expect(failed[0]?.source?.ip).toBe('127.0.0.0');
    expect(stderr).not.toContain('alice@example.com');
    expect(stderr).not.toContain('alice-demo-password');
    const alert = stderr.split('\n').find((line) => line.startsWith('[notes-api] ALERT '));
    expect(JSON.parse(alert?.slice('[notes-api] ALERT '.length) ?? '{}')).toMatchObject({
      event: { action: 'lockout' },
    });
  });
});
