import { ConfigError, checkOptions } from '@bulwark/core';
import type { JWK } from 'jose';
import { probeChecks } from './checks/index.js';
import { ProbeLimitError, probeHttp } from './client.js';
import { probeContext } from './context.js';
import type { ProbeAnswer } from './exchange.js';
import {
  type LoginRecipe,
  namedRoute,
  type ProbeRoute,
  type ProbeTarget,
  parseLoginRecipe,
  routesFromOpenApi,
} from './target.js';
import type { CheckResult, ProbeCheck, ProbeContext } from './types.js';

export interface ProbeOptions {
  /** The API's base URL: `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /**
   * Probe a host that is not loopback. Only for a target you own or are authorised to test:
   * the probe sends hostile requests (forged tokens, bursts, oversized bodies).
   */
  readonly iOwnThisTarget?: boolean;
  /** An OpenAPI 3.x document (parsed): routes, methods, bodies, protected routes and scopes. */
  readonly openapi?: unknown;
  /** Protected GET paths, in addition to the document's. */
  readonly protectedPaths?: readonly string[];
  /** Deprecated GET paths, in addition to the document's. */
  readonly deprecatedPaths?: readonly string[];
  /** An origin the API allows (CORS). */
  readonly origin?: string;
  /** A valid access token (JWT) for the authenticated checks. */
  readonly token?: string;
  /**
   * The API's private signing key as a JWK (with `alg`): the expired, wrong-audience and
   * oversized token checks then also send validly signed tokens, which test the claim checks
   * themselves. For your own test suite; never needed for the other checks.
   */
  readonly signingKey?: JWK;
  /** A valid API key. */
  readonly apiKey?: string;
  /** The header an API key goes in. Default `x-api-key`. */
  readonly apiKeyHeader?: string;
  /** How to sign in (object or its JSON text). */
  readonly login?: LoginRecipe | string;
  /** Where the public JWK Set is. Default `/.well-known/jwks.json`. */
  readonly jwksPath?: string;
  /** The most requests of the run. Default 600. */
  readonly budget?: number;
  /** The most requests per second. Default 50. */
  readonly rate?: number;
  /** Send methods other than GET, HEAD, OPTIONS and TRACE (the login recipe's POSTs are always sent). Default false. */
  readonly allowWrites?: boolean;
  /** Per request. Default 10000 ms. */
  readonly timeoutMs?: number;
  /** Sent on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The checks to run. Default {@link probeChecks}. */
  readonly checks?: readonly ProbeCheck[];
  /** Told when a check starts and ends, and of every answer. */
  readonly onProgress?: (event: ProbeProgress) => void;
}

export type ProbeProgress =
  | { readonly type: 'check'; readonly check: ProbeCheck; readonly index: number; readonly total: number }
  | { readonly type: 'result'; readonly result: CheckResult; readonly index: number; readonly total: number }
  | { readonly type: 'answer'; readonly answer: ProbeAnswer; readonly sent: number };

export interface ProbeReport {
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Requests sent. */
  readonly requests: number;
  readonly results: readonly CheckResult[];
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
}

const PROBE_OPTIONS = [
  'baseUrl',
  'iOwnThisTarget',
  'openapi',
  'protectedPaths',
  'deprecatedPaths',
  'origin',
  'token',
  'signingKey',
  'apiKey',
  'apiKeyHeader',
  'login',
  'jwksPath',
  'budget',
  'rate',
  'allowWrites',
  'timeoutMs',
  'headers',
  'checks',
  'onProgress',
] as const satisfies ReadonlyArray<keyof ProbeOptions>;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** True for a URL on this machine (localhost, 127.0.0.0/8, ::1): no DNS is asked. */
export function isLoopback(baseUrl: string): boolean {
  return LOOPBACK.test(new URL(baseUrl).hostname);
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(option, 'expected a positive number');
  return value;
}

/**
 * Checks the options (a non-loopback host without `iOwnThisTarget` is a ConfigError) and
 * builds what the checks know of the target.
 *
 * @example
 * ```ts
 * const target = probeTarget({ baseUrl: 'http://localhost:3000', protectedPaths: ['/v2/users/me'], origin: 'http://localhost:5173' });
 * ```
 */
