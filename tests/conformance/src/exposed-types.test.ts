/**
 * What each adapter exposes to handlers, pinned with `expectTypeOf` (checked by
 * `pnpm typecheck`; the runtime assertions are no-ops): the principal as `auth`, the
 * merged state as `bulwark`, `requireAuth(...)`, `valid(...)`, `guard(policy)` and
 * `guard([...])`.
 */
import type { BulwarkState, Principal, RefusalDecision, RequestPolicy } from '@bulwark/core';
import * as ex from '@bulwark/express';
import * as fa from '@bulwark/fastify';
import * as ho from '@bulwark/hono';
import * as ko from '@bulwark/koa';
import { requestValidator } from '@bulwark/validation';
import type { Request } from 'express';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { Context as HonoContext, MiddlewareHandler } from 'hono';
import type { Context as KoaContext, Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

declare module '@bulwark/core' {
  interface PrincipalClaims {
    readonly tenant?: string;
  }
}

const note = requestValidator({ body: z.object({ title: z.string() }) });
const policies: readonly RequestPolicy[] = [];

describe('types each adapter exposes', () => {
  it('Express: req.auth, req.bulwark, requireAuth, valid, guard, sendDecision', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<Request['bulwark']>().toEqualTypeOf<BulwarkState | undefined>();
    expectTypeOf(ex.requireAuth).returns.toEqualTypeOf<Principal>();
    expectTypeOf(ex.valid<{ title: string }, unknown, unknown, unknown, unknown>)
      .returns.toHaveProperty('body')
      .toEqualTypeOf<{ title: string }>();
    expectTypeOf(ex.guard).toBeCallableWith(policies);
    expectTypeOf(ex.guard).parameter(0).toEqualTypeOf<RequestPolicy | readonly RequestPolicy[]>();
    expectTypeOf(ex.sendDecision).parameter(1).toEqualTypeOf<RefusalDecision>();
  });

  it('Fastify: request.auth and request.bulwark decorators, requireAuth, valid, guard', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<Principal | null>();
    expectTypeOf<FastifyRequest['bulwark']>().toEqualTypeOf<BulwarkState | null>();
    expectTypeOf(fa.requireAuth).parameter(0).toEqualTypeOf<FastifyRequest>();
    expectTypeOf(fa.requireAuth).returns.toEqualTypeOf<Principal>();
    expectTypeOf(fa.guard).returns.toEqualTypeOf<FastifyPluginCallback>();
    expectTypeOf((r: FastifyRequest) => fa.valid(r, note).body).returns.toEqualTypeOf<{ title: string }>();
  });

  it('Koa: ctx.state.auth and ctx.state.bulwark, requireAuth, valid, guard', () => {
    expectTypeOf<KoaContext['state']['auth']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<KoaContext['state']['bulwark']>().toEqualTypeOf<BulwarkState | undefined>();
    expectTypeOf(ko.requireAuth).returns.toEqualTypeOf<Principal>();
    expectTypeOf(ko.guard).returns.toEqualTypeOf<Middleware>();
    expectTypeOf((ctx: KoaContext) => ko.valid(ctx, note).body).returns.toEqualTypeOf<{ title: string }>();
  });

  it('Hono: c.var.auth / c.get("auth") and an optional bulwark variable, requireAuth, valid, guard', () => {
    type C = HonoContext<ho.BulwarkEnv>;
    expectTypeOf<C['var']['auth']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<ReturnType<C['get']>>().toMatchTypeOf<unknown>();
    const get = (c: C) => ({ auth: c.get('auth'), state: c.get('bulwark') });
    expectTypeOf(get).returns.toEqualTypeOf<{ auth: Principal | undefined; state: BulwarkState | undefined }>();
    // Through ContextVariableMap, also on a plain Hono context.
    expectTypeOf((c: HonoContext) => c.var.auth).returns.toEqualTypeOf<Principal | undefined>();
    expectTypeOf(ho.requireAuth).returns.toEqualTypeOf<Principal>();
    expectTypeOf(ho.guard).returns.toEqualTypeOf<MiddlewareHandler<ho.BulwarkEnv>>();
    expectTypeOf((c: HonoContext) => ho.valid(c, note).body).returns.toEqualTypeOf<{ title: string }>();
    expectTypeOf(ho.sendDecision).returns.toEqualTypeOf<Response>();
  });

  it('an application types its own claims by declaration merging', () => {
    expectTypeOf<Principal['claims']['tenant']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Principal['claims']['anything']>().toEqualTypeOf<unknown>();
  });
});
