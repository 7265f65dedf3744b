import { readFile } from 'node:fs/promises';
import { ConfigError } from '@bulwark/core';
import { accessTokenVerifier, SIGNING_ALGORITHMS, type SigningAlgorithm, type VerificationKey } from '@bulwark/tokens';
import { importJWK, type JWK } from 'jose';
import { tokenProblems } from './token-problems.js';

export interface TokenInspectFlags {
  readonly issuer?: string;
  readonly audience?: string;
  /** A JWK Set file: with it (and --issuer, --audience) the strict verifier itself runs. */
  readonly jwks?: string;
  readonly json?: boolean;
}

function part(text: string | undefined): unknown {
  try {
    return JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Runs @bulwark/tokens' verifier with the keys of a local JWK Set: its verdict, or the reason. */
async function verdict(token: string, flags: TokenInspectFlags): Promise<string> {
  if (flags.issuer === undefined || flags.audience === undefined)
    throw new ConfigError('--jwks', 'needs --issuer and --audience');
  let set: { keys?: JWK[] };
  try {
    set = JSON.parse(await readFile(flags.jwks as string, 'utf8'));
  } catch {
    throw new ConfigError('--jwks', `cannot read a JWK Set from ${flags.jwks}`);
  }
  const keys = new Map<string, VerificationKey>();
  for (const jwk of set.keys ?? []) {
    if (typeof jwk.kid !== 'string' || !SIGNING_ALGORITHMS.includes(jwk.alg as SigningAlgorithm)) continue;
    const key = await importJWK(jwk, jwk.alg);
    keys.set(jwk.kid, { kid: jwk.kid, alg: jwk.alg as SigningAlgorithm, key: key as CryptoKey | Uint8Array });
  }
  const algorithms = [...new Set([...keys.values()].map((k) => k.alg))];
  if (algorithms.length === 0) throw new ConfigError('--jwks', 'no key with kid and a supported alg');
  const verifier = accessTokenVerifier({
    keys: { key: (kid) => keys.get(kid) },
    issuer: flags.issuer,
    audience: flags.audience,
    algorithms,
    cache: false,
  });
  const outcome = await verifier.verify(token);
  return outcome.ok ? 'valid' : `refused: ${outcome.reason}`;
}

/** `bulwark token inspect <jwt>`: the decoded header and claims, and every problem; exit 1 when there is one. */
export async function tokenInspect(token: string, flags: TokenInspectFlags): Promise<{ output: string; code: number }> {
  const [h, p] = token.trim().split('.');
  const problems = tokenProblems(token.trim(), {
    issuer: flags.issuer,
    audience: flags.audience,
    now: Math.floor(Date.now() / 1000),
  });
  const verified = flags.jwks ? await verdict(token.trim(), flags) : undefined;
  const code = problems.length > 0 || (verified !== undefined && verified !== 'valid') ? 1 : 0;
  const result = { header: part(h), payload: part(p), problems, ...(verified ? { verifier: verified } : {}) };
  if (flags.json) return { output: `${JSON.stringify(result, null, 2)}\n`, code };
  const lines = [
    `header  ${JSON.stringify(result.header)}`,
    `payload ${JSON.stringify(result.payload)}`,
    ...(verified
      ? [`verifier: ${verified}`]
      : ['verifier: not run (give --jwks, --issuer and --audience to check the signature)']),
    problems.length === 0 ? 'no problem found' : `${problems.length} problem(s):`,
    ...problems.map((pr) => `  ${pr.where}: ${pr.problem}`),
  ];
  return { output: `${lines.join('\n')}\n`, code };
}
