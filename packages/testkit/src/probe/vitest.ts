import { beforeAll, describe, it } from 'vitest';
import { probeChecks } from './checks/index.js';
import { probeHttp } from './client.js';
import { probeContext } from './context.js';
import { type ProbeOptions, probeTarget, runCheck } from './run.js';
import type { CheckResult, ProbeContext } from './types.js';

/** The failure message of a check: its summary, the fix and the evidence. */
export function describeFailure(result: CheckResult): string {
  const evidence = result.evidence
    .map((e) => `  ${e.request}\n    -> ${e.status} ${JSON.stringify(e.headers)} ${e.body.slice(0, 160)}`)
    .join('\n');
  return `${result.id} (${result.risk}) failed: ${result.summary}\nfix: ${result.fix}${evidence ? `\n${evidence}` : ''}`;
}

/**
 * Registers one vitest test per probe check against your API: a failed check fails its
 * test with the evidence and the fix; a skipped one is marked skipped with the reason.
 * `options` is called in `beforeAll` (start your server there or before).
 *
 * @example
 * ```ts
 * import { describeProbe } from '@bulwark/testkit';
 * declare const api: { url: string }, email: string, password: string; // your server, started in beforeAll
 * describeProbe('my API', async () => ({ baseUrl: api.url, login: { path: '/auth/login', body: { email, password } } }));
 * ```
 */
export function describeProbe(name: string, options: () => ProbeOptions | Promise<ProbeOptions>): void {
  describe(name, () => {
    let ctx: ProbeContext;
    let checks: ProbeOptions['checks'];
    beforeAll(async () => {
      const resolved = await options();
      const target = probeTarget(resolved);
      checks = resolved.checks;
      const http = probeHttp({
        baseUrl: target.baseUrl,
        budget: resolved.budget ?? 600,
        rate: resolved.rate ?? 50,
        allowWrites: resolved.allowWrites ?? false,
        timeoutMs: resolved.timeoutMs ?? 10_000,
        ...(resolved.headers ? { headers: resolved.headers } : {}),
      });
      ctx = probeContext(target, http, {
        token: resolved.token,
        apiKey: resolved.apiKey,
        signingKey: resolved.signingKey,
      });
    });
    for (const check of probeChecks) {
      it(`${check.id}: ${check.title}`, async (test) => {
        // A check the caller left out of `checks` is reported as skipped, not silently absent.
        if (checks !== undefined && !checks.some((c) => c.id === check.id)) return test.skip('not selected');
        const result = await runCheck(check, ctx);
        // A check that cannot run here (no credential, no deprecated route) says why in its summary.
        if (result.status === 'skip') return test.skip(result.summary);
        if (result.status === 'fail') throw new Error(describeFailure(result));
      });
    }
  });
}
