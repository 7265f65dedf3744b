import { publicPath, readableRoute } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { fillPath } from '../target.js';
import type { ProbeContext } from '../types.js';

/** Where origin-dependent answers are asked for: a protected route with the credential, else a public one. */
export async function corsRoute(ctx: ProbeContext): Promise<{ path: string; headers: Record<string, string> }> {
  const credential = await ctx.credential();
  const route = readableRoute(ctx.target);
  if (credential !== undefined && route !== undefined)
    return { path: fillPath(route.path), headers: { ...credential } };
  return { path: publicPath(ctx.target), headers: {} };
}

/** An origin the API is not expected to trust. */
export const FOREIGN_ORIGIN = 'https://bulwark-probe.invalid';

/** True when the answer lets a page of `origin` read it: ACAO is that origin, or `*` together with credentials. */
export function grants(answer: ProbeAnswer, origin: string): boolean {
  const acao = answer.header('access-control-allow-origin')?.trim();
  if (acao === origin) return true;
  return acao === '*' && answer.header('access-control-allow-credentials')?.trim().toLowerCase() === 'true';
}

/** The field's comma-separated members, lower-cased. */
export function members(answer: ProbeAnswer, name: string): string[] {
  return (answer.header(name) ?? '')
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter(Boolean);
}

/** The look-alikes of an allowed origin that a careless allowlist (suffix, prefix, regex, scheme) grants. */
export function lookAlikes(origin: string): string[] {
  const url = new URL(origin);
  const host = url.hostname;
  const port = url.port ? `:${url.port}` : '';
  const other = url.protocol === 'https:' ? 'http:' : 'https:';
  const list = [
    `${url.protocol}//${host}.bulwark-probe.invalid${port}`,
    `${url.protocol}//bulwarkprobe${host}${port}`,
    `${other}//${host}${port}`,
    `${url.protocol}//${host}:${Number(url.port || (url.protocol === 'https:' ? 443 : 80)) + 1}`,
  ];
  // An unescaped dot in a regex allowlist matches any character.
  if (host.includes('.')) list.push(`${url.protocol}//${host.replace('.', 'x')}${port}`);
  return list.filter((o) => o !== origin);
}

/** A preflight from `origin` for GET with the given request headers. */
export function preflight(path: string, origin: string, requestHeaders?: string) {
  return {
    method: 'OPTIONS',
    path,
    headers: {
      origin,
      'access-control-request-method': 'GET',
      ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
    },
  };
}
