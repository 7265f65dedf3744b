import type { RequestValidator, ValidatedRequest } from '@bulwark/core';
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
