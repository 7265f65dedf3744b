import { type DenyDecision, deny } from './decision.js';
import { standardDeny } from './error-decision.js';
import { ConfigError, type HttpErrorCode } from './errors.js';
import { applyHeaders, type HeaderList } from './headers.js';
import { parseIp } from './ip/parse.js';
import type { RequestPolicy } from './policy.js';
import { type RenderedAnswer, renderDecision } from './render.js';
import { requestView } from './request-view.js';

/**
 * The request every profile policy is evaluated on, once: a request refused before any
 * framework has no method, target or header fields worth trusting, and nothing may be
 * counted or logged for it.
 */
const NEUTRAL_VIEW = requestView({ method: 'GET', path: '/' });

/**
 * Collects, once, the headers `policies` put on every answer (the security header profile),
 * for answers written before any framework or policy runs: Node's client errors, a server
 * adapter's refusals. Each policy is evaluated on a neutral request (`GET /`, no header
 * fields, no client address); it must answer synchronously and allow it, else a
 * `ConfigError` names it: a policy behind a store (a rate limit) would count a request
 * that never was, and one that refuses `GET /` has no headers that belong on every answer.
 *
 * @example
 * ```ts
 * const profile = profileHeaders([securityHeaders()]);
 * ```
 */
export function profileHeaders(policies: readonly RequestPolicy[], option = 'policies'): HeaderList {
  if (!Array.isArray(policies)) throw new ConfigError(option, 'expected an array of policies');
  const collected = new Map<string, string>();
  const sink = {
    get: (name: string) => collected.get(name),
    set: (name: string, value: string) => void collected.set(name, value),
    remove: (name: string) => void collected.delete(name),
  };
  policies.forEach((policy, index) => {
    const at = `${option}[${index}]`;
    if (typeof policy?.evaluate !== 'function') throw new ConfigError(at, 'expected a RequestPolicy');
    const decision = policy.evaluate(NEUTRAL_VIEW);
    if (typeof (decision as { then?: unknown }).then === 'function') {
      // Do not leave a rejected promise unhandled.
      (decision as Promise<unknown>).catch(() => {});
      throw new ConfigError(
        at,
        `"${policy.name}" decides asynchronously (a store behind it?); only request-independent policies such as the header profile belong here`,
      );
    }
    if (decision.kind !== 'allow') throw new ConfigError(at, `"${policy.name}" does not allow a plain GET /`);
    applyHeaders(sink, decision.headers);
  });
  return Object.freeze([...collected].map(([name, value]) => Object.freeze([name, value] as const)));
}

/**
 * The complete answer to a request refused before any framework ran: the problem of `code`
 * with the profile's headers, `Content-Length` and `Connection: close` (the connection
 * cannot be trusted to carry another request). `detail` replaces the code's standard one
 * (a refused request target says what to send instead, as the guards' refusal does). One header per name: the problem's
 * `Content-Type` and `Cache-Control: no-store` win over the profile's.
 *
 * @example
 * ```ts
 * const answer = refusedRequestAnswer('headers_too_large', profileHeaders([securityHeaders()]));
 * ```
 */
export function refusedRequestAnswer(code: HttpErrorCode, profile: HeaderList = [], detail?: string): RenderedAnswer {
  const decision: DenyDecision =
    detail === undefined ? standardDeny(code, profile) : deny(code, detail, { headers: profile });
  const rendered = renderDecision(decision, 'GET');
  const merged = new Map<string, string>();
  applyHeaders(
    {
      get: (name) => merged.get(name),
      set: (name, value) => void merged.set(name, value),
      remove: (name) => void merged.delete(name),
    },
    rendered.headers,
  );
  merged.set('content-length', String(new TextEncoder().encode(rendered.body ?? '').byteLength));
  merged.set('connection', 'close');
  return Object.freeze({ status: rendered.status, headers: Object.freeze([...merged]), body: rendered.body });
}

const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const PORT = /^[0-9]*$/;

/**
 * True when `value` is a valid `Host` field value (RFC 9110 §7.2: `uri-host [ ":" port ]`,
 * the host a reg-name, an IPv4 address or a bracketed IPv6 literal). An empty value is
 * refused: it is only meant for target URIs without an authority, which an HTTP server
 * never serves. RFC 9112 §3.2: a server MUST answer 400 to a request without `Host`, with
 * several, or with an invalid one.
 *
 * @example
 * ```ts
 * isValidHost('api.example.com:8443'); // true
 * isValidHost('a b'); // false
 * ```
 */
export function isValidHost(value: string): boolean {
  if (value.length === 0 || value.length > 1024) return false;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return false;
    const rest = value.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && PORT.test(rest.slice(1)))) return false;
    const literal = value.slice(1, close);
    return literal.includes(':') && parseIp(literal) !== undefined;
  }
  const colon = value.lastIndexOf(':');
  const host = colon === -1 ? value : value.slice(0, colon);
  if (colon !== -1 && !PORT.test(value.slice(colon + 1))) return false;
  return REG_NAME.test(host);
}
