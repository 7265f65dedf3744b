import { OWASP_RISKS, probeChecks } from '@bulwark/testkit/probe';

/** Every check: id, risk and title, one a line. */
export function listChecks(): string {
  const width = Math.max(...probeChecks.map((c) => c.id.length));
  return `${probeChecks.map((c) => `${c.id.padEnd(width)}  ${c.risk.padEnd(10)} ${c.title}`).join('\n')}\n\n${probeChecks.length} checks; risks: ${Object.entries(
    OWASP_RISKS,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}\n`;
}
