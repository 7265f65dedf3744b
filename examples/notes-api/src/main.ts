import { alertHook, ConfigError, DEFAULT_ALERT_TYPES, ecsDocument, ecsSink, teeSink } from '@bulwark/core';
import { readConfig } from './config.js';
import { DEMO_USERS } from './domain/users.js';
import { startDemo } from './server.js';

try {
  const config = readConfig(process.env);
  // Security events to stderr as ECS JSON lines (a SIEM takes them as they are); alerts
  // (failure spikes found by the demo's detector, locks, refresh-token reuse) also as one
  // `[notes-api] ALERT` line a person notices: a webhook or a pager would go here.
  // Client addresses masked to their network (/24, /48): enough to see a flood's source.
  const ecs = { ip: 'masked', serviceName: 'notes-api' } as const;
  const lines = ecsSink((line) => process.stderr.write(line), ecs);
  const alerts = alertHook(DEFAULT_ALERT_TYPES, (event) => {
    process.stderr.write(`[notes-api] ALERT ${JSON.stringify(ecsDocument(event, ecs))}\n`);
  });
  const onEvent = teeSink(lines, alerts);
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
      `    CORS              ${config.corsOrigins.join(', ')} (credentials; GET HEAD POST PATCH DELETE; content-type, authorization, x-request-id)`,
      `    rate limits       per IP 1000/15min (not /health, /.well-known/*); sign-in 20/min per IP (login, refresh, token, sign-in form); per user 100/min on /v2 and /admin; POST /v2/reports 5/min per user (store: ${server.store}; trust proxy: ${JSON.stringify(config.trustProxy)})`,
      `    API keys          X-API-Key or Bearer notes_live_... (CRC32 checksum, HMAC-SHA-256 at rest, 90 days by default), /v2/api-keys (store: ${server.store})`,
      `    authentication    Bearer access tokens (${config.jwtAlg}, 15 min, iss ${config.issuer}), keys: ${server.keyStore}; JWKS at /.well-known/jwks.json`,
      `    sessions          refresh-token rotation at POST /auth/refresh, grace ${config.refreshGraceMs / 1000}s, reuse revokes the session (store: ${server.store})`,
      '    OAuth             code flow with PKCE S256 for notes-spa (http://localhost:5173/callback): /oauth/authorize, /oauth/token,',
      '                      metadata at /.well-known/oauth-authorization-server',
      '    passwords         Argon2id (m=19 MiB, t=2, p=1)',
      `    lockout           5 failures per account and IP in 15 min lock 15 min (doubling, at most 24 h); 50 per account, 100 per IP (store: ${server.store})`,
      '    validation        zod, strict JSON bodies (100 KiB), 415/413/400/422 problems, output schemas',
      '    versions          v1 (deprecated 2026-06-01, sunset 2027-06-30), v2; others 406',
      '    errors            RFC 9457 problem+json, no stack traces',
      '',
      '  Demo users (fixed passwords, because this is a demo):',
      ...DEMO_USERS.map((u) => `    ${u.email.padEnd(20)} ${u.password.padEnd(22)} ${u.role}`),
      '',
      '  try:',
      `    TOKEN=$(curl -s ${server.url}/auth/login -H 'content-type: application/json' \\`,
      `      -d '{"email":"alice@example.com","password":"alice-demo-password"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
      `    curl -i ${server.url}/v2/users/me -H "authorization: Bearer $TOKEN"`,
      '  security events are written to stderr as ECS JSON lines; alerts (failure spikes, lockouts, token reuse) as [notes-api] ALERT lines',
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
