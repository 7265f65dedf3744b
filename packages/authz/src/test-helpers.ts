import type { Principal, SecurityEvent } from '@bulwark/core';

/** A user principal with these scopes (test only; not exported by the package). */
export function principalOf(subject: string, scopes: readonly string[]): Principal {
  return { subject, kind: 'user', scopes, source: { kind: 'jwt', issuer: 'https://issuer.test' }, claims: {} };
}

/** An event sink that keeps what it gets. */
export function recorder() {
  const events: SecurityEvent[] = [];
  return { events, onEvent: (event: SecurityEvent) => void events.push(event) };
}
