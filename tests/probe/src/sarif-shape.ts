import type { Log } from 'sarif';
import { expect } from 'vitest';

const LEVELS = ['none', 'note', 'warning', 'error'];
const KINDS = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'];

/**
 * The SARIF 2.1.0 schema's required members and enumerations, for what the probe writes
 * (no maintained npm package ships the OASIS schema file): `version`, `runs`, each run's
 * `tool.driver.name`, each result's `message`, rule references that resolve, `level` and
 * `kind` from their enumerations (and `level: none` unless `kind` is `fail`, §3.27.9), URIs
 * that parse, `webRequest`/`webResponse` members of the right types.
 */
export function expectSarif21(log: Log): void {
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(Array.isArray(log.runs) && log.runs.length > 0).toBe(true);
  for (const run of log.runs) {
    expect(typeof run.tool.driver.name).toBe('string');
    const rules = run.tool.driver.rules ?? [];
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(typeof rule.id).toBe('string');
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(typeof rule.shortDescription?.text).toBe('string');
      expect(typeof rule.help?.text).toBe('string');
    }
    for (const inv of run.invocations ?? []) {
      expect(typeof inv.executionSuccessful).toBe('boolean');
      if (inv.endTimeUtc) expect(Number.isNaN(Date.parse(inv.endTimeUtc))).toBe(false);
    }
    for (const result of run.results ?? []) {
      expect(typeof result.message.text).toBe('string');
      expect(LEVELS).toContain(result.level);
      expect(KINDS).toContain(result.kind);
      if (result.kind !== 'fail') expect(result.level).toBe('none');
      expect(result.ruleIndex).toBeGreaterThanOrEqual(0);
      expect(rules[result.ruleIndex as number]?.id).toBe(result.ruleId);
      for (const location of result.locations ?? []) {
        const uri = location.physicalLocation?.artifactLocation?.uri;
        expect(() => new URL(uri as string)).not.toThrow();
      }
      if (result.webRequest) {
        expect(typeof result.webRequest.method).toBe('string');
        expect(() => new URL(result.webRequest?.target as string)).not.toThrow();
      }
      if (result.webResponse) {
        expect(Number.isInteger(result.webResponse.statusCode)).toBe(true);
        for (const value of Object.values(result.webResponse.headers ?? {})) expect(typeof value).toBe('string');
      }
    }
  }
}
