import type { CheckResult, Evidence, ProbeReport } from '@bulwark/testkit/probe';
import { OWASP_RISKS } from '@bulwark/testkit/probe';
import type { Log, ReportingDescriptor, Result } from 'sarif';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** `cors.null-origin` -> `CorsNullOrigin`: SARIF's rule `name` is an identifier. */
const ruleName = (id: string) =>
  id
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

function rule(result: CheckResult): ReportingDescriptor {
  return {
    id: result.id,
    name: ruleName(result.id),
    shortDescription: { text: result.title },
    fullDescription: { text: `${result.title} (OWASP ${result.risk} ${OWASP_RISKS[result.risk]}).` },
    help: { text: result.fix },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'owasp-api-top-10', result.risk], 'security-severity': '7.5' },
  };
}

function webParts(base: string, e: Evidence): Pick<Result, 'webRequest' | 'webResponse'> {
  return {
    webRequest: { protocol: 'HTTP', version: '1.1', method: e.method, target: new URL(e.target, base).href },
    webResponse: {
      protocol: 'HTTP',
      version: '1.1',
      statusCode: e.status,
      headers: e.headers,
      ...(e.body ? { body: { text: e.body } } : {}),
      noResponseReceived: e.status === 0,
    },
  };
}

/**
 * The report as SARIF 2.1.0, for code-scanning dashboards: one rule per check, one result
 * per check (`kind` fail, pass or notApplicable for a skip), located at the URL of the
 * first request that showed the problem, with that exchange as `webRequest`/`webResponse`.
 *
 * @example
 * ```ts
 * import { runProbe } from '@bulwark/testkit/probe';
 * const log = toSarif(await runProbe({ baseUrl: 'http://127.0.0.1:3000' }), '1.0.0');
 * console.log(JSON.stringify(log));
 * ```
 */
export function toSarif(report: ProbeReport, version: string): Log {
  const results: Result[] = report.results.map((r, ruleIndex) => {
    const first = r.evidence[0];
    const uri = first ? new URL(first.target, report.baseUrl).href : `${report.baseUrl}/`;
    return {
      ruleId: r.id,
      ruleIndex,
      kind: r.status === 'fail' ? 'fail' : r.status === 'pass' ? 'pass' : 'notApplicable',
      level: r.status === 'fail' ? 'error' : 'none',
      message: { text: r.status === 'fail' ? `${r.summary}. Fix: ${r.fix}` : r.summary },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      ...(first ? webParts(report.baseUrl, first) : {}),
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulwark probe',
            semanticVersion: version,
            rules: report.results.map(rule),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
          },
        ],
        originalUriBaseIds: { TARGET: { uri: `${report.baseUrl}/` } },
        results,
      },
    ],
  };
}
