import { errorHandler, guard, notFound } from '@bulwark/express';
import { sendDecision } from '@bulwark/node';
import express, { type Response } from 'express';
import { type Answer, BODY_LIMIT_BYTES } from '../domain/notes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

function reply(res: Response, answer: Answer, method: string): void {
  if ('kind' in answer) sendDecision(res, answer, method);
  else res.status(answer.status).json(answer.body);
}

export const startExpress: StartApp = (parts, host, port) => {
  const app = express();
  app.disable('x-powered-by');
  for (const policy of parts.policies) app.use(guard(policy));
  const { handlers } = parts;
  app.get('/health', (req, res) => reply(res, handlers.health(), req.method));
  app.get('/v1/notes', (req, res) => reply(res, handlers.list(req.bulwark?.apiVersion), req.method));
  app.get('/v2/notes', (req, res) => reply(res, handlers.list(req.bulwark?.apiVersion), req.method));
  app.get('/v2/notes/:id', (req, res) => reply(res, handlers.get(req.params.id), req.method));
  app.post('/v2/notes', express.text({ type: () => true, limit: BODY_LIMIT_BYTES }), (req, res) =>
    reply(res, handlers.create(req.get('content-type'), typeof req.body === 'string' ? req.body : ''), req.method),
  );
  app.use(notFound());
  app.use(errorHandler({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  return listenNode(app, host, port);
};
