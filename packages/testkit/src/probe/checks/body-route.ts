import { hasParams } from '../target.js';
import type { ProbeContext } from '../types.js';

/** Where the body checks POST, and a body the route accepts (when known). */
export interface BodyRoute {
  readonly method: string;
  readonly path: string;
  /** A body the route accepts as valid, so a refusal is about what the check added. */
  readonly valid: Readonly<Record<string, unknown>> | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** The user named this route (the login recipe): its POSTs are sent without --allow-writes. */
  readonly consented: boolean;
}

/**
 * The login recipe's route (the user named it, and a refused body changes nothing), else
 * the first JSON-body operation of the OpenAPI document that the credential may call.
 */
export async function bodyRoute(ctx: ProbeContext): Promise<BodyRoute | undefined> {
  const recipe = ctx.target.login;
  if (recipe !== undefined)
    return { method: 'POST', path: recipe.path, valid: recipe.body, headers: {}, consented: true };
  const credential = await ctx.credential();
  const route = ctx.target.routes.find(
    (r) => r.jsonBody && !hasParams(r) && (!r.protected || credential !== undefined),
  );
  if (route === undefined) return undefined;
  return {
    method: route.method,
    path: route.path,
    valid: undefined,
    headers: route.protected && credential ? credential : {},
    consented: false,
  };
}

/** A JSON object text with `extra` members first: `__proto__` cannot go through an object literal. */
export function withMembers(valid: Readonly<Record<string, unknown>> | undefined, extra: string): string {
  const rest = JSON.stringify(valid ?? {}).slice(1);
  return rest === '}' ? `{${extra}}` : `{${extra},${rest}`;
}
