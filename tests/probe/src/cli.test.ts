import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeChecks } from '@bulwark/testkit';
import type { RunningDemo } from '@bulwark-examples/notes-api/src/server.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulwark } from './cli-run.js';
import { DEMO_ORIGIN, demoLogin, startTestDemo } from './demo.js';
import { demoOpenApi } from './demo-openapi.js';
import { insecureLogin, insecureOpenApi, startInsecureApp } from './insecure-app.js';
import { expectSarif21 } from './sarif-shape.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-cli-'));
});

describe('bulwark probe against the demo (express)', () => {
  let demo: RunningDemo;
  let run: Awaited<ReturnType<typeof bulwark>>;
  beforeAll(async () => {
    demo = await startTestDemo('express');
    const openapi = join(dir, 'demo-openapi.json');
    await writeFile(openapi, JSON.stringify(demoOpenApi));
    run = await bulwark(
      'probe',
      demo.url,
      '--openapi',
      openapi,
      '--origin',
      DEMO_ORIGIN,
      '--login',
      JSON.stringify(demoLogin()),
      '--allow-writes',
      '--rate',
      '1000',
      '--json',
      '--junit',
      join(dir, 'demo.xml'),
      '--sarif',
      join(dir, 'demo.sarif'),
    );
  }, 120_000);
  afterAll(() => demo?.close());

  it('exits 0 with a JSON report of every check, quiet on a non-TTY stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { results: Array<{ status: string }>; counts: { fail: number } };
    expect(report.results).toHaveLength(probeChecks.length);
    expect(report.counts.fail).toBe(0);
  });

  it('writes well-formed JUnit XML: one suite per risk, one case per check, no failure', async () => {
    const text = await readFile(join(dir, 'demo.xml'), 'utf8');
    expect(XMLValidator.validate(text)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text);
    expect(xml.testsuites.tests).toBe(String(probeChecks.length));
    expect(xml.testsuites.failures).toBe('0');
    const suites = [xml.testsuites.testsuite].flat();
    expect(suites.map((s: { name: string }) => s.name.split(' ')[0])).toEqual(
      [...new Set(probeChecks.map((c) => c.risk))].sort((a, b) => Number(a.slice(3, -5)) - Number(b.slice(3, -5))),
    );
    const cases = suites.flatMap((s: { testcase: unknown }) => [s.testcase].flat());
    expect(cases).toHaveLength(probeChecks.length);
  });

  it('writes SARIF 2.1.0 with a rule per check and every result passed', async () => {
    const log = JSON.parse(await readFile(join(dir, 'demo.sarif'), 'utf8')) as Log;
    expectSarif21(log);
    expect(log.runs[0]?.tool.driver.rules).toHaveLength(probeChecks.length);
    expect(log.runs[0]?.results?.every((r) => r.kind === 'pass')).toBe(true);
  });
});

describe('bulwark probe against the insecure app', () => {
  let app: Awaited<ReturnType<typeof startInsecureApp>>;
  beforeAll(async () => {
    app = await startInsecureApp();
  });
  afterAll(() => app?.close());

  it('exits 1, reports by risk with fix hints, and writes the failures to SARIF and JUnit', async () => {
    const openapi = join(dir, 'insecure-openapi.json');
    await writeFile(openapi, JSON.stringify(insecureOpenApi));
    const sarif = join(dir, 'insecure.sarif');
    const junit = join(dir, 'insecure.xml');
    const run = await bulwark(
      'probe',
      app.url,
      '--openapi',
      openapi,
      '--login',
      JSON.stringify(insecureLogin),
      '--origin',
      'https://app.example.com',
      '--allow-writes',
      '--rate',
      '1000',
      '--sarif',
      sarif,
      '--junit',
      junit,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/API8:2023 Security Misconfiguration\n/);
    expect(run.stdout).toMatch(/FAIL.*cors\.foreign-origin/);
    expect(run.stdout).toMatch(/fix: Compare Origin against an exact allowlist/);
    expect(run.stdout).toMatch(/\d+ passed, \d+ failed, \d+ skipped/);
    // The report shows no credential.
    expect(run.stdout).not.toMatch(/Bearer eyJ|fixture-password/);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as Log;
    expectSarif21(log);
    const failed = log.runs[0]?.results?.filter((r) => r.kind === 'fail') ?? [];
    expect(failed.map((r) => r.ruleId)).toContain('token.alg-none');
    expect(failed.every((r) => r.level === 'error' && r.webResponse !== undefined)).toBe(true);
    const xml = await readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<failure message="[^"]+" type="token\.alg-none">/);
  }, 60_000);
});

describe('bulwark command line', () => {
  it('refuses a target that is not loopback, in one line, before any request', async () => {
    const run = await bulwark('probe', 'https://api.example.com');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^bulwark: Invalid option "--i-own-this-target": api\.example\.com is not loopback[^\n]*\n$/,
    );
    expect(run.stdout).toBe('');
  });

  it('says why in the help, with examples', async () => {
    const run = await bulwark('probe', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:/);
    expect(run.stdout).toMatch(/--i-own-this-target[\s\S]*not authorised to\s+test is an attack/);
    expect((await bulwark('--help')).stdout).toMatch(/Examples:/);
  });

  it('answers a bad option, value or missing argument with one line and exit 2', async () => {
    for (const argv of [
      ['probe', '--budget', 'many', 'http://127.0.0.1:1'],
      ['probe', '--login', '{', 'http://127.0.0.1:1'],
      ['probe', '--only', 'nothing-like-this', 'http://127.0.0.1:1'],
      ['probe'],
      ['probe', 'http://127.0.0.1:1'],
    ]) {
      const run = await bulwark(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(/^bulwark: [^\n]+\n$/);
    }
    const unknown = await bulwark('probe', '--nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown option '--nope'\n/);
  });

  it('lists the checks', async () => {
    const run = await bulwark('probe', '--list');
    expect(run.code).toBe(0);
    for (const check of probeChecks) expect(run.stdout).toContain(check.id);
  });
});
