import { createServer } from 'node:http';
import { guard } from '@bulwark/express';
import cors from 'cors';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { bulwarkMiddleware, listenOnLoopback, type StartServer } from './listen.js';
import { bulwarkPolicies, FLOOR_HEADERS, NEVER_REACHED, NOTES, ORIGIN, ROUTE, WINDOW_MS } from './scenario.js';

/** The anchor pipeline users write today (helmet, cors, express-rate-limit per IP); http-stack adds JWT on top. */
export function useAnchorPipeline(app: Express): void {
  app.use(helmet());
  app.use(cors({ origin: [ORIGIN], credentials: true }));
  // express-rate-limit's README configuration, with a limit no round reaches.
  app.use(rateLimit({ windowMs: WINDOW_MS, limit: NEVER_REACHED, standardHeaders: 'draft-8', legacyHeaders: false }));
}

/**
 * The `floor` variant's middleware: fixed answer fields, set the framework's way (`res.set`),
 * and no `X-Powered-By` (Bulwark's header profile removes it).
 */
export function useFloor(app: Express, headers: Readonly<Record<string, string>>): void {
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
}

/** Express 5: the route, behind nothing, Bulwark, or helmet + cors + express-rate-limit. */
export const startExpress: StartServer = async (variant, form) => {
  const app = express();
  if (variant === 'ours') for (const mw of bulwarkMiddleware(guard, bulwarkPolicies(), form)) app.use(mw);
  if (variant === 'anchor') useAnchorPipeline(app);
  if (variant === 'floor') useFloor(app, FLOOR_HEADERS);
  app.get(ROUTE, (_req, res) => {
    res.json(NOTES);
  });
  return listenOnLoopback(createServer(app));
};
