import { type Decision, deny } from './decision.js';
import type { RequestPolicy } from './policy.js';
import type { RequestView } from './request-view.js';

const SLASH = 0x2f;
const QUERY = 0x3f;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/**
 * The host and port of an absolute-form target that every router reads the same way:
 * DNS-style names of letters, digits, `.`, `_` and `-`, or a bracketed IPv6 literal, then
 * an optional port. No userinfo (`user@`): RFC 9110 §4.2.4 forbids it in http(s) URIs, and
 * Node's legacy `url.parse` (Express, Koa) and the WHATWG parser (Fastify, Hono) disagree on
 * where an authority holding `@` ends. Any other host character (`~`, `!`, `+`, `%`, ...)
 * makes `url.parse` end the host there and move the rest into the path.
 */
const AUTHORITY = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

/**
 * The path policies see for an HTTP/1.1 request target, or `undefined` when Bulwark
 * refuses the target (a guard then answers 400, see {@link evaluatePolicy}).
 *
 * A policy must see exactly the path the framework routes. Express and Koa route the
 * pathname of Node's legacy `url.parse`, Fastify's router (find-my-way) and Hono's node
 * server the WHATWG URL parser's reading, and those disagree on odd targets: Express routes
 * `http://x:99999/v2/reports` and `http://x@/v2/reports` as `/v2/reports` where WHATWG
 * refuses them, and turns the backslash of `/v2\reports#x` into a slash. So only the forms
 * on which all four agree are accepted:
 *
 * - origin-form `/path?query`: the path ends at the first `?` or `#` (Node's parser lets a
 *   stray `#` through and every router drops what follows it). Refused: a backslash
 *   before the query (`url.parse` reads it as `/`; Hono's node server refuses it), and a
 *   path starting `//` in a target holding `#` (`url.parse` then reads `//x@y/...` as a
 *   host and a path).
 * - absolute-form `http://host[:port]/path?query` or `https://...`, with a lower-case scheme
 *   (Hono's node server does not recognise `HTTP://`), a plain host and port (see
 *   `AUTHORITY`), no `#` (Fastify refuses it), no backslash, and which the WHATWG parser
 *   accepts (a port up to 65535, a valid IPv4 or IPv6 literal). The path is what follows
 *   the authority, `/` when nothing does.
 * - A path whose percent-encoding does not decode to UTF-8 (`/v2/%E0%A4%A`) is refused:
 *   Express and Fastify refuse it, Koa's and Hono's routers would route the raw segment.
 * - A path with a dot segment (`/v2/./notes`, `/x/../v2`) or a percent-encoded unreserved
 *   character (`/v2/%6eotes`, `%2e%2e`) is refused: Hono's node server resolves dot
 *   segments (the WHATWG parser) and Fastify and Hono decode before routing, where Express
 *   and Koa route the raw spelling, so the same target reached a handler on two frameworks
 *   and 404 on the others. RFC 3986 §2.3 and §5.2.4: no client sends either form (an
 *   unreserved character is never encoded, dot segments are removed before sending).
 * - Everything else is refused, `*` (asterisk-form) included: an API has no server-wide
 *   OPTIONS to announce, Fastify routes `*` as `/` and Hono's node server refuses it.
 *
 * Node's parser already refuses whitespace, control characters and non-ASCII bytes in a
 * request target. Decoding, case and duplicate slashes are left to {@link routingPath}.
 *
 * @example
 * ```ts
 * requestTargetPath('/v2/reports?x=1')          // '/v2/reports'
 * requestTargetPath('http://api.example.com/v2') // '/v2'
 * requestTargetPath('http://x:99999/v2/reports') // undefined: refused
 * ```
 */
export function requestTargetPath(target: string): string | undefined {
  if (target.charCodeAt(0) === SLASH) return originFormPath(target);
  if (target.startsWith('http://')) return absoluteFormPath(target, 7);
  if (target.startsWith('https://')) return absoluteFormPath(target, 8);
  return undefined;
}

/**
 * `path` when every router reads it the same way, else `undefined`: its percent-encoding
 * decodes (to UTF-8; Express and Fastify refuse it otherwise, Koa's and Hono's routers
 * would route the raw segment), it encodes no unreserved character and it has no dot
 * segment (see {@link requestTargetPath}).
 */
