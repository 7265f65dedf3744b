import type { ProbeAnswer } from '../exchange.js';
import { fail, pass, skip } from '../outcome.js';
import type { ProbeCheck, ProbeContext } from '../types.js';

/** The answers the header profile is checked on: a public route, a 404, and a protected route with the credential. */
async function profileAnswers(ctx: ProbeContext): Promise<ProbeAnswer[]> {
  const answers = [await ctx.sample('public'), await ctx.sample('not-found'), await ctx.sample('protected')];
  return answers.filter((a): a is ProbeAnswer => a !== undefined && a.status !== 0);
}

function profileCheck(
  id: string,
  title: string,
  fix: string,
  field: string,
  fault: (value: string | undefined) => string | undefined,
): ProbeCheck {
  return {
    id,
    title,
    risk: 'API8:2023',
    fix,
    async run(ctx) {
      const answers = await profileAnswers(ctx);
      const bad = answers.filter((a) => fault(a.header(field)) !== undefined);
      const first = bad[0];
      return first
        ? fail(`${first.request.path}: ${fault(first.header(field))}`, bad, [field])
        : pass(`${answers.length} answers checked`);
    },
  };
}

const YEAR = 31_536_000;

/** The security header profile of an API (API8:2023). */
export const headerChecks: readonly ProbeCheck[] = [
  profileCheck(
    'headers.hsts',
    'Strict-Transport-Security with max-age of at least a year',
    'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every answer.',
    'strict-transport-security',
    (value) => {
      if (value === undefined) return 'no Strict-Transport-Security';
      const age = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value)?.[1];
      return age !== undefined && Number(age) >= YEAR ? undefined : `max-age under a year: ${value}`;
    },
  ),
  profileCheck(
    'headers.nosniff',
    'X-Content-Type-Options: nosniff',
    'Send `X-Content-Type-Options: nosniff` on every answer, so a JSON body is never run as a script or page.',
    'x-content-type-options',
    (value) =>
      value?.trim().toLowerCase() === 'nosniff' ? undefined : `X-Content-Type-Options is ${value ?? 'missing'}`,
  ),
  profileCheck(
    'headers.frame-ancestors',
    "Content-Security-Policy frame-ancestors 'none'",
    "Send `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` so no page can frame an answer.",
    'content-security-policy',
    (value) =>
      value !== undefined && /(?:^|;)\s*frame-ancestors\s+'none'\s*(?:;|$)/i.test(value)
        ? undefined
        : `no frame-ancestors 'none' (${value ?? 'no CSP'})`,
  ),
  profileCheck(
    'headers.no-powered-by',
    'No X-Powered-By',
    "Remove `X-Powered-By` (Express: `app.disable('x-powered-by')`): it tells an attacker which exploits to try.",
    'x-powered-by',
    (value) => (value === undefined ? undefined : `X-Powered-By: ${value}`),
  ),
  profileCheck(
    'headers.server-version',
    'No software version in Server',
    'Drop the `Server` field, or send it without a product version.',
    'server',
    (value) => (value !== undefined && /\d/.test(value) ? `Server: ${value}` : undefined),
  ),
  {
    id: 'headers.no-store',
    title: 'Authenticated answers carry Cache-Control: no-store',
    risk: 'API8:2023',
    fix: 'Send `Cache-Control: no-store` on every answer to an authenticated request, so no shared cache keeps it.',
    async run(ctx) {
      const answer = await ctx.sample('protected');
      if (answer === undefined) return skip('no credential (--token, --api-key, --login) or no protected route known');
      if (answer.status < 200 || answer.status >= 300) {
        return skip(`the credential is not accepted on ${answer.request.path} (${answer.status})`);
      }
      const directives = (answer.header('cache-control') ?? '')
        .toLowerCase()
        .split(',')
        .map((d) => d.trim());
      return directives.includes('no-store')
        ? pass(`${answer.request.path}: Cache-Control: ${answer.header('cache-control')}`)
        : fail(
            `${answer.request.path} has Cache-Control: ${answer.header('cache-control') ?? '(none)'}`,
            [answer],
            ['cache-control'],
          );
    },
  },
];
