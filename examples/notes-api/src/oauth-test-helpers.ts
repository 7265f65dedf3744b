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
  const tokens = async (user: DemoUser, headers: Record<string, string> = {}) => {
    const { pkce, redirect } = await authorize(user, headers);
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