function decodable(path: string): string | undefined {
  if (hasDotSegment(path)) return undefined;
  if (!path.includes('%')) return path;
  if (encodesUnreserved(path)) return undefined;
  try {
    decodeURIComponent(path);
    return path;
  } catch {
    return undefined;
  }
}

/** A `.` or `..` segment (`/./`, `/..` at the end): one `indexOf` pass for every other path. */
function hasDotSegment(path: string): boolean {
  for (let at = path.indexOf('/.'); at !== -1; at = path.indexOf('/.', at + 2)) {
    let end = at + 2;
    if (path.charCodeAt(end) === DOT) end++;
    if (end === path.length || path.charCodeAt(end) === SLASH) return true;
  }
  return false;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** RFC 3986 §2.3 `unreserved`: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte: number): boolean {
  const lower = byte | 0x20;
  return (
    (lower >= 0x61 && lower <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === DOT ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

/** True when some `%XX` of the path encodes an unreserved character (`%41` for `A`, `%2e` for `.`). */
function encodesUnreserved(path: string): boolean {
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', at + 1)) {
    const high = hexValue(path.charCodeAt(at + 1));
    const low = hexValue(path.charCodeAt(at + 2));
    if (high >= 0 && low >= 0 && isUnreserved(high * 16 + low)) return true;
  }
  return false;
}

function originFormPath(target: string): string | undefined {
  // parseurl (Express, Koa) hands a target holding `#` to url.parse, which reads
  // `//x@y/v2/reports#z` as host `y` and path `/v2/reports`; the other routers see a path
  // starting `//x@y`. A `//` path with a `#` is no request a client means to send.
  if (target.charCodeAt(1) === SLASH && target.includes('#')) return undefined;
  let end = -1;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === QUERY) return decodable(end === -1 ? target.slice(0, i) : target.slice(0, end));
    if (c === BACKSLASH) return undefined;
    if (c === HASH && end === -1) end = i;
  }
  return decodable(end === -1 ? target : target.slice(0, end));
}

function absoluteFormPath(target: string, authorityStart: number): string | undefined {
  let pathStart = authorityStart;
  while (pathStart < target.length) {
    const c = target.charCodeAt(pathStart);
    if (c === SLASH || c === QUERY) break;
    pathStart++;
  }
  if (!AUTHORITY.test(target.slice(authorityStart, pathStart))) return undefined;
  if (target.includes('#', pathStart)) return undefined;
  const query = target.indexOf('?', pathStart);
  const path = target.slice(pathStart, query === -1 ? target.length : query);
  if (path.includes('\\') || !whatwgAccepts(target)) return undefined;
  return path === '' ? '/' : decodable(path);
}

function whatwgAccepts(target: string): boolean {
  try {
    new URL(target);
    return true;
  } catch {
    return false;
  }
}

/** The detail of every request-target refusal, whichever layer refuses (a guard, a server adapter). */
export const REQUEST_TARGET_REFUSED_DETAIL =
  'The request target is not one this server routes: send an origin-form path (/...) or a plain http(s) absolute URL.';

/**
 * Runs a policy for a guard. For a view whose `targetRefused` is set (a request target
 * {@link requestTargetPath} refuses), the answer is a 400 problem instead, whatever the
 * policy decides: the router would route that target somewhere the policy cannot see.
 * The policy still runs, and its allow headers (the security header profile, when it is
 * the first guard as documented) go on the 400.
 *
 * @example
 * ```ts
 * const decision = await evaluatePolicy(policy, view);
 * ```
 */
export function evaluatePolicy(policy: RequestPolicy, view: RequestView): Decision | Promise<Decision> {
  return view.targetRefused === true ? refuseTarget(policy, view) : policy.evaluate(view);
}

async function refuseTarget(policy: RequestPolicy, view: RequestView): Promise<Decision> {
  const decision = await policy.evaluate(view);
  if (decision.kind !== 'allow') return deny('bad_request', REQUEST_TARGET_REFUSED_DETAIL);
  return deny('bad_request', REQUEST_TARGET_REFUSED_DETAIL, {
    headers: decision.headers,
    ...(decision.removeHeaders === undefined ? {} : { removeHeaders: decision.removeHeaders }),
  });
}
