import { createServer } from 'node:http';
import {
  authenticate,
  frameworkErrors,
  guard,
  problemHandlers,
  requireAuth,
  requireScopes,
  valid,
  validate,
  validationSupport,
} from '@bulwark/fastify';
import { checkRequestHead, clientErrorHandler, refuseUnservedRequests } from '@bulwark/node';
import type { AdapterDriver } from '@bulwark/testkit';
import Fastify, { type onRequestHookHandler } from 'fastify';

export const fastifyDriver: AdapterDriver = {
  name: 'fastify',
  async start(spec) {
    const app = Fastify({
      frameworkErrors: frameworkErrors({ onError: spec.onError, policies: spec.policies, realm: spec.realm }),
      clientErrorHandler: clientErrorHandler({ policies: spec.profile ?? [] }),
      serverFactory: (handler) =>
        refuseUnservedRequests(
          createServer({ requireHostHeader: false }, checkRequestHead(handler, { policies: spec.profile ?? [] })),
          { policies: spec.profile ?? [] },
        ),
    });
    await app.register(problemHandlers({ onError: spec.onError, realm: spec.realm }));
    await app.register(validationSupport());
    await app.register(guard(spec.policies, spec.clientIp));
    const { authentication } = spec;
    if (authentication) {
      await app.register(authenticate(authentication.authenticators, { ...authentication.options, ...spec.clientIp }));
    }
    for (const policy of spec.laterPolicies ?? []) await app.register(guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      const validation = validator && route.mountValidate !== false ? validate(validator) : {};
      // requireScopes first: a route hook of its own, before validate()'s onRequest.
      const onRequest: onRequestHookHandler[] = [
        ...(route.scopes === undefined
          ? []
          : [requireScopes(route.scopes, { ...route.scopeOptions, ...spec.clientIp })]),
        ...('onRequest' in validation ? [validation.onRequest as onRequestHookHandler] : []),
      ];
      app.route({
        method: route.method,
        url: route.path,
        ...validation,
        ...(onRequest.length === 0 ? {} : { onRequest }),
        handler: async (request, reply) => {
          const data = validator ? valid(request, validator) : undefined;
          const out = route.handle({
            params: request.params as Record<string, string>,
            state: request.bulwark,
            auth: request.auth,
            requireAuth: () => requireAuth(request),
            valid: data,
          });
          if (out.vary !== undefined) {
            // Fastify has no vary(): append to what the guards set, as res.vary does.
            const ours = reply.getHeader('vary');
            reply.header('vary', ours === undefined ? out.vary : `${String(ours)}, ${out.vary}`);
          }
          return reply.code(out.status).send(out.body);
        },
      });
    }
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { baseUrl: address, close: () => app.close() };
  },
};
