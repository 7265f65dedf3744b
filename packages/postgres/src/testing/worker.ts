import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a worker script of this package in a separate Node process (tsx); answers its stdout's JSON. */
export async function runWorker<T>(script: string, args: readonly string[]): Promise<T> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const { stdout } = await run(tsx, [resolve(import.meta.dirname, '..', script), ...args], { timeout: 60_000 });
  return JSON.parse(stdout.trim()) as T;
}
