import type { ProbeReport } from '@bulwark/testkit/probe';
import { OWASP_RISKS } from '@bulwark/testkit/probe';
import { byRisk } from './text.js';

/** XML 1.0 text: the five entities, and characters XML cannot carry at all dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The report as JUnit XML (the Jenkins/GitLab/GitHub flavour): one testsuite per OWASP
 * risk, one testcase per check, `<failure>` with the summary, the fix and the evidence,
 * `<skipped>` with the reason.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { runProbe } from '@bulwark/testkit/probe';
 * await writeFile('probe.xml', toJUnit(await runProbe({ baseUrl: 'http://127.0.0.1:3000' })));
 * ```
 */
export function toJUnit(report: ProbeReport): string {
  const { pass, fail, skip } = report.counts;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bulwark probe" tests="${pass + fail + skip}" failures="${fail}" skipped="${skip}" errors="0" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
  ];
  for (const [risk, results] of byRisk(report.results)) {
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'skip').length;
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    out.push(
      `  <testsuite name="${xml(`${risk} ${OWASP_RISKS[risk]}`)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds(time)}">`,
    );
    for (const r of results) {
      const open = `    <testcase classname="bulwark.probe.${xml(risk)}" name="${xml(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}"`;
      if (r.status === 'pass') out.push(`${open}/>`);
      else if (r.status === 'skip')
        out.push(`${open}>`, `      <skipped message="${xml(r.summary)}"/>`, '    </testcase>');
      else {
        const evidence = r.evidence
          .map((e) => `${e.request}\n  -> ${e.status} ${JSON.stringify(e.headers)} ${e.body}`)
          .join('\n');
        out.push(
          `${open}>`,
          `      <failure message="${xml(r.summary)}" type="${xml(r.id)}">${xml(`${r.summary}\nfix: ${r.fix}\n${evidence}`)}</failure>`,
          '    </testcase>',
        );
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
