import { guard } from '@bulwark/fastify';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { bulwarkMiddleware, type StartServer } from './listen.js';
import { bulwarkPolicies, FLOOR_HEADERS, NEVER_REACHED, NOTES, ORIGIN, ROUTE, WINDOW_MS } from './scenario.js';

/** The anchor pipeline users write today (@fastify/helmet, @fastify/cors, @fastify/rate-limit); http-stack adds JWT on top. */
export async function registerAnchorPipeline(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet);
  await app.register(fastifyCors, { origin: [ORIGIN], credentials: true });
  await app.register(fastifyRateLimit, { max: NEVER_REACHED, timeWindow: WINDOW_MS });
}

/** The `floor` variant's hook: fixed answer fields, set the framework's way (`reply.headers`). */
export function addFloorHook(app: FastifyInstance, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/** Fastify 5: the route, behind nothing, Bulwark, or @fastify/helmet + cors + rate-limit. */
export const startFastify: StartServer = async (variant, form) => {
  const app = Fastify();
  if (variant === 'ours')
    for (const plugin of bulwarkMiddleware(guard, bulwarkPolicies(), form)) await app.register(plugin);
  if (variant === 'anchor') await registerAnchorPipeline(app);
  if (variant === 'floor') addFloorHook(app, FLOOR_HEADERS);
  app.get(ROUTE, async () => NOTES);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify: no TCP address');
  return { port: address.port, close: () => app.close() };
};
