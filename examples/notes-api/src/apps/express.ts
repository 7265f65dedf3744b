import { errorHandler, guard, notFound, valid, validate } from '@bulwark/express';
import { sendDecision } from '@bulwark/node';
import express, { type Response } from 'express';
import type { Answer } from '../domain/notes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

function reply(res: Response, answer: Answer, method: string): void {
  if ('kind' in answer) sendDecision(res, answer, method);
  else res.status(answer.status).json(answer.body);
}

export const startExpress: StartApp = (parts, host, port) => {
  const app = express();
  app.disable('x-powered-by');
  for (const policy of parts.policies) app.use(guard(policy, parts.clientIp));
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
  app.use(notFound());
  app.use(errorHandler({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  return listenNode(app, host, port);
};
