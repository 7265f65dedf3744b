import { authenticate, guard, requireScopes } from '@bulwark/fastify';
import fastifyJwt from '@fastify/jwt';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { addFloorHook, registerAnchorPipeline } from '../http/fastify.js';
import type { StartServer } from '../http/listen.js';
import { bulwarkPolicies, NEVER_REACHED, NOTES, ROUTE, WINDOW_MS } from '../http/scenario.js';
import {
  AUDIENCE,
  bulwarkAuthenticator,
  bulwarkStackList,
  FORBIDDEN,
  grantsScope,
  ISSUER,
  importSecrets,
  principalLimit,
  REALM,
  SCOPE,
  STACK_FLOOR_HEADERS,
} from './stack.js';

/**
 * Fastify 5 with the whole stack: Bulwark, or @fastify/helmet + cors + rate-limit (per IP
 * globally, then `fastify.rateLimit()` per user as a preHandler) around @fastify/jwt's
 * `request.jwtVerify()` in an onRequest hook, as its README shows.
 */
export const startFastify: StartServer = async (variant, form) => {
  const secrets = importSecrets();
  const app = Fastify();
  const handler = async () => NOTES;
  if (variant === 'bare') app.get(ROUTE, handler);
  if (variant === 'floor') {
    addFloorHook(app, STACK_FLOOR_HEADERS);
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'list') {
    await app.register(guard(bulwarkStackList(secrets)));
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'each') {
    await app.register(guard(bulwarkPolicies()));
    await app.register(authenticate(bulwarkAuthenticator(secrets), { realm: REALM }));
    await app.register(guard(principalLimit()));
    app.get(ROUTE, { onRequest: requireScopes(SCOPE, { realm: REALM }) }, handler);
  }
  if (variant === 'anchor') {
    await registerAnchorPipeline(app);
    await app.register(fastifyJwt, {
      secret: secrets.secret,
      verify: { algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE },
    });
    const user = (request: FastifyRequest) => request.user as { sub?: string; scope?: string };
    app.get(
      ROUTE,
      {
        onRequest: async (request, reply) => {
          try {
            await request.jwtVerify();
          } catch {
            return reply.code(401).send({ error: 'invalid_token' });
          }
        },
        preHandler: [
          app.rateLimit({ max: NEVER_REACHED, timeWindow: WINDOW_MS, keyGenerator: (r) => String(user(r).sub) }),
          async (request: FastifyRequest, reply: FastifyReply) => {
            if (!grantsScope(user(request))) return reply.code(403).send(FORBIDDEN);
          },
        ],
      },
      handler,
    );
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify: no TCP address');
  return { port: address.port, close: () => app.close() };
};
