import { expect } from 'vitest';

/** The directives of a Content-Security-Policy value, by lower-cased name. */
export function cspDirectives(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    // The first occurrence of a directive wins (CSP3 §2.2.1); the rest are ignored.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/**
 * The header profile a sign-in page needs (issue #16 §3): a CSP that runs no inline script,
 * no MIME sniffing, and no framing (clickjacking the password form).
 */
export function expectSignInPageHeaders(headers: (name: string) => string | null | undefined): void {
  const policy = headers('content-security-policy');
  expect(policy, 'Content-Security-Policy').toEqual(expect.any(String));
  const csp = cspDirectives(policy ?? '');
  // The directive that governs inline <script> elements, then inline event handlers (CSP3 fallbacks).
  for (const chain of [
    ['script-src-elem', 'script-src', 'default-src'],
    ['script-src-attr', 'script-src', 'default-src'],
  ]) {
    const sources = chain.map((name) => csp.get(name)).find((values) => values !== undefined);
    expect(sources, `CSP ${chain.join(' or ')}`).toBeDefined();
    expect(sources, `CSP ${chain.join(' or ')}`).not.toContain("'unsafe-inline'");
  }
  expect(headers('x-content-type-options')).toBe('nosniff');
  const noFraming =
    csp.get('frame-ancestors')?.join(' ') === "'none'" || headers('x-frame-options')?.toUpperCase() === 'DENY';
  expect(noFraming, "CSP frame-ancestors 'none' or X-Frame-Options DENY").toBe(true);
}
