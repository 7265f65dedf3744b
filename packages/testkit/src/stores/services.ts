import { createConnection } from 'node:net';
import { describe } from 'vitest';

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Runs `suite` when the service is up. Outside CI a missing service skips the suite with a
 * loud warning; with `CI=true` a missing service fails the run.
 */
export function describeWithService(service: string, available: boolean, title: string, suite: () => void): void {
  if (available) {
    describe(title, suite);
    return;
  }
  if (process.env.CI === 'true') {
    describe(title, () => {
      throw new Error(`${service} is required in CI but is not reachable`);
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${title}": ${service} is not reachable. These tests run (and must pass) in CI.\n`);
  // Skipped only outside CI, and announced above: a developer without the service still gets the rest.
  describe.skip(title, suite);
}
