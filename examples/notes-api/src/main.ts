import { ConfigError, jsonLinesSink } from '@bulwark/core';
import { readConfig } from './config.js';
import { startDemo } from './server.js';

try {
  const config = readConfig(process.env);
  const onEvent = jsonLinesSink((line) => process.stderr.write(line));
  const server = await startDemo({ ...config, onEvent });
  console.log(
    [
      '',
      `  Bulwark notes API on ${config.framework}`,
      `  listening at ${server.url}`,
      '',
      '  Policies in force:',
      '    security headers  HSTS 1y includeSubDomains, nosniff, CSP default-src none + frame-ancestors none,',
      '                      X-Frame-Options DENY, Referrer-Policy no-referrer, CORP same-origin, Cache-Control no-store',
      `    CORS              ${config.corsOrigins.join(', ')} (credentials; GET HEAD POST; content-type, authorization, x-request-id)`,
      `    rate limits       100/min per client IP on /v2, plus 5/min on POST /v2/reports (store: ${server.store}; trust proxy: ${JSON.stringify(config.trustProxy)})`,
      '    validation        zod, strict JSON bodies (100 KiB), 415/413/400/422 problems, output schemas',
      '    versions          v1 (deprecated 2026-06-01, sunset 2027-06-30), v2; others 406',
      '    errors            RFC 9457 problem+json, no stack traces',
      '',
      `  try: curl -i ${server.url}/v2/notes`,
      '  security events are written to stderr as JSON lines',
      '',
    ].join('\n'),
  );
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`notes-api: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
