import { renderDecision } from '@bulwark/core';
import { guard, problemHandlers } from '@bulwark/fastify';
import Fastify, { type FastifyReply } from 'fastify';
import { type Answer, BODY_LIMIT_BYTES } from '../domain/notes.js';
import type { StartApp } from './types.js';

function reply(res: FastifyReply, answer: Answer, method: string): FastifyReply {
  if (!('kind' in answer)) return res.code(answer.status).send(answer.body);
  const rendered = renderDecision(answer, method);
  for (const [name, value] of rendered.headers) res.header(name, value);
  return res.code(rendered.status).send(rendered.body);
}

export const startFastify: StartApp = async (parts, host, port) => {
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES });
  // The notes handler checks the content type and parses JSON itself, the same way on
  // every framework; Fastify hands it the raw text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(problemHandlers({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  for (const policy of parts.policies) await app.register(guard(policy));
  const { handlers } = parts;
  app.get('/health', (req, res) => reply(res, handlers.health(), req.method));
  app.get('/v1/notes', (req, res) => reply(res, handlers.list(req.bulwark?.apiVersion), req.method));
  app.get('/v2/notes', (req, res) => reply(res, handlers.list(req.bulwark?.apiVersion), req.method));
  app.get<{ Params: { id: string } }>('/v2/notes/:id', (req, res) =>
    reply(res, handlers.get(req.params.id), req.method),
  );
  app.post('/v2/notes', (req, res) =>
    reply(res, handlers.create(req.headers['content-type'], typeof req.body === 'string' ? req.body : ''), req.method),
  );
  const url = await app.listen({ host, port });
  return { url, close: () => app.close() };
};
