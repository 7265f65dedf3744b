import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';

const PROFILE: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function varyTokens(res: ProbeResponse): string[] {
  return (res.header('vary') ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/** The header profile and a clean problem+json body. */
export function expectProfile(res: ProbeResponse): void {
  for (const [name, value] of Object.entries(PROFILE)) expect(res.header(name), name).toBe(value);
  expect(res.header('x-powered-by')).toBeUndefined();
}

export function expectProblem(res: ProbeResponse, status: number, code: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:bulwark:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(res.text).not.toMatch(/\n\s+at |node_modules|stack/i);
  return body;
}
