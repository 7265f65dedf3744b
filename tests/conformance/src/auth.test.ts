import {
  authConformanceApp,
  authScenarios,
  optionalAuthScenarios,
  runAdapterConformance,
  runIdenticalAnswers,
} from '@bulwark/testkit';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

// DEMO.md's authentication table, through each adapter's authenticate() and
// requireScopes(), on all four frameworks, with byte-identical answers.
const drivers = [expressDriver, fastifyDriver, koaDriver, honoDriver];
const required = () => authConformanceApp();
const optional = () => authConformanceApp({ optional: true });

for (const driver of drivers) {
  runAdapterConformance(driver, { app: required(), scenarios: authScenarios });
  runAdapterConformance(driver, { app: optional(), scenarios: optionalAuthScenarios });
}
runIdenticalAnswers(drivers, { app: required, scenarios: authScenarios });
runIdenticalAnswers(drivers, { app: optional, scenarios: optionalAuthScenarios });
