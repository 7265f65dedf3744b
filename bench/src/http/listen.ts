import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestPolicy } from '@bulwark/core';
import type { GuardForm, Variant } from './scenario.js';

/** A server listening on loopback: its port, and how to stop it. */
export interface Started {
  readonly port: number;
  close(): Promise<void>;
}

/** What each framework's module exports: one server of one variant, listening. */
export type StartServer = (variant: Variant, form: GuardForm) => Promise<Started>;

/** Listens on an ephemeral loopback port. */
export async function listenOnLoopback(server: Server): Promise<Started> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The Bulwark middleware to mount, in order: one `guard([...])` for the list, or one
 * `guard(policy)` per policy. Adapters without the list form still accept the call here
 * (the array is then a malformed policy that fails on the first request); the parent's
 * check of the answer catches that and falls back to `each` (see http.bench.ts).
 */
export function bulwarkMiddleware<M>(
  guard: (policy: RequestPolicy) => M,
  policies: readonly RequestPolicy[],
  form: GuardForm,
): M[] {
  if (form === 'each') return policies.map((policy) => guard(policy));
  const guardList = guard as unknown as (policies: readonly RequestPolicy[]) => M;
  return [guardList(policies)];
}
