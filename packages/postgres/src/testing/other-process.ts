// The test side of store-worker.ts: one long-lived second Node process per test file, so a
// race case pays a pipe write, not a process start, and its calls overlap ours.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface OtherProcess {
  /** Runs `op` with `args` in the other process (at `at`, epoch ms, when given). */
  call<T>(op: 'rotate' | 'redeem' | 'fail' | 'consume', args: unknown, at?: number): Promise<T>;
  stop(): Promise<void>;
}

export async function startOtherProcess(schema: string): Promise<OtherProcess> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'store-worker.ts');
  const child = spawn(tsx, [worker, schema], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  let sequence = 0;
  await new Promise<void>((resolveReady, rejectReady) => {
    child.once('exit', (code) => rejectReady(new Error(`the store worker exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: true; id?: number; result?: unknown; error?: string };
      if (message.ready) return resolveReady();
      const waiter = pending.get(message.id as number);
      pending.delete(message.id as number);
      if (message.error !== undefined) waiter?.reject(new Error(`the store worker failed: ${message.error}`));
      else waiter?.resolve(message.result);
    });
  });
  return {
    call: <T>(op: string, args: unknown, at?: number) =>
      new Promise<T>((resolveCall, rejectCall) => {
        const id = ++sequence;
        pending.set(id, { resolve: resolveCall as (r: unknown) => void, reject: rejectCall });
        child.stdin.write(`${JSON.stringify({ id, op, args, at })}\n`);
      }),
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