export function probeTarget(options: ProbeOptions): ProbeTarget {
  checkOptions(options, PROBE_OPTIONS);
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new ConfigError('baseUrl', `expected an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('baseUrl', 'expected an http(s) URL');
  if (!isLoopback(options.baseUrl) && options.iOwnThisTarget !== true) {
    throw new ConfigError(
      'iOwnThisTarget',
      `${url.hostname} is not loopback: the probe sends attack traffic (forged tokens, bursts, oversized bodies); set it only for a target you own or are authorised to test`,
    );
  }
  if (options.origin !== undefined && new URL(options.origin).origin !== options.origin) {
    throw new ConfigError('origin', `expected an origin (scheme://host[:port]), got ${options.origin}`);
  }
  const routes: ProbeRoute[] = options.openapi === undefined ? [] : routesFromOpenApi(options.openapi);
  for (const path of options.protectedPaths ?? []) routes.push(namedRoute(path, { protected: true }));
  for (const path of options.deprecatedPaths ?? [])
    routes.push(namedRoute(path, { deprecated: true, protected: true }));
  return {
    baseUrl: url.origin,
    routes,
    origin: options.origin,
    login: options.login === undefined ? undefined : parseLoginRecipe(options.login),
    apiKeyHeader: (options.apiKeyHeader ?? 'x-api-key').toLowerCase(),
    jwksPath: options.jwksPath ?? '/.well-known/jwks.json',
  };
}

/**
 * Runs the probe's checks against an API and answers the report. Each check passes, fails
 * with evidence, or is skipped with the reason (no credential, no route known, budget
 * spent, a write not allowed). Loopback only, unless `iOwnThisTarget`.
 *
 * @example
 * ```ts
 * declare const email: string, password: string;
 * const report = await runProbe({ baseUrl: 'http://127.0.0.1:3000', login: { path: '/auth/login', body: { email, password } } });
 * for (const r of report.results) if (r.status === 'fail') console.log(r.id, r.summary, r.fix);
 * ```
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const target = probeTarget(options);
  const onProgress = options.onProgress;
  const http = probeHttp({
    baseUrl: target.baseUrl,
    budget: positive(options.budget, 600, 'budget'),
    rate: positive(options.rate, 50, 'rate'),
    allowWrites: options.allowWrites ?? false,
    timeoutMs: positive(options.timeoutMs, 10_000, 'timeoutMs'),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(onProgress
      ? { onAnswer: (answer: ProbeAnswer) => onProgress({ type: 'answer', answer, sent: http.sent }) }
      : {}),
  });
  const ctx = probeContext(target, http, {
    token: options.token,
    apiKey: options.apiKey,
    signingKey: options.signingKey,
  });
  const checks = options.checks ?? probeChecks;
  const started = Date.now();
  await reachable(ctx);
  const results: CheckResult[] = [];
  for (const [index, check] of checks.entries()) {
    onProgress?.({ type: 'check', check, index, total: checks.length });
    const result = await runCheck(check, ctx);
    results.push(result);
    onProgress?.({ type: 'result', result, index, total: checks.length });
  }
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return {
    baseUrl: target.baseUrl,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    requests: http.sent,
    results,
    counts: { pass: count('pass'), fail: count('fail'), skip: count('skip') },
  };
}

/** Refuses to run at all when nothing answers: 39 failures would only hide the one cause. */
async function reachable(ctx: ProbeContext): Promise<void> {
  try {
    await ctx.sample('public');
  } catch (err) {
    throw new ConfigError('baseUrl', `nothing answers at ${ctx.target.baseUrl} (${(err as Error).message})`);
  }
}

/** Runs one check: a spent budget or a write not allowed is a skip; an unreachable server is a failure. */
export async function runCheck(check: ProbeCheck, ctx: Parameters<ProbeCheck['run']>[0]): Promise<CheckResult> {
  const started = Date.now();
  const { id, title, risk, fix } = check;
  try {
    const outcome = await check.run(ctx);
    return { id, title, risk, fix, ...outcome, durationMs: Date.now() - started };
  } catch (err) {
    const limited = err instanceof ProbeLimitError;
    return {
      id,
      title,
      risk,
      fix,
      status: limited ? 'skip' : 'fail',
      summary: limited ? err.message : `the check could not complete: ${(err as Error).message}`,
      evidence: [],
      durationMs: Date.now() - started,
    };
  }
}
