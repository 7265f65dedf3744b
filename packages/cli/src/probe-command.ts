import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '@bulwark/core';
import { type ProbeOptions, type ProbeReport, probeChecks, runProbe } from '@bulwark/testkit/probe';
import type { progressDisplay } from './progress.js';
import { toJUnit } from './report/junit.js';
import { toSarif } from './report/sarif.js';
import { formatReport } from './report/text.js';

/** The options of `bulwark probe`, as commander hands them over. */
export interface ProbeFlags {
  readonly openapi?: string;
  readonly token?: string;
  readonly apiKey?: string;
  readonly signingKey?: string;
  readonly apiKeyHeader?: string;
  readonly login?: string;
  readonly origin?: string;
  readonly protected?: string[];
  readonly deprecated?: string[];
  readonly jwks?: string;
  readonly budget?: string;
  readonly rate?: string;
  readonly timeout?: string;
  readonly allowWrites?: boolean;
  readonly iOwnThisTarget?: boolean;
  readonly header?: string[];
  readonly only?: string[];
  readonly json?: boolean;
  readonly junit?: string;
  readonly sarif?: string;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw new ConfigError(flag, `expected a positive integer, got "${value}"`);
  return Number(value);
}

function headers(list: readonly string[] = []): Record<string, string> | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const colon = item.indexOf(':');
    if (colon <= 0) throw new ConfigError('--header', `expected "name: value", got "${item}"`);
    out[item.slice(0, colon).trim().toLowerCase()] = item.slice(colon + 1).trim();
  }
  return out;
}

/** The OpenAPI document: a file, or a path on the target (`/openapi.json`), read before the run. */
async function loadOpenApi(source: string, baseUrl: string, ownTarget: boolean): Promise<unknown> {
  let text: string;
  if (source.startsWith('/') && !source.startsWith('//') && !(await exists(source))) {
    const { sendProbeGet } = await import('./fetch-document.js');
    text = await sendProbeGet(baseUrl, source, ownTarget);
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch {
      throw new ConfigError('--openapi', `cannot read ${source}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError('--openapi', `${source} is not JSON (convert a YAML document first)`);
  }
}

/** A private JWK from a file: a key, or the first key of a JWK Set (the demo's SIGNING_KEYS_FILE). */
async function loadJwk(file: string): Promise<NonNullable<ProbeOptions['signingKey']>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new ConfigError('--signing-key', `cannot read a JSON JWK from ${file}`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  const key = (Array.isArray(keys) ? keys[0] : parsed) as NonNullable<ProbeOptions['signingKey']> | undefined;
  if (typeof key !== 'object' || key === null || typeof key.alg !== 'string' || typeof key.kty !== 'string') {
    throw new ConfigError('--signing-key', 'expected a private JWK (or JWK Set) with kty and alg');
  }
  return key;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

/** Builds the probe's options from the flags. */
export async function probeOptions(baseUrl: string, flags: ProbeFlags): Promise<ProbeOptions> {
  const only = flags.only;
  const checks =
    only === undefined
      ? undefined
      : probeChecks.filter((c) => only.some((o) => c.id === o || c.id.startsWith(`${o}.`)));
  if (checks !== undefined && checks.length === 0)
    throw new ConfigError('--only', `matches no check: ${only?.join(', ')} (bulwark probe --list shows them)`);
  const extra = headers(flags.header);
  const budget = integer(flags.budget, '--budget');
  const rate = integer(flags.rate, '--rate');
  const timeoutMs = integer(flags.timeout, '--timeout');
  return {
    baseUrl,
    ...(flags.iOwnThisTarget ? { iOwnThisTarget: true } : {}),
    ...(flags.openapi ? { openapi: await loadOpenApi(flags.openapi, baseUrl, flags.iOwnThisTarget === true) } : {}),
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
    ...(flags.signingKey ? { signingKey: await loadJwk(flags.signingKey) } : {}),
    ...(flags.apiKeyHeader ? { apiKeyHeader: flags.apiKeyHeader } : {}),
    ...(flags.login ? { login: flags.login } : {}),
    ...(flags.origin ? { origin: flags.origin } : {}),
    ...(flags.protected ? { protectedPaths: flags.protected } : {}),
    ...(flags.deprecated ? { deprecatedPaths: flags.deprecated } : {}),
    ...(flags.jwks ? { jwksPath: flags.jwks } : {}),
    ...(budget ? { budget } : {}),
    ...(rate ? { rate } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(flags.allowWrites ? { allowWrites: true } : {}),
    ...(extra ? { headers: extra } : {}),
    ...(checks ? { checks } : {}),
  };
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly progress?: ReturnType<typeof progressDisplay>;
  readonly version: string;
  /** Colour the text report. */
  readonly color?: boolean;
}

/** Runs `bulwark probe`: the report on stdout (text or --json), the JUnit and SARIF files; answers the exit code. */
export async function probeCommand(baseUrl: string, flags: ProbeFlags, io: CommandIo): Promise<number> {
  const options = await probeOptions(baseUrl, flags);
  const progress = flags.json ? undefined : io.progress;
  const report: ProbeReport = await runProbe({ ...options, ...(progress ? { onProgress: progress } : {}) });
  io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, { color: io.color === true }));
  if (flags.junit) await writeFile(flags.junit, toJUnit(report));
  if (flags.sarif) await writeFile(flags.sarif, `${JSON.stringify(toSarif(report, io.version), null, 2)}\n`);
  return report.counts.fail > 0 ? 1 : 0;
}
