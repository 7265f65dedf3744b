import { manualClock } from '@bulwark/core';
import { type ProbeResponse, sendProbe } from '@bulwark/testkit';
import { expect } from 'vitest';
import { readConfig } from './config.js';
import { type DemoOptions, type RunningDemo, startDemo } from './server.js';

export const UI = 'http://localhost:5173';
export const json = { 'content-type': 'application/json' } as const;

// The rate-limit tiers count in fixed windows: on the real clock a test that crosses a
// window boundary would see its budget refilled halfway. A clock stopped in the middle of a
// window keeps every count in one window (the Redis test uses Redis TIME). Tokens keep the
// system clock.
export const clock = manualClock(Date.UTC(2026, 5, 15, 12, 0, 30));

export const PASSWORDS = {
  alice: 'alice-demo-password',
  bob: 'bob-demo-password',
  carol: 'carol-demo-password',
  dave: 'dave-demo-password',
} as const;
export type DemoUser = keyof typeof PASSWORDS;

/** A demo on `framework` with the test clock, on a free port. */
export function startTestDemo(
  framework: DemoOptions['framework'],
  env: Record<string, string> = {},
  extra: Partial<DemoOptions> = {},
): Promise<RunningDemo> {
  return startDemo({ ...readConfig(env), framework, port: 0, clock, onError: () => {}, ...extra });
}

/** A client of one demo server: requests, with or without a user's token. */
export function client(server: { url: string }) {
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    sendProbe(server.url, { method, path, headers, ...(body === undefined ? {} : { body }) });
  const login = (email: string, password: string, headers: Record<string, string> = {}) =>
    send('POST', '/auth/login', { ...json, ...headers }, JSON.stringify({ email, password }));
  /** Logs `user` in and answers the access token (the demo's tests log in first). */
  const tokenOf = async (user: DemoUser, headers: Record<string, string> = {}): Promise<string> => {
    const res = await login(`${user}@example.com`, PASSWORDS[user], headers);
    expect(res.status).toBe(200);
    return (res.json() as { access_token: string }).access_token;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** Logs `user` in and answers the whole pair (access and refresh token). */
  const pairOf = async (user: DemoUser, headers: Record<string, string> = {}) => {
    const res = await login(`${user}@example.com`, PASSWORDS[user], headers);
    expect(res.status).toBe(200);
    return res.json() as { access_token: string; refresh_token: string };
  };
  const refresh = (refreshToken: string, headers: Record<string, string> = {}) =>
    send('POST', '/auth/refresh', { ...json, ...headers }, JSON.stringify({ refresh_token: refreshToken }));
  return { send, login, tokenOf, pairOf, refresh, bearer };
}

/** The decoded JOSE header and payload of a compact JWS (no verification: that is the server's job). */
export function decodeJws(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const part = (text: string | undefined) => JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
  return { header: part(header), payload: part(payload) };
}

/** The field values that differ per answer for reasons of time alone. */
export function withoutTime(res: ProbeResponse): Array<readonly [string, string]> {
  return res.fields.filter(([name]) => !['date', 'connection', 'keep-alive', 'ratelimit'].includes(name));
}
