import { ALICE, CLIENT_ID, REDIRECT_URI } from './demo.js';

/**
 * The two pages of a minimal single-page app of the registered client `notes-spa`, served
 * from http://localhost:5173. The start page builds the authorization request (PKCE S256,
 * state) and keeps the verifier in sessionStorage; the callback page exchanges the code from
 * the browser (a cross-origin request from the allowed origin) and calls the API.
 */

const page = (title: string, script: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><script type="module">${script}</script></body></html>`;

const SETTINGS = JSON.stringify({ clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: ALICE.scopes.join(' ') });

/** `/start?api=<demo URL>`: builds the authorization URL and navigates to it. */
export const START_PAGE = page(
  'notes-spa',
  `
const settings = ${SETTINGS};
const api = new URL(location.href).searchParams.get('api');
const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
sessionStorage.setItem('oauth', JSON.stringify({ api, verifier, state }));
const url = new URL(api + '/oauth/authorize');
url.search = new URLSearchParams({
  response_type: 'code',
  client_id: settings.clientId,
  redirect_uri: settings.redirectUri,
  scope: settings.scope,
  state,
  code_challenge: base64url(new Uint8Array(digest)),
  code_challenge_method: 'S256',
}).toString();
location.assign(url.href);
`,
);

/** `/callback?code=&state=`: redeems the code, calls `GET /v2/users/me`, shows `#result` (or `#error`). */
export const CALLBACK_PAGE = page(
  'notes-spa callback',
  `
const settings = ${SETTINGS};
const show = (id, text) => {
  const out = document.createElement('pre');
  out.id = id;
  out.textContent = text;
  document.body.append(out);
};
try {
  const saved = JSON.parse(sessionStorage.getItem('oauth') ?? 'null');
  sessionStorage.removeItem('oauth');
  const params = new URL(location.href).searchParams;
  if (saved === null) throw new Error('no authorization request was started in this tab');
  if (params.has('error')) throw new Error('authorization error: ' + params.get('error'));
  if (params.get('state') !== saved.state) throw new Error('the state does not match');
  const tokenAnswer = await fetch(saved.api + '/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: settings.redirectUri,
      client_id: settings.clientId,
      code_verifier: saved.verifier,
    }),
  });
  const tokens = await tokenAnswer.json();
  if (!tokenAnswer.ok) throw new Error('token endpoint: ' + tokenAnswer.status + ' ' + JSON.stringify(tokens));
  const me = await fetch(saved.api + '/v2/users/me', { headers: { authorization: 'Bearer ' + tokens.access_token } });
  show('result', JSON.stringify({ status: me.status, body: await me.json() }));
} catch (error) {
  show('error', String(error && error.message ? error.message : error));
}
`,
);
