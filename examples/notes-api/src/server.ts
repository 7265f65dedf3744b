import type { EventSink } from '@bulwark/core';
import { startExpress } from './apps/express.js';
import { startFastify } from './apps/fastify.js';
import { startHono } from './apps/hono.js';
import { startKoa } from './apps/koa.js';
import type { Listening, StartApp } from './apps/types.js';
import type { Framework } from './config.js';
import { NoteStore, noteHandlers } from './domain/notes.js';
import { demoPolicies } from './policies.js';
import { demoValidators } from './validators.js';

const STARTERS: Record<Framework, StartApp> = {
  express: startExpress,
  fastify: startFastify,
  koa: startKoa,
  hono: startHono,
};

export interface DemoOptions {
  readonly framework: Framework;
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  readonly onEvent?: EventSink;
  readonly onError?: (err: unknown) => void;
}

/** Starts the notes API on one framework: the same policies, the same handlers. */
export function startDemo(options: DemoOptions): Promise<Listening> {
  const policies = demoPolicies({
    corsOrigins: options.corsOrigins,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return STARTERS[options.framework](
    {
      policies,
      handlers: noteHandlers(new NoteStore()),
      validators: demoValidators(options.onEvent),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      onError: options.onError ?? ((err) => console.error('[notes-api] unhandled error', err)),
    },
    options.host,
    options.port,
  );
}
