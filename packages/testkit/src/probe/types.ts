import type { ProbeHttp } from './client.js';
import type { ProbeAnswer } from './exchange.js';
import type { ProbeTarget } from './target.js';

/** The OWASP API Security Top 10 (2023) category a check covers. */
export type OwaspRisk =
  | 'API1:2023'
  | 'API2:2023'
  | 'API3:2023'
  | 'API4:2023'
  | 'API5:2023'
  | 'API6:2023'
  | 'API7:2023'
  | 'API8:2023'
  | 'API9:2023'
  | 'API10:2023';

/** The names of the OWASP API Security Top 10 (2023), for reports. */
export const OWASP_RISKS: Readonly<Record<OwaspRisk, string>> = {
  'API1:2023': 'Broken Object Level Authorization',
  'API2:2023': 'Broken Authentication',
  'API3:2023': 'Broken Object Property Level Authorization',
  'API4:2023': 'Unrestricted Resource Consumption',
  'API5:2023': 'Broken Function Level Authorization',
  'API6:2023': 'Unrestricted Access to Sensitive Business Flows',
  'API7:2023': 'Server Side Request Forgery',
  'API8:2023': 'Security Misconfiguration',
  'API9:2023': 'Improper Inventory Management',
  'API10:2023': 'Unsafe Consumption of APIs',
};

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One request and what came back, as a report shows it (never a credential). */
export interface Evidence {
  /** The request as one line: method, target, the fields sent (credentials redacted), the body size. */
  readonly request: string;
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly target: string;
  readonly status: number;
  /** The response fields that made the point, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The start of the body (at most 300 characters). */
  readonly body: string;
}

export interface CheckOutcome {
  readonly status: CheckStatus;
  /** One sentence: what was seen (pass), what is wrong (fail), or why it could not run (skip). */
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

/** What a check runs with: the target as known, a bounded HTTP client and the credentials. */
export interface ProbeContext {
  readonly target: ProbeTarget;
  readonly http: ProbeHttp;
  /** The headers carrying the given credential (token, API key or the login recipe's token), if any. */
  credential(): Promise<Readonly<Record<string, string>> | undefined>;
  /** A valid JWT (`--token` or the login recipe's), if any. */
  jwt(): Promise<string | undefined>;
  /**
   * Signs a compact JWS with the API's own key (given with `signingKey`), so the claim
   * checks (expired, wrong audience, oversized) send validly signed tokens; `undefined` without one.
   */
  readonly sign: ((header: Record<string, unknown>, payload: Record<string, unknown>) => Promise<string>) | undefined;
  /** An answer of the given route with the credential, fetched once per run and shared by checks. */
  sample(kind: 'public' | 'protected' | 'not-found'): Promise<ProbeAnswer | undefined>;
}

/**
 * One probe check: an id, the risk it covers, a fix hint and what it does. Write your own
 * and pass it in `checks` with the built-in ones.
 *
 * @example
 * ```ts
 * import { fail, pass, probeChecks, runProbe, type ProbeCheck } from '@bulwark/testkit';
 * const noServerTiming: ProbeCheck = {
 *   id: 'headers.no-server-timing',
 *   title: 'No Server-Timing on public answers',
 *   risk: 'API8:2023',
 *   fix: 'Drop Server-Timing outside development.',
 *   async run(ctx) {
 *     const answer = await ctx.sample('public');
 *     return answer?.header('server-timing') ? fail('Server-Timing is sent', [answer]) : pass('no Server-Timing');
 *   },
 * };
 * await runProbe({ baseUrl: 'http://127.0.0.1:3000', checks: [...probeChecks, noServerTiming] });
 * ```
 */
export interface ProbeCheck {
  /** Stable, dotted: `cors.null-origin`. */
  readonly id: string;
  readonly title: string;
  readonly risk: OwaspRisk;
  /** What to change when it fails (one or two sentences). */
  readonly fix: string;
  run(ctx: ProbeContext): Promise<CheckOutcome>;
}

/** A check's result in a report. */
export interface CheckResult extends CheckOutcome {
  readonly id: string;
  readonly title: string;
  readonly risk: OwaspRisk;
  readonly fix: string;
  readonly durationMs: number;
}
