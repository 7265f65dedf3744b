import { createHash } from 'node:crypto';
import { type HeaderList, type RespondDecision, respond } from '@bulwark/core';
import { REQUEST_FIELDS, type RequestFields } from './csrf.js';

/** Every character that means something in HTML text or a quoted attribute, as a reference. */
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and double-quoted attributes: nothing of it can become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** The page's only style, inline; the CSP allows exactly it by its hash (no 'unsafe-inline'). */
const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}',
  'main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.5rem}',
  'h1{font-size:1.5rem;margin:0 0 .5rem}',
  'label{display:block;margin:1rem 0 .25rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem;border:1px solid #6b7280;border-radius:.25rem}',
  'input:focus,button:focus{outline:3px solid #1d4ed8;outline-offset:2px}',
  'button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem;color:#fff;background:#1d4ed8;border:0;border-radius:.25rem}',
  '.error{color:#b91c1c;font-weight:600}',
].join('');
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * The page's headers: HTML, never stored, and a CSP that allows only what the page needs:
 * its own style (by hash), form posts to itself and to the clients' redirect origins
 * (Chromium applies `form-action` to the redirect that follows the post, so the 303 to the
 * client must be allowed too), no framing (clickjacking), no `<base>`, nothing else.
 */
function pageHeaders(formTargets: readonly string[], extra: HeaderList): HeaderList {
  const csp = [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return [
    ['content-type', 'text/html; charset=utf-8'],
    ['cache-control', 'no-store'],
    ['content-security-policy', csp],
    ...extra,
  ];
}

function document(title: string, main: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    main,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface SigninPage {
  /** The registered client's id, shown to the user. */
  readonly clientId: string;
  /** The authorization request's parameters, carried as hidden fields. */
  readonly fields: RequestFields;
  readonly csrf: string;
  /** The email to fill in again after a failed attempt (never the password). */
  readonly email?: string | undefined;
  /** One generic message after a failed attempt. */
  readonly error?: string | undefined;
}

/** Origins the sign-in form's post may lead to: its own, and the clients' redirect URIs'. */
export type FormTargets = readonly string[];

/** The sign-in page: labelled fields, the request in hidden fields, no script. */
export function signinPage(page: SigninPage, status: number, targets: FormTargets, extra: HeaderList = []) {
  const hidden = REQUEST_FIELDS.flatMap((name) => {
    const value = page.fields[name];
    return value === undefined ? [] : [`<input type="hidden" name="${name}" value="${escapeHtml(value)}">`];
  });
  const invalid = page.error === undefined ? '' : ' aria-invalid="true" aria-describedby="signin-error"';
  const main = [
    '<h1>Sign in</h1>',
    `<p>to continue to <strong>${escapeHtml(page.clientId)}</strong></p>`,
    ...(page.error === undefined
      ? []
      : [`<p id="signin-error" class="error" role="alert">${escapeHtml(page.error)}</p>`]),
    '<form method="post" action="authorize">',
    ...hidden,
    `<input type="hidden" name="csrf" value="${escapeHtml(page.csrf)}">`,
    '<label for="email">Email</label>',
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(page.email ?? '')}"${invalid}>`,
    '<label for="password">Password</label>',
    `<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${invalid}>`,
    '<button type="submit">Sign in</button>',
    '</form>',
  ].join('\n');
  return htmlAnswer(status, pageHeaders(targets, extra), document('Sign in - notes-api', main));
}

/** An error page: what went wrong and what to do, never a redirect, never the input. */
export function errorPage(status: number, heading: string, text: string, targets: FormTargets): RespondDecision {
  const main = [
    `<h1>${escapeHtml(heading)}</h1>`,
    `<p>${escapeHtml(text)}</p>`,
    '<p>Go back to the application and start the sign-in again.</p>',
  ].join('\n');
  return htmlAnswer(status, pageHeaders(targets, []), document(`${heading} - notes-api`, main));
}

/** A complete HTML answer (core's render gives HEAD its Content-Length, as on every framework). */
function htmlAnswer(status: number, headers: HeaderList, html: string): RespondDecision {
  return respond(status, headers, html);
}
