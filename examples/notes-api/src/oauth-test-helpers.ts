import type { ProbeResponse } from '@bulwark/testkit';
import { createPkcePair, type PkcePair } from '@bulwark/tokens';
import { expect } from 'vitest';
import { client, type DemoUser, PASSWORDS } from './test-helpers.js';

export const SPA = 'notes-spa';
export const CALLBACK = 'http://localhost:5173/callback';
export const formType = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** The query of an authorization request for notes-spa (override or drop any parameter with `undefined`). */
export function authorizeQuery(challenge: string, extra: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: SPA,
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-123',
    ...extra,
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  return query.toString();
}

/** The hidden and visible fields of the page's form, decoded from their (escaped) attributes. */
export function formFields(page: ProbeResponse): Record<string, string> {
  const decodeAttribute = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const match of page.text.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)) {
    fields[match[1] as string] = decodeAttribute(match[2] as string);
  }
  return fields;
}

/** `name=value` of the sign-in cookie the page set. */
export function cookieOf(page: ProbeResponse): string {
  const set = page.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return (first ?? '').split(';')[0] as string;
}

export const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** An OAuth client of one demo server: the authorization page, the form post, the token endpoint. */
export function oauthClient(server: { url: string }) {
  const c = client(server);
  const page = (query: string, headers: Record<string, string> = {}) =>
    c.send('GET', `/oauth/authorize?${query}`, headers);
  const post = (fields: Record<string, string>, cookie: string, headers: Record<string, string> = {}) =>
    c.send('POST', '/oauth/authorize', { ...formType, cookie, ...headers }, formBody(fields));
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    c.send('POST', '/oauth/token', { ...formType, ...headers }, formBody(fields));
  /** Signs `user` in through the page and answers the redirect's parameters, with the PKCE pair used. */
  const authorize = async (
    user: DemoUser,
    headers: Record<string, string> = {},
    extra: Record<string, string | undefined> = {},
  ): Promise<{ pkce: PkcePair; redirect: URL; signedIn: ProbeResponse }> => {
    const pkce = await createPkcePair();
    const shown = await page(authorizeQuery(pkce.challenge, extra), headers);
    expect(shown.status).toBe(200);
    const signedIn = await post(
      { ...formFields(shown), email: `${user}@example.com`, password: PASSWORDS[user] },
      cookieOf(shown),
      headers,
    );
    expect(signedIn.status).toBe(303);
    return { pkce, redirect: new URL(signedIn.header('location') ?? ''), signedIn };
  };
  /** The whole code flow: the page, the sign-in, the code exchange. Answers the token response. */
  const tokens = async (
    user: DemoUser,
    headers: Record<string, string> = {},
    extra: Record<string, string | undefined> = {},
  ) => {
    const { pkce, redirect } = await authorize(user, headers, extra);
    const res = await token(
      {
        grant_type: 'authorization_code',
        code: redirect.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        client_id: SPA,
        code_verifier: pkce.verifier,
      },
      headers,
    );
    expect(res.status).toBe(200);
    return res.json() as { access_token: string; refresh_token: string; scope: string; expires_in: number };
  };
  return { ...c, page, post, token, authorize, tokens };
}

export const ISSUER = 'http://127.0.0.1:3000';
export const CSP =
  /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self' http:\/\/localhost:5173; frame-ancestors 'none'; base-uri 'none'$/;

/** An HTML page of the sign-in flow: the header profile, its own CSP, never stored. */
export const expectPage = (res: ProbeResponse, status: number) => {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toBe('text/html; charset=utf-8');
  expect(res.header('cache-control')).toBe('no-store');
  expect(res.header('content-security-policy')).toMatch(CSP);
  // The rest of the header profile, as on every answer.
  expect(res.header('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(res.header('x-frame-options')).toBe('DENY');
  expect(res.header('x-content-type-options')).toBe('nosniff');
  expect(res.header('referrer-policy')).toBe('no-referrer');
  expect(res.header('cross-origin-resource-policy')).toBe('same-origin');
  expect(res.header('x-powered-by')).toBeUndefined();
  expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/);
  // No script of any kind: nothing for the CSP to have to trust.
  expect(res.text).not.toMatch(/<script|javascript:/i);
  // No event handler attribute (attribute values blanked: an escaped value is text, not markup).
  expect(res.text.replace(/"[^"]*"/g, '""')).not.toMatch(/\son[a-z]+=/i);
  return res;
};

/** `text` with the base64url character at `at` replaced by another. */
export const flip = (text: string, at: number) =>
  `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
/** The same bytes spelled differently: a 43-character base64url string's last character has 2 spare bits. */
export const spareBits = (text: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(text.at(-1) as string);
  return `${text.slice(0, -1)}${alphabet[last ^ 1]}`;
};

/** An RFC 6749 §5.2 error answer. */
export const expectTokenError = (res: ProbeResponse, status: number, error: string) => {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/json/);
  expect(res.header('cache-control')).toBe('no-store');
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(body.error).toBe(error);
  return body;
};
