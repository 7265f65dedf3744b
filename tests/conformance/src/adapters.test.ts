import { runAdapterConformance } from '@bulwark/testkit';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

// One scenario list, four frameworks: a scenario that passes on three is a failure.
for (const driver of [expressDriver, fastifyDriver, koaDriver, honoDriver]) runAdapterConformance(driver);
