import { errorHandler, guard, notFound, sendDecision, valid, validate } from '@bulwark/express';
import express, { type RequestHandler } from 'express';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

export const startExpress: StartApp = (parts, host, port) => {
  const app = express();
  app.disable('x-powered-by');
  // Express alone adds a weak ETag to every JSON answer; on no-store API answers it serves
  // no cache, and the same request must get the same bytes on every framework.
  app.set('etag', false);
  app.use(guard(parts.policies, parts.clientIp));
  for (const route of parts.routes) {
    const { validator } = route;
    const before: RequestHandler[] = validator ? [validate(validator)] : [];
    app[route.method === 'GET' ? 'get' : 'post'](route.path, ...before, (req, res) => {
      const answer = route.run(validator ? valid(req, validator) : undefined, req.bulwark?.apiVersion);
      if ('kind' in answer) sendDecision(res, answer);
      else res.status(answer.status).json(answer.body);
    });
  }
  for (const path of demoPaths(parts.routes))
    app.all(path.path, (req, res) => sendDecision(res, otherMethodAnswer(path, req.method)));
  app.use(notFound());
  app.use(errorHandler({ onError: parts.onError, onEvent: parts.onEvent }));
  return listenNode(app, parts.profile, host, port);
};
