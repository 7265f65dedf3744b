import type { ProbeAnswer } from './exchange.js';
import type { CheckOutcome, Evidence } from './types.js';

/** Request fields never shown in a report: they carry credentials. */
const SECRET_FIELDS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);

function describeRequest(answer: ProbeAnswer): string {
  const { method, path, headers = {}, body, chunked } = answer.request;
  const shown = Object.entries(headers)
    .map(([name, value]) => {
      const lower = name.toLowerCase();
      if (!SECRET_FIELDS.has(lower)) return `${lower}: ${value.length > 80 ? `${value.slice(0, 77)}...` : value}`;
      // The scheme is worth showing; the secret is not.
      const scheme = /^(\S+)\s/.exec(value)?.[1];
      return `${lower}: ${scheme ? `${scheme} ` : ''}<redacted ${value.length} chars>`;
    })
    .join('; ');
  const size = body === undefined ? '' : ` (${chunked ? 'chunked ' : ''}body ${body.length} bytes)`;
  return `${method} ${path.length > 120 ? `${path.slice(0, 117)}...` : path}${shown ? ` [${shown}]` : ''}${size}`;
}

/** What a report shows of an answer: the request, the status, the named fields and the start of the body. */
export function evidence(answer: ProbeAnswer, fields: readonly string[] = []): Evidence {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', ...fields]) {
    const value = answer.header(name);
    if (value !== undefined) headers[name] = value;
  }
  return {
    request: describeRequest(answer),
    method: answer.request.method,
    target: answer.request.path,
    status: answer.status,
    headers,
    body: answer.text.slice(0, 300),
  };
}

export const pass = (
  summary: string,
  answers: readonly ProbeAnswer[] = [],
  fields: readonly string[] = [],
): CheckOutcome => ({
  status: 'pass',
  summary,
  evidence: answers.map((a) => evidence(a, fields)),
});

export const fail = (
  summary: string,
  answers: readonly ProbeAnswer[] = [],
  fields: readonly string[] = [],
): CheckOutcome => ({
  status: 'fail',
  summary,
  evidence: answers.map((a) => evidence(a, fields)),
});

export const skip = (summary: string): CheckOutcome => ({ status: 'skip', summary, evidence: [] });

/** A random marker, so a reflected value is told apart from a coincidence. */
export function marker(): string {
  return `bulwark-probe-${Math.random().toString(36).slice(2, 10)}`;
}

const MEDIA_PROBLEM = /^application\/problem\+json\b/i;
export const isProblemJson = (answer: ProbeAnswer): boolean => MEDIA_PROBLEM.test(answer.header('content-type') ?? '');

/**
 * Why an answer is not a consistent RFC 9457 problem of `status`, or `undefined` when it is:
 * `application/problem+json`, a JSON object whose `status` member (when present) matches,
 * with a `title` or `type`.
 */
export function problemFault(answer: ProbeAnswer, status: number): string | undefined {
  if (answer.status !== status) return `answered ${answer.status}, expected ${status}`;
  if (!isProblemJson(answer))
    return `answered ${answer.header('content-type') ?? 'no content type'}, not application/problem+json`;
  const body = answer.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the problem body is not a JSON object';
  const problem = body as Record<string, unknown>;
  if (problem.status !== undefined && problem.status !== status)
    return `the problem's status member is ${String(problem.status)}`;
  if (typeof problem.title !== 'string' && typeof problem.type !== 'string')
    return 'the problem has neither type nor title';
  return undefined;
}

/** Stack traces and framework error pages, as they appear in answers. */
const LEAKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bat [\w$.<>[\] ]+ \(?(?:file:\/\/)?\/?[\w./\\-]+:\d+:\d+\)?/, 'a JavaScript stack trace'],
  [/Traceback \(most recent call last\)/, 'a Python traceback'],
  [/\b(?:java|javax|org\.springframework)\.[\w.]+Exception\b/, 'a Java exception'],
  [
    /<pre>\s*(?:Error|SyntaxError|TypeError|PayloadTooLargeError|UnsupportedMediaTypeError)\b/,
    "Express's HTML error page",
  ],
  [/Cannot (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) \//, "Express's default 404 page"],
  [/Whitelabel Error Page|<title>Error<\/title>|<h1>Internal Server Error<\/h1>/i, 'a framework error page'],
  [/\b(?:SyntaxError|TypeError|ReferenceError|RangeError): /, 'a JavaScript error message'],
  [/\bnode_modules[\\/]/, 'a server file path'],
  [/SQL syntax|SQLITE_ERROR|syntax error at or near|unterminated quoted string|ORA-\d{5}/i, 'a database error'],
];

/** What a body leaks (a stack trace, a framework page, a database error), or `undefined`. */
export function leakIn(answer: ProbeAnswer): string | undefined {
  for (const [pattern, what] of LEAKS) if (pattern.test(answer.text)) return what;
  return undefined;
}
