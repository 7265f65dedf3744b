import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readableRoute, tokenScopes } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { type DecodedJws, decodeJws, encodePart, reforge, signHs256, tamperSignature } from '../jwt.js';
import { fail, pass, skip } from '../outcome.js';
import { fillPath } from '../target.js';
import type { CheckOutcome, ProbeCheck, ProbeContext } from '../types.js';

interface TokenSetup {
  readonly jws: DecodedJws;
  readonly path: string;
  readonly try: (token: string) => Promise<ProbeAnswer>;
}

/** The valid JWT and a protected route that accepts it, or why the token checks cannot run. */
async function tokenSetup(ctx: ProbeContext): Promise<TokenSetup | string> {
  const token = await ctx.jwt();
  if (token === undefined) return 'no JWT given (--token or --login)';
  const jws = decodeJws(token);
  if (jws === undefined) return 'the token is not a compact JWS';
  const route = readableRoute(ctx.target, tokenScopes(jws.payload));
  if (route === undefined) return 'no protected route known (--openapi or --protected)';
  const path = fillPath(route.path);
  const send = (value: string) => ctx.http.send({ method: 'GET', path, headers: { authorization: `Bearer ${value}` } });
  const control = await send(token);
  if (control.status < 200 || control.status >= 300)
    return `the given token is not accepted on ${path} (${control.status})`;
  return { jws, path, try: send };
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * The token with `claims` changed: under the original signature (refused by any server that
 * verifies signatures, so only a server that does not is caught), and, given the API's
 * signing key, validly signed too (which tests the claim check itself).
 */
async function withClaims(jws: DecodedJws, ctx: ProbeContext, claims: Record<string, unknown>): Promise<string[]> {
  const payload = { ...jws.payload, ...claims };
  const forged = [reforge(jws, jws.header, payload)];
  if (ctx.sign) forged.push(await ctx.sign(jws.header, payload));
  return forged;
}

/** A check that sends forged variants of the valid token and expects every one refused. */
function tokenCheck(
  id: string,
  title: string,
  fix: string,
  forge: (jws: DecodedJws, ctx: ProbeContext) => string[] | Promise<string[] | string>,
): ProbeCheck {
  return {
    id,
    title,
    risk: 'API2:2023',
    fix,
    async run(ctx): Promise<CheckOutcome> {
      const setup = await tokenSetup(ctx);
      if (typeof setup === 'string') return skip(setup);
      const forged = await forge(setup.jws, ctx);
      if (typeof forged === 'string') return skip(forged);
      const accepted: ProbeAnswer[] = [];
      for (const token of forged) {
        const answer = await setup.try(token);
        if (answer.status !== 401 && answer.status !== 400 && answer.status !== 431) accepted.push(answer);
      }
      return accepted.length > 0
        ? fail(`a forged token answered ${accepted[0]?.status} on ${setup.path}`, accepted, ['www-authenticate'])
        : pass(`${forged.length} forged tokens refused on ${setup.path}`);
    },
  };
}

/** Public keys of the JWK Set as PEM: the HMAC secrets of the key-confusion attack. */
async function publicPems(ctx: ProbeContext): Promise<string[] | string> {
  const answer = await ctx.http.send({
    method: 'GET',
    path: ctx.target.jwksPath,
    headers: { accept: 'application/json' },
  });
  const keys = (answer.json() as { keys?: unknown } | undefined)?.keys;
  if (answer.status !== 200 || !Array.isArray(keys)) return `no JWK Set at ${ctx.target.jwksPath} (${answer.status})`;
  const pems: string[] = [];
  for (const key of keys.slice(0, 3)) {
    try {
      pems.push(
        createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      );
    } catch {
      // A key Node cannot read (a symmetric one would itself be a finding, but is not this check's).
    }
  }
  return pems.length > 0 ? pems : 'the JWK Set has no public key Node can read';
}

/** Token handling (API2:2023): forged variants of a valid token must all be refused. */
export const tokenChecks: readonly ProbeCheck[] = [
  tokenCheck(
    'token.alg-none',
    'A token with alg "none" is refused',
    'Verify with a fixed algorithm list from the key, never from the token header; refuse "none" in every spelling.',
    (jws) => ['none', 'None', 'NONE'].map((alg) => `${encodePart({ ...jws.header, alg })}.${encodePart(jws.payload)}.`),
  ),
  tokenCheck(
    'token.expired',
    'An expired token is refused',
    'Require `exp` and check it (with a few seconds of leeway at most).',
    (jws, ctx) => withClaims(jws, ctx, { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }),
  ),
  tokenCheck(
    'token.wrong-audience',
    'A token for another audience is refused',
    'Configure the expected audience and check `aud` on every token.',
    (jws, ctx) => withClaims(jws, ctx, { aud: 'bulwark-probe-other-api' }),
  ),
  tokenCheck(
    'token.tampered-signature',
    'A token with a changed signature is refused',
    'Verify the signature of every token before reading its claims.',
    (jws) => [reforge(jws, jws.header, jws.payload, tamperSignature(jws.signature))],
  ),
  tokenCheck(
    'token.tampered-claims',
    'A token with changed claims (sub, scope) is refused',
    'Verify the signature over the header and payload as sent; never decode-then-trust.',
    (jws) => [
      reforge(jws, jws.header, { ...jws.payload, sub: `${String(jws.payload.sub ?? '')}-probe`, scope: 'admin' }),
    ],
  ),
  tokenCheck(
    'token.oversized',
    'An oversized token (10 KiB of claims) is refused',
    'Refuse tokens above a size limit (8 KiB is generous) before decoding or verifying them.',
    (jws, ctx) => withClaims(jws, ctx, { pad: 'a'.repeat(10 * 1024) }),
  ),
  tokenCheck(
    'token.key-confusion',
    'An HS256 token signed with the public key is refused (algorithm confusion)',
    'Bind each key to its algorithm; never verify HMAC tokens against an asymmetric key set.',
    async (jws, ctx) => {
      if (typeof jws.header.alg === 'string' && jws.header.alg.startsWith('HS'))
        return 'the token is HMAC-signed: no public key to confuse';
      const pems = await publicPems(ctx);
      return typeof pems === 'string' ? pems : pems.map((pem) => signHs256(jws.header, jws.payload, pem));
    },
  ),
];
