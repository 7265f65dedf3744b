import { ConfigError } from '@bulwark/core';
import { CompactSign, importJWK, type JWK } from 'jose';
import type { ProbeHttp } from './client.js';
import type { ProbeAnswer } from './exchange.js';
import { fillPath, hasParams, type ProbeRoute, type ProbeTarget } from './target.js';
import type { ProbeContext } from './types.js';

export interface Credentials {
  readonly token?: string | undefined;
  readonly apiKey?: string | undefined;
  /** A private JWK of the API's signing key (with `alg`), for the claim checks. */
  readonly signingKey?: JWK | undefined;
}

/** A signer for the API's own key: the header's `alg` and `kid` come from the key. */
function signerOf(jwk: JWK | undefined): ProbeContext['sign'] {
  if (jwk === undefined) return undefined;
  let key: ReturnType<typeof importJWK> | undefined;
  return async (header, payload) => {
    const alg = jwk.alg;
    if (typeof alg !== 'string') throw new ConfigError('signingKey', 'expected a JWK with alg');
    key ??= importJWK(jwk, alg);
    const protectedHeader = { ...header, alg, ...(jwk.kid ? { kid: jwk.kid } : {}) };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(protectedHeader)
      .sign(await key);
  };
}

/** The member at a dotted path of a JSON answer (`access_token`, `data.token`). */
export function memberAt(body: unknown, path: string): unknown {
  let at: unknown = body;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Signs in with the recipe: the whole answer (a check replays its refresh token). */
export function signIn(target: ProbeTarget, http: ProbeHttp): Promise<ProbeAnswer> {
  const recipe = target.login;
  if (recipe === undefined) throw new Error('no login recipe');
  return http.send(
    {
      method: 'POST',
      path: recipe.path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(recipe.body),
    },
    { consented: true },
  );
}

/** The token a sign-in answer carries, or `undefined`. */
export function tokenOf(target: ProbeTarget, answer: ProbeAnswer): string | undefined {
  const token = memberAt(answer.json(), target.login?.token ?? 'access_token');
  return answer.status >= 200 && answer.status < 300 && typeof token === 'string' ? token : undefined;
}

/** The scopes of a token's `scope` (or `scp`) claim. */
export function tokenScopes(payload: Record<string, unknown> | undefined): Set<string> | undefined {
  const value = payload?.scope ?? payload?.scp;
  if (typeof value === 'string') return new Set(value.split(' ').filter(Boolean));
  if (Array.isArray(value)) return new Set(value.map(String));
  return undefined;
}

/** A protected GET route without parameters the credential can read: the one authenticated checks use. */
export function readableRoute(target: ProbeTarget, scopes?: Set<string>): ProbeRoute | undefined {
  const candidates = target.routes.filter((r) => r.protected && r.method === 'GET' && !hasParams(r) && !r.deprecated);
  const allowed = (r: ProbeRoute) => scopes === undefined || r.scopes.every((s) => scopes.has(s));
  return (
    candidates.find((r) => r.scopes.length === 0) ??
    candidates.find(allowed) ??
    target.routes.find((r) => r.protected && r.method === 'GET' && !hasParams(r))
  );
}

/** The first public GET route without parameters, else `/`. */
export function publicPath(target: ProbeTarget): string {
  return target.routes.find((r) => !r.protected && r.method === 'GET' && !hasParams(r) && !r.deprecated)?.path ?? '/';
}

/**
 * Builds the context of one run: credentials resolved once (the login recipe signs in at
 * most once), sample answers fetched once and shared by the checks.
 *
 * @example
 * ```ts
 * const target = probeTarget({ baseUrl: 'http://127.0.0.1:3000', protectedPaths: ['/me'] });
 * const http = probeHttp({ baseUrl: target.baseUrl, budget: 50, rate: 20, allowWrites: false, timeoutMs: 5000 });
 * const result = await runCheck(corsChecks[0] as ProbeCheck, probeContext(target, http, { token: process.env.TOKEN }));
 * ```
 */
export function probeContext(target: ProbeTarget, http: ProbeHttp, given: Credentials): ProbeContext {
  let login: Promise<string | undefined> | undefined;
  const loginToken = () => {
    login ??=
      target.login === undefined ? Promise.resolve(undefined) : signIn(target, http).then((a) => tokenOf(target, a));
    return login;
  };
  const jwt = async () => given.token ?? (await loginToken());
  const credential = async (): Promise<Record<string, string> | undefined> => {
    if (given.token !== undefined) return { authorization: `Bearer ${given.token}` };
    if (given.apiKey !== undefined) return { [target.apiKeyHeader]: given.apiKey };
    const token = await loginToken();
    return token === undefined ? undefined : { authorization: `Bearer ${token}` };
  };
  const samples = new Map<string, Promise<ProbeAnswer | undefined>>();
  const fetchSample = async (kind: 'public' | 'protected' | 'not-found'): Promise<ProbeAnswer | undefined> => {
    if (kind === 'public') return http.send({ method: 'GET', path: publicPath(target) });
    if (kind === 'not-found')
      return http.send({ method: 'GET', path: `/bulwark-probe-not-found-${Date.now().toString(36)}` });
    const headers = await credential();
    const route = readableRoute(target);
    if (headers === undefined || route === undefined) return undefined;
    return http.send({ method: 'GET', path: fillPath(route.path), headers });
  };
  return {
    target,
    http,
    credential,
    jwt,
    sign: signerOf(given.signingKey),
    sample: (kind) => {
      let answer = samples.get(kind);
      if (answer === undefined) {
        answer = fetchSample(kind);
        samples.set(kind, answer);
      }
      return answer;
    },
  };
}
