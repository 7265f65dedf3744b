import {
  runAdapterConformance,
  runIdenticalAnswers,
  tokenAttackApp,
  tokenAttackScenarios,
  tokenAttackSetup,
} from '@bulwark/testkit';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

// THREATS.md's Tokens section over HTTP: every forged or broken access token is refused by
// the real verifier (accessTokenVerifier through jwtAuthenticator) with DEMO.md's answer,
// on all four frameworks, byte-identical; the valid controls pass, so the suite can fail.
// The tokens are built once, so every framework receives the same bytes.
const setup = await tokenAttackSetup();
const scenarios = tokenAttackScenarios(setup);
const drivers = [expressDriver, fastifyDriver, koaDriver, honoDriver];

for (const driver of drivers) runAdapterConformance(driver, { app: tokenAttackApp(setup), scenarios });
runIdenticalAnswers(drivers, { app: () => tokenAttackApp(setup), scenarios });
