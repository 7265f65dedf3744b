import { requestView } from '@bulwark/core';
import { validate as fastifyValidate, validationSupport } from '@bulwark/fastify';
import { validate as honoValidate } from '@bulwark/hono';
import { requestValidator } from '@bulwark/validation';
import { zValidator } from '@hono/zod-validator';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Hono } from 'hono';
import { z } from 'zod';
import { compare, compareAsync, type Result } from './harness.js';

// A typical create body: a few strings, an array, a nested object.
const schema = z.object({
  title: z.string().min(1).max(200),
  body: z.string().max(10_000).optional(),
  tags: z.array(z.string().max(32)).max(10).optional(),
  meta: z.object({ pinned: z.boolean(), color: z.enum(['red', 'green', 'blue']) }).optional(),
});
const payload = JSON.stringify({
  title: 'Quarterly planning notes',
  body: 'Agenda: hiring, the Q3 roadmap, the incident review and the on-call rotation. '.repeat(3),
  tags: ['planning', 'q3', 'team'],
  meta: { pinned: true, color: 'green' },
});
const bytes = new TextEncoder().encode(payload);

// The same schema with its objects made strict, as Bulwark runs it: the anchor then does
// the same unknown-key work, and the gap left is the hostile-JSON checks and plumbing.
const strictSchema = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(10_000).optional(),
  tags: z.array(z.string().max(32)).max(10).optional(),
  meta: z.strictObject({ pinned: z.boolean(), color: z.enum(['red', 'green', 'blue']) }).optional(),
});

async function bodyOverhead(name: string, anchorSchema: z.ZodType, anchor: string): Promise<Result> {
  const validator = requestValidator({ body: schema });
  const view = requestView({ method: 'POST', path: '/v2/notes', headers: { 'content-type': 'application/json' } });
  const decoder = new TextDecoder();
  let sink = 0;
  const result = await compare({
    bench: name,
    anchor,
    // Both start from the same bytes, as a server receives them.
    ours() {
      const r = validator.validate({ view, rawQuery: '', params: {}, body: bytes });
      if (r.ok) sink++;
    },
    theirs() {
      const r = anchorSchema.safeParse(JSON.parse(decoder.decode(bytes)));
      if (r.success) sink++;
    },
  });
  if (sink === 0) throw new Error('nothing validated');
  return result;
}

async function fastifyRoutes(): Promise<Result> {
  const ours = Fastify();
  await ours.register(validationSupport());
  const createNote = requestValidator({ body: schema });
  ours.post('/v2/notes', fastifyValidate(createNote), async (_req, reply) => reply.code(201).send({ ok: true }));
  const theirs = Fastify().withTypeProvider<ZodTypeProvider>();
  theirs.setValidatorCompiler(validatorCompiler);
  theirs.setSerializerCompiler(serializerCompiler);
  theirs.post('/v2/notes', { schema: { body: schema } }, async (_req, reply) => reply.code(201).send({ ok: true }));
  await Promise.all([ours.ready(), theirs.ready()]);
  const request = {
    method: 'POST' as const,
    url: '/v2/notes',
    headers: { 'content-type': 'application/json' },
    payload,
  };
  const check = async (app: typeof ours) => {
    const res = await app.inject(request);
    if (res.statusCode !== 201) throw new Error(`unexpected ${res.statusCode}`);
  };
  await check(ours);
  await check(theirs as unknown as typeof ours);
  return compareAsync({
    bench: 'validation.fastify.route',
    anchor: 'fastify-type-provider-zod',
    ours: () => ours.inject(request),
    theirs: () => theirs.inject(request),
  });
}

async function honoRoutes(): Promise<Result> {
  const createNote = requestValidator({ body: schema });
  const ours = new Hono().post('/v2/notes', honoValidate(createNote), (c) => c.json({ ok: true }, 201));
  const theirs = new Hono().post('/v2/notes', zValidator('json', schema), (c) => c.json({ ok: true }, 201));
  const init = () =>
    new Request('http://localhost/v2/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
  for (const app of [ours, theirs]) {
    const res = await app.request(init());
    if (res.status !== 201) throw new Error(`unexpected ${res.status}`);
  }
  return compareAsync({
    bench: 'validation.hono.route',
    anchor: '@hono/zod-validator',
    ours: async () => ours.request(init()),
    theirs: async () => theirs.request(init()),
  });
}

export async function validationBench(): Promise<Result[]> {
  if (process.env.BENCH_ONLY === 'body')
    return [await bodyOverhead('validation.body.overhead', schema, 'JSON.parse+zod')];
  return [
    await bodyOverhead('validation.body.overhead', schema, 'JSON.parse+zod'),
    await bodyOverhead('validation.body.overhead.strict', strictSchema, 'JSON.parse+zod strict'),
    await fastifyRoutes(),
    await honoRoutes(),
  ];
}
