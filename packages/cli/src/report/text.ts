import type { CheckResult, OwaspRisk, ProbeReport } from '@bulwark/testkit/probe';
import { OWASP_RISKS } from '@bulwark/testkit/probe';
import picocolors from 'picocolors';

type Colors = ReturnType<typeof picocolors.createColors>;

/** The risks in their list order (API1 ... API10), not as strings sort them. */
export function byRisk(results: readonly CheckResult[]): Array<[OwaspRisk, CheckResult[]]> {
  const groups = new Map<OwaspRisk, CheckResult[]>();
  for (const risk of Object.keys(OWASP_RISKS) as OwaspRisk[]) groups.set(risk, []);
  for (const result of results) groups.get(result.risk)?.push(result);
  return [...groups].filter(([, list]) => list.length > 0);
}

function line(result: CheckResult, pc: Colors): string[] {
  const MARK = { pass: pc.green('PASS'), fail: pc.red('FAIL'), skip: pc.dim('SKIP') };
  const head = `  ${MARK[result.status]} ${pc.bold(result.id)} ${result.title}`;
  const summary = result.status === 'skip' ? pc.dim(`       ${result.summary}`) : `       ${result.summary}`;
  if (result.status !== 'fail') return [head, summary];
  const lines = [head, summary, `       ${pc.yellow('fix:')} ${result.fix}`];
  for (const e of result.evidence.slice(0, 3)) {
    lines.push(pc.dim(`       > ${e.request}`));
    const fields = Object.entries(e.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    lines.push(
      pc.dim(
        `       < ${e.status}${fields ? ` [${fields}]` : ''}${e.body ? ` ${e.body.slice(0, 120).replace(/\s+/g, ' ')}` : ''}`,
      ),
    );
  }
  return lines;
}

/**
 * The readable report: checks grouped by OWASP risk, with pass/fail/skip, fix hints and
 * evidence for failures. Colours only when `color` (the CLI: stdout is a terminal and
 * NO_COLOR is unset).
 *
 * @example
 * ```ts
 * import { runProbe } from '@bulwark/testkit/probe';
 * process.stdout.write(formatReport(await runProbe({ baseUrl: 'http://127.0.0.1:3000' }), { color: process.stdout.isTTY }));
 * ```
 */
export function formatReport(report: ProbeReport, { color = false }: { color?: boolean } = {}): string {
  const pc = picocolors.createColors(color);
  const out = [pc.bold(`bulwark probe ${report.baseUrl}`), ''];
  for (const [risk, results] of byRisk(report.results)) {
    out.push(pc.bold(`${risk} ${OWASP_RISKS[risk]}`));
    for (const result of results) out.push(...line(result, pc));
    out.push('');
  }
  const { pass, fail, skip } = report.counts;
  const verdict = fail > 0 ? pc.red(`${fail} failed`) : pc.green('0 failed');
  out.push(
    `${pass} passed, ${verdict}, ${skip} skipped (${report.requests} requests, ${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  return `${out.join('\n')}\n`;
}
