import { type Item, parseItem } from 'structured-headers';
import type { ProbeAnswer } from '../exchange.js';
import { fail, pass, skip } from '../outcome.js';
import { fillPath } from '../target.js';
import type { ProbeCheck } from '../types.js';

const FIELDS = ['deprecation', 'sunset', 'link'];

/** Why a deprecated route's answer does not announce it properly, or `undefined`. */
export function deprecationFault(answer: ProbeAnswer): string | undefined {
  const deprecation = answer.header('deprecation');
  if (deprecation === undefined) return 'no Deprecation field';
  let since: Date;
  try {
    const [value] = parseItem(deprecation) as Item;
    if (!(value instanceof Date)) return `Deprecation is not an RFC 9745 date (@seconds): ${deprecation}`;
    since = value;
  } catch {
    return `Deprecation is not an RFC 9745 date (@seconds): ${deprecation}`;
  }
  const sunset = answer.header('sunset');
  if (sunset !== undefined) {
    const at = Date.parse(sunset);
    if (!/ GMT$/.test(sunset) || Number.isNaN(at)) return `Sunset is not an HTTP-date: ${sunset}`;
    if (at < since.getTime()) return 'Sunset is earlier than Deprecation';
  } else return 'no Sunset field (RFC 8594)';
  if (!/rel="?[^";,]*\b(?:deprecation|sunset|successor-version)\b/i.test(answer.header('link') ?? '')) {
    return 'no Link to the deprecation notice or the successor (rel="deprecation")';
  }
  return undefined;
}

/** Inventory (API9:2023): deprecated versions say so, with a date to leave by. */
export const inventoryChecks: readonly ProbeCheck[] = [
  {
    id: 'inventory.deprecation',
    title: 'Deprecated routes carry Deprecation, Sunset and Link',
    risk: 'API9:2023',
    fix: 'Send `Deprecation: @<epoch>` (RFC 9745), `Sunset: <HTTP-date>` (RFC 8594, not earlier) and `Link: <...>; rel="deprecation"` on every deprecated route.',
    async run(ctx) {
      const routes = ctx.target.routes.filter((r) => r.deprecated && r.method === 'GET').slice(0, 3);
      if (routes.length === 0) return skip('no deprecated GET route known (--openapi or --deprecated)');
      const credential = await ctx.credential();
      for (const route of routes) {
        const answer = await ctx.http.send({
          method: 'GET',
          path: fillPath(route.path),
          headers: route.protected && credential ? credential : {},
        });
        const fault = deprecationFault(answer);
        if (fault) return fail(`${route.path}: ${fault}`, [answer], FIELDS);
      }
      return pass(`${routes.length} deprecated routes announce their sunset`);
    },
  },
];
