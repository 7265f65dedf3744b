import { createServer } from 'node:http';
import { authenticate, guard, requireScopes } from '@bulwark/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import jwt from 'jsonwebtoken';
import { useAnchorPipeline, useFloor } from '../http/express.js';
import { listenOnLoopback, type StartServer } from '../http/listen.js';
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

type Authed = Request & { user?: jwt.JwtPayload };

/**
 * Express 5 with the whole stack: Bulwark (`guard`, `authenticate`, `requireScopes`), or
 * helmet + cors + express-rate-limit (per IP, then per user) around jsonwebtoken's
 * `verify` in the Bearer middleware its README leads to.
 */
export const startExpress: StartServer = async (variant, form) => {
  const secrets = importSecrets();
  const app = express();
  const handler = (_req: Request, res: Response) => {
    res.json(NOTES);
  };
  if (variant === 'bare') app.get(ROUTE, handler);
  if (variant === 'floor') {
    useFloor(app, STACK_FLOOR_HEADERS);
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'list') {
    app.use(guard(bulwarkStackList(secrets)));
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'each') {
    app.use(guard(bulwarkPolicies()));
    app.use(authenticate(bulwarkAuthenticator(secrets), { realm: REALM }));
    app.use(guard(principalLimit()));
    app.get(ROUTE, requireScopes(SCOPE, { realm: REALM }), handler);
  }
  if (variant === 'anchor') {
    useAnchorPipeline(app);
    app.use((req: Authed, res: Response, next: NextFunction) => {
      const [scheme, token] = (req.headers.authorization ?? '').split(' ');
      if (scheme !== 'Bearer' || !token) {
        res.status(401).json({ error: 'unauthenticated' });
        return;
      }
      try {
        req.user = jwt.verify(token, secrets.secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        }) as jwt.JwtPayload;
        next();
      } catch {
        res.status(401).json({ error: 'invalid_token' });
      }
    });
    app.use(
      rateLimit({
        windowMs: WINDOW_MS,
        limit: NEVER_REACHED,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        identifier: 'principal',
        keyGenerator: (req: Authed) => String(req.user?.sub),
      }),
    );
    app.get(
      ROUTE,
      (req: Authed, res: Response, next: NextFunction) => {
        if (grantsScope(req.user)) next();
        else res.status(403).json(FORBIDDEN);
      },
      handler,
    );
  }
  return listenOnLoopback(createServer(app));
};
