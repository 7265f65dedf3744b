// The test side of rotate-worker.ts: one long-lived second Node process per deployment,
// so a race case pays a pipe write, not a process start, and its rotations overlap ours.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { RotateInput, RotateResult } from '@bulwark/tokens';

export interface OtherProcess {
  /** Runs `inputs` at once in the other process (at `at`, epoch ms, when given). */
  rotate(inputs: readonly RotateInput[], at?: number): Promise<readonly RotateResult[]>;
  stop(): Promise<void>;
}

export async function startOtherProcess(
  mode: 'standalone' | 'cluster',
  ports: readonly number[],
  prefix: string,
): Promise<OtherProcess> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'rotate-worker.ts');
  const child = spawn(tsx, [worker, mode, ports.join(','), prefix], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, { resolve: (r: RotateResult[]) => void; reject: (e: Error) => void }>();
  let sequence = 0;
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    child.once('exit', (code) => rejectReady(new Error(`the rotate worker exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: true; id?: number; results?: RotateResult[]; error?: string };
      if (message.ready) return resolveReady();
      const waiter = pending.get(message.id as number);
      pending.delete(message.id as number);
      if (message.error !== undefined) waiter?.reject(new Error(`the rotate worker failed: ${message.error}`));
      else waiter?.resolve(message.results as RotateResult[]);
    });
  });
  await ready;
  return {
    rotate: (inputs, at) =>
      new Promise((resolveCall, rejectCall) => {
        const id = ++sequence;
        pending.set(id, { resolve: resolveCall, reject: rejectCall });
        child.stdin.write(`${JSON.stringify({ id, inputs, at })}\n`);
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
