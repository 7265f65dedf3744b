import { guard, problemHandlers, send, valid, validate, validationSupport } from '@bulwark/fastify';
import Fastify, { type FastifyReply } from 'fastify';
import type { Answer } from '../domain/notes.js';
import type { StartApp } from './types.js';

function reply(res: FastifyReply, answer: Answer, method: string): FastifyReply {
  return 'kind' in answer ? send(res, answer, method) : res.code(answer.status).send(answer.body);
}

export const startFastify: StartApp = async (parts, host, port) => {
  const app = Fastify();
  await app.register(problemHandlers({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  await app.register(validationSupport());
  for (const policy of parts.policies) await app.register(guard(policy, parts.clientIp));
  const { handlers, validators: v } = parts;
  app.get('/health', (req, res) => reply(res, handlers.health(), req.method));
  for (const path of ['/v1/notes', '/v2/notes']) {
    app.get(path, validate(v.listNotes), (req, res) =>
      reply(res, handlers.list(valid(req, v.listNotes).query, req.bulwark?.apiVersion), req.method),
    );
  }
  app.get('/v2/notes/:id', validate(v.getNote), (req, res) =>
    reply(res, handlers.get(valid(req, v.getNote).params.id), req.method),
  );
  app.post('/v2/notes', validate(v.createNote), (req, res) =>
    reply(res, handlers.create(valid(req, v.createNote).body), req.method),
  );
  app.post('/v2/reports', validate(v.createReport), (req, res) =>
    reply(res, handlers.createReport(valid(req, v.createReport).body), req.method),
  );
  app.get('/v2/users', validate(v.findUsers), (req, res) =>
    reply(res, handlers.findUsers(valid(req, v.findUsers).query.email), req.method),
  );
  const url = await app.listen({ host, port });
  return { url, close: () => app.close() };
};
