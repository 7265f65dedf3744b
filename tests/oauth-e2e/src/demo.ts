import { createServer } from 'node:net';
import { type Framework, readConfig } from '@bulwark-examples/notes-api/src/config.js';
import { type RunningDemo, startDemo } from '@bulwark-examples/notes-api/src/server.js';

export { FRAMEWORKS, type Framework } from '@bulwark-examples/notes-api/src/config.js';

/** The demo's registered public client (DEMO.md, "Registered OAuth client"). */
export const CLIENT_ID = 'notes-spa';
export const REDIRECT_URI = 'http://localhost:5173/callback';
/** The origin of the SPA, the demo's default CORS_ORIGINS. */
export const SPA_ORIGIN = 'http://localhost:5173';

/** A seeded user of DEMO.md, and the scopes of the `user` role. */
export const ALICE = {
  email: 'alice@example.com',
  password: 'alice-demo-password',
  role: 'user',
  scopes: ['notes:read', 'notes:write', 'reports:write', 'keys:manage'],
} as const;

export interface OAuthDemo {
  /** The base URL the clients use, which is also the ISSUER. */
  readonly issuer: string;
  close(): Promise<void>;
}

/** A port that was free a moment ago: the issuer must be known before the demo starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * Starts the demo as `pnpm demo` would (in memory, the system clock), on 127.0.0.1 and a
 * random port, with ISSUER equal to the URL the clients call: a strict client compares them.
 * `env` adds demo settings (REFRESH_GRACE, ...).
 */
export async function startOAuthDemo(framework: Framework, env: Record<string, string> = {}): Promise<OAuthDemo> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = readConfig({ ...env, FRAMEWORK: framework, HOST: '127.0.0.1', PORT: String(port), ISSUER: issuer });
  const demo: RunningDemo = await startDemo({ ...config, onError: (err) => console.error('[oauth-e2e]', err) });
  if (demo.url !== issuer) {
    await demo.close();
    throw new Error(`the demo listens at ${demo.url}, expected ${issuer}`);
  }
  return { issuer, close: () => demo.close() };
}
