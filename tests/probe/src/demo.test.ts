import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure, describeProbe, type ProbeReport, probeChecks, runProbe } from '@bulwark/testkit';
import type { RunningDemo } from '@bulwark-examples/notes-api/src/server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProbeOptions, FRAMEWORKS, startTestDemo } from './demo.js';
import { demoSigningKey } from './signing-key.js';

describe.each(FRAMEWORKS)('bulwark probe against the demo on %s', (framework) => {
  let demo: RunningDemo;
  let report: ProbeReport;
  beforeAll(async () => {
    // The demo signs with a key the probe holds too: the claim checks then send validly signed tokens.
    const key = await demoSigningKey(await mkdtemp(join(tmpdir(), 'bulwark-probe-')));
    demo = await startTestDemo(framework, { SIGNING_KEYS_FILE: key.file });
    report = await runProbe({ ...(await demoProbeOptions(demo)), signingKey: key.jwk });
  }, 120_000);
  afterAll(() => demo?.close());

  it('passes every check', () => {
    expect(report.results.filter((r) => r.status === 'fail').map(describeFailure)).toEqual([]);
  });

  it('runs every check: none skipped when told the document, the origin and a login', () => {
    expect(report.results.filter((r) => r.status === 'skip').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
    expect(report.results).toHaveLength(probeChecks.length);
  });

  it('sent validly signed expired, wrong-audience and oversized tokens, all refused', () => {
    for (const id of ['token.expired', 'token.wrong-audience', 'token.oversized']) {
      expect(report.results.find((r) => r.id === id)?.summary).toMatch(/^2 forged tokens refused/);
    }
  });

  it('stays within its budget', () => {
    expect(report.requests).toBeLessThanOrEqual(600);
  });
});

// The same checks as vitest tests of their own, as a team would put them in its suite.
let hono: RunningDemo;
beforeAll(async () => {
  hono = await startTestDemo('hono');
}, 60_000);
afterAll(() => hono?.close());
describeProbe('describeProbe against the demo on hono', () => demoProbeOptions(hono));
