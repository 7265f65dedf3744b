/**
 * Names an `@example` may use without declaring them, because every reader knows what
 * they stand for: the framework's `app`, the request at hand, a Redis client. Each is a
 * declaration (or the import a reader would have) put before the example's code, only when
 * the example uses the name and does not declare it. Per package; `*` applies to every
 * package, a package's own entry overrides it. Keep it short: a name missing here is a name
 * the example should declare itself.
 */
export const AMBIENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '*': {
    app: 'declare const app: { use(...middleware: unknown[]): unknown };',
    req: "declare const req: import('node:http').IncomingMessage;",
    res: "declare const res: import('node:http').ServerResponse;",
    err: 'declare const err: unknown;',
    server: "declare const server: import('node:http').Server;",
    view: "declare const view: import('@bulwark/core').RequestView;",
    policy: "declare const policy: import('@bulwark/core').RequestPolicy;",
    // Policies an example mounts, named as the docs name them.
    profile: "declare const profile: import('@bulwark/core').RequestPolicy;",
    cors: "declare const cors: import('@bulwark/core').RequestPolicy;",
    limiter: "declare const limiter: import('@bulwark/core').RequestPolicy;",
    decision: "declare const decision: import('@bulwark/core').Decision;",
    context: "declare const context: import('@bulwark/core').RequestContext;",
    sink: "declare const sink: import('@bulwark/core').HeaderSink;",
    principal: "declare const principal: import('@bulwark/core').Principal;",
    validator: "declare const validator: import('@bulwark/core').RequestValidator;",
    resolveClientIp: "declare const resolveClientIp: import('@bulwark/core').ClientIpResolver;",
    redis: "declare const redis: Parameters<typeof import('@bulwark/redis').redisRateLimitStore>[0];",
    logger: 'declare const logger: { error(...values: unknown[]): void };',
    createNote:
      "declare const createNote: import('@bulwark/core').RequestValidator<{ title: string }, undefined, undefined, undefined, { id: string; title: string }>;",
    save: 'declare function save(note: { title: string }): { id: string; title: string };',
    send: "declare function send(decision: import('@bulwark/core').Decision): void;",
    store: 'declare const store: { create(note: { title: string }): { id: string; title: string } };',
  },
  '@bulwark/express': {
    app: "declare const app: import('express').Express;",
    req: "declare const req: import('express').Request;",
  },
  '@bulwark/fastify': {
    app: "declare const app: import('fastify').FastifyInstance;",
    Fastify: "import Fastify from 'fastify';",
  },
  '@bulwark/koa': {
    app: "declare const app: import('koa');",
    router: "declare const router: import('@koa/router').default;",
  },
  '@bulwark/hono': {
    app: "declare const app: import('hono').Hono;",
    serve: "import { serve } from '@hono/node-server';",
    getRequestListener: "import { getRequestListener } from '@hono/node-server';",
    createServer: "import { createServer } from 'node:http';",
  },
  '@bulwark/node': {
    app: "declare const app: import('node:http').RequestListener;",
    createServer: "import { createServer } from 'node:http';",
  },
  '@bulwark/validation': {
    z: "import { z } from 'zod';",
    NoteSchema: "declare const NoteSchema: import('zod').ZodType<{ id: string; title: string }>;",
  },
  '@bulwark/testkit': {
    expect: "import { expect } from 'vitest';",
    url: 'declare const url: string;',
    baseUrl: 'declare const baseUrl: string;',
    // The conformance drivers of tests/conformance, one per framework.
    expressDriver: "declare const expressDriver: import('@bulwark/testkit').AdapterDriver;",
    fastifyDriver: "declare const fastifyDriver: import('@bulwark/testkit').AdapterDriver;",
    koaDriver: "declare const koaDriver: import('@bulwark/testkit').AdapterDriver;",
    honoDriver: "declare const honoDriver: import('@bulwark/testkit').AdapterDriver;",
  },
};
