import {
  type DenyDecision,
  deny,
  type RequestValidator,
  type RespondDecision,
  respond,
  type ValidatedRequest,
} from '@bulwark/core';
import type { Answer, NoteHandlers } from './domain/notes.js';
import type { DemoValidators } from './validators.js';

type Valid = ValidatedRequest<unknown, unknown, unknown, unknown>;

/** One route of the demo: what each framework app mounts, the same way. */
export interface DemoRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly validator?: RequestValidator;
  run(valid: Valid | undefined, apiVersion: string | undefined): Answer;
}

/** The demo's routes, as data: the framework apps only translate them. */
export function demoRoutes(handlers: NoteHandlers, v: DemoValidators): readonly DemoRoute[] {
  const data = <T>(valid: Valid | undefined) => valid as unknown as ValidatedRequest<T, T, T, T>;
  const list = (valid: Valid | undefined, apiVersion: string | undefined) =>
    handlers.list(data<{ limit: number; cursor?: string }>(valid).query, apiVersion);
  return [
    { method: 'GET', path: '/health', run: () => handlers.health() },
    { method: 'GET', path: '/v1/notes', validator: v.listNotes as RequestValidator, run: list },
    { method: 'GET', path: '/v2/notes', validator: v.listNotes as RequestValidator, run: list },
    {
      method: 'GET',
      path: '/v2/notes/:id',
      validator: v.getNote as RequestValidator,
      run: (valid) => handlers.get(data<{ id: string }>(valid).params.id),
    },
    {
      method: 'POST',
      path: '/v2/notes',
      validator: v.createNote as RequestValidator,
      run: (valid) => handlers.create(data<{ title: string; body?: string; tags?: string[] }>(valid).body),
    },
    {
      method: 'POST',
      path: '/v2/reports',
      validator: v.createReport as RequestValidator,
      run: (valid) => handlers.createReport(data<{ kind: string }>(valid).body),
    },
    {
      method: 'GET',
      path: '/v2/users',
      validator: v.findUsers as RequestValidator,
      run: (valid) => handlers.findUsers(data<{ email: string }>(valid).query.email),
    },
  ];
}

/** A path the demo serves, with every method it answers there (for `Allow`). */
export interface DemoPath {
  readonly path: string;
  /** The routes' methods, `HEAD` wherever `GET` is, and `OPTIONS`. */
  readonly allowed: readonly string[];
}

/**
 * The demo's paths and the methods each answers. The apps mount, after the routes, one
 * catch-all per path: a method the path does not serve gets 405 with `Allow` (RFC 9110
 * 15.5.5 and 15.5.6), not the 404 of a path that does not exist.
 */
export function demoPaths(routes: readonly DemoRoute[]): readonly DemoPath[] {
  const methods = new Map<string, Set<string>>();
  for (const route of routes) {
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === 'GET') set.add('HEAD');
    methods.set(route.path, set);
  }
  return [...methods].map(([path, set]) => ({ path, allowed: [...set, 'OPTIONS'] }));
}

/**
 * The answer for a method a known path does not serve. A plain `OPTIONS` (a CORS
 * preflight is answered earlier, by the CORS policy) gets 204 with `Allow`; anything else
 * 405 with `Allow`. The method is not echoed: it is the client's text.
 */
export function otherMethodAnswer(path: DemoPath, method: string): DenyDecision | RespondDecision {
  const headers = [['allow', path.allowed.join(', ')]] as const;
  return method === 'OPTIONS'
    ? respond(204, headers)
    : deny('method_not_allowed', 'This path does not answer this method; Allow lists those it does.', { headers });
}
