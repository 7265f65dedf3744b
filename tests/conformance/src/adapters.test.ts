import { runAdapterConformance, runIdenticalAnswers } from '@bulwark/testkit';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

const drivers = [expressDriver, fastifyDriver, koaDriver, honoDriver];

// One scenario list, four frameworks: a scenario that passes on three is a failure.
for (const driver of drivers) runAdapterConformance(driver);

// And the four answer the same bytes: status, header fields in order (but Date and the
// connection fields, which belong to the server) and body.
runIdenticalAnswers(drivers);
